import { randomUUID } from 'node:crypto';
import { memberIdOf, RabtaError } from '../core/index.js';
import type { Actor } from '../core/index.js';
import { change, isUniqueViolation, iso, notFound, requireMemberScope } from './deps.js';
import type { EventsDeps } from './deps.js';
import type { TopicAccessRow } from './tables.js';
import { findTopic, memberOf } from './topics.js';
import { underMember } from '../store/index.js';

export interface TopicAccess {
  id: string;
  topic: string;
  subscriber: string;
  purposes: string[];
  createdAt: string;
}

/**
 * The publisher's member (or the authority) grants a subscriber subsystem a
 * topic for some purposes, as access rights grant services
 * (src/registry/access.ts). Without one, a subsystem cannot subscribe, and
 * its subscriptions receive nothing.
 */
export async function grantTopicAccess(deps: EventsDeps, actor: Actor, input: { topicId: string; subscriberId: string; purposes: string[] }): Promise<TopicAccess> {
  const topic = await findTopic(deps, input.topicId);
  requireMemberScope(actor, memberOf(topic));
  await deps.registry.getSubsystem(input.subscriberId);
  if (input.purposes.length === 0) throw new RabtaError('bad-request', 'a topic access right names at least one purpose');
  const purposes = [...new Set(input.purposes)].sort();
  for (const code of purposes) if (!(await deps.registry.findPurpose(code))) throw notFound('purpose', code);
  const row: TopicAccessRow = { id: randomUUID(), topic_id: topic.id, subscriber_id: input.subscriberId, purposes: JSON.stringify(purposes), created_at: deps.now() };
  try {
    await change(deps, actor, 'topic-access.grant', topic.id, { subscriber: input.subscriberId, purposes }, (db) => db.insertInto('topic_access').values(row).execute());
  } catch (error) {
    if (isUniqueViolation(error)) throw new RabtaError('conflict', `${input.subscriberId} already has access to ${topic.id}`);
    throw error;
  }
  return toAccess(row);
}

/** Revoking also cancels what was still waiting to reach that subscriber from this topic. */
export async function revokeTopicAccess(deps: EventsDeps, actor: Actor, id: string): Promise<void> {
  const row = await deps.db.selectFrom('topic_access').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('topic access right', id);
  requireMemberScope(actor, memberIdOf(row.topic_id));
  await change(deps, actor, 'topic-access.revoke', row.topic_id, { subscriber: row.subscriber_id }, async (db) => {
    await db.deleteFrom('topic_access').where('id', '=', id).execute();
    const subscriptions = db.selectFrom('event_subscriptions').select('id').where('topic_id', '=', row.topic_id).where('subscriber_id', '=', row.subscriber_id);
    await db
      .updateTable('event_deliveries')
      .set({ status: 'cancelled', last_error: 'access-revoked', locked_until: null, locked_by: null })
      .where('status', '=', 'pending')
      .where('subscription_id', 'in', subscriptions)
      .execute();
  });
}

export async function listTopicAccess(deps: EventsDeps, filter: { topicId?: string; subscriberId?: string; memberId?: string } = {}): Promise<TopicAccess[]> {
  let query = deps.db.selectFrom('topic_access').selectAll().orderBy('topic_id').orderBy('subscriber_id');
  if (filter.topicId) query = query.where('topic_id', '=', filter.topicId);
  if (filter.subscriberId) query = query.where('subscriber_id', '=', filter.subscriberId);
  if (filter.memberId) {
    const member = filter.memberId;
    query = query.where((eb) => eb.or([underMember('topic_id', member), underMember('subscriber_id', member)]));
  }
  return (await query.execute()).map(toAccess);
}

/** The purposes `subscriberId` may receive `topicId` for, or undefined without a right. */
export async function topicPurposes(deps: Pick<EventsDeps, 'db'>, topicId: string, subscriberId: string): Promise<string[] | undefined> {
  const row = await deps.db.selectFrom('topic_access').select('purposes').where('topic_id', '=', topicId).where('subscriber_id', '=', subscriberId).executeTakeFirst();
  return row ? (JSON.parse(row.purposes) as string[]) : undefined;
}

function toAccess(row: TopicAccessRow): TopicAccess {
  return { id: row.id, topic: row.topic_id, subscriber: row.subscriber_id, purposes: JSON.parse(row.purposes) as string[], createdAt: iso(row.created_at) as string };
}
