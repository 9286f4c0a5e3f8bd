import { randomBytes, randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { memberIdOf, RabtaError } from '../core/index.js';
import type { Actor } from '../core/index.js';
import { classifyAddress } from '../egress/index.js';
import { topicPurposes } from './access.js';
import { change, iso, notFound, requireMemberScope } from './deps.js';
import type { EventsDeps } from './deps.js';
import { checkFilter } from './fields.js';
import type { Filter } from './fields.js';
import type { SubscriptionRow, SubscriptionStatus } from './tables.js';
import { findTopic } from './topics.js';
import { underMember } from '../store/index.js';

export type DeliveryInput = { webhook: string } | { pull: true };

export interface SubscriptionInput {
  topicId: string;
  subscriberId: string;
  delivery: DeliveryInput;
  filter?: Filter | null;
}

export interface Subscription {
  id: string;
  topic: string;
  subscriber: string;
  delivery: { webhook: string } | { pull: true };
  filter: Filter | null;
  status: SubscriptionStatus;
  disabledAt: string | null;
  disabledReason: string | null;
  lastSuccessAt: string | null;
  createdAt: string;
}

export interface CreatedSubscription extends Subscription {
  /** the Standard Webhooks secret of a webhook subscription, shown this once */
  secret?: string;
}

/** A subsystem acting for itself through a signed call is a member admin of its own member, for the journal and scope checks. */
export function subsystemActor(subsystemId: string): Actor {
  return { id: subsystemId, role: 'member-admin', memberId: memberIdOf(subsystemId) };
}

/**
 * A subscriber subsystem subscribes to a topic it has an access right on. A
 * webhook subscription gets a fresh secret (`whsec_` + base64 of 32 random
 * bytes, Standard Webhooks), returned only here; the receiver verifies every
 * delivery with it.
 */
export async function createSubscription(deps: EventsDeps, actor: Actor, input: SubscriptionInput): Promise<CreatedSubscription> {
  requireMemberScope(actor, memberIdOf(input.subscriberId));
  await deps.registry.getSubsystem(input.subscriberId);
  const topic = await findTopic(deps, input.topicId);
  if (!(await topicPurposes(deps, topic.id, input.subscriberId))) {
    throw new RabtaError('no-topic-access', `${input.subscriberId} has no access right to ${topic.id}`, { extensions: { topic: topic.id } });
  }
  const filter = checkFilter(input.filter);
  const webhook = 'webhook' in input.delivery ? checkWebhookUrl(input.delivery.webhook, deps.egressAllow) : null;
  if (!webhook && !('pull' in input.delivery && input.delivery.pull === true)) throw new RabtaError('bad-request', 'delivery is {webhook: url} or {pull: true}');
  const now = deps.now();
  const row: SubscriptionRow = {
    id: randomUUID(),
    topic_id: topic.id,
    subscriber_id: input.subscriberId,
    mode: webhook ? 'webhook' : 'pull',
    url: webhook,
    secret: webhook ? `whsec_${randomBytes(32).toString('base64')}` : null,
    filter: filter ? JSON.stringify(filter) : null,
    status: 'active',
    cursor: 0,
    consecutive_dead: 0,
    failing_since: null,
    last_success_at: null,
    disabled_at: null,
    disabled_reason: null,
    created_at: now,
    updated_at: now,
  };
  // The journal is public: it names the filter's fields, never their values (a value could be a CNIC).
  await change(deps, actor, 'subscription.create', row.id, { topic: topic.id, subscriber: row.subscriber_id, mode: row.mode, url: row.url, filterFields: filter ? Object.keys(filter) : [] }, (db) =>
    db.insertInto('event_subscriptions').values(row).execute(),
  );
  return { ...toSubscription(row), ...(row.secret ? { secret: row.secret } : {}) };
}

export async function listSubscriptions(deps: EventsDeps, filter: { topicId?: string; subscriberId?: string; memberId?: string; includeDeleted?: boolean } = {}): Promise<Subscription[]> {
  let query = deps.db.selectFrom('event_subscriptions').selectAll().orderBy('created_at').orderBy('id');
  if (filter.topicId) query = query.where('topic_id', '=', filter.topicId);
  if (filter.subscriberId) query = query.where('subscriber_id', '=', filter.subscriberId);
  if (filter.memberId) {
    const member = filter.memberId;
    query = query.where((eb) => eb.or([underMember('subscriber_id', member), underMember('topic_id', member)]));
  }
  if (!filter.includeDeleted) query = query.where('status', '!=', 'deleted');
  return (await query.execute()).map(toSubscription);
}

export async function findSubscription(deps: Pick<EventsDeps, 'db'>, id: string): Promise<SubscriptionRow> {
  const row = await deps.db.selectFrom('event_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || row.status === 'deleted') throw notFound('subscription', id);
  return row;
}

export async function getSubscription(deps: EventsDeps, actor: Actor, id: string): Promise<Subscription> {
  const row = await findSubscription(deps, id);
  requireSubscriberOrPublisher(actor, row);
  return toSubscription(row);
}

/** Deleting keeps the row (its deliveries stay searchable) and cancels what was still waiting. */
export async function deleteSubscription(deps: EventsDeps, actor: Actor, id: string): Promise<void> {
  const row = await findSubscription(deps, id);
  requireMemberScope(actor, memberIdOf(row.subscriber_id));
  await change(deps, actor, 'subscription.delete', id, { topic: row.topic_id, subscriber: row.subscriber_id }, async (db) => {
    await db.updateTable('event_subscriptions').set({ status: 'deleted', updated_at: deps.now() }).where('id', '=', id).execute();
    await db
      .updateTable('event_deliveries')
      .set({ status: 'cancelled', last_error: 'subscription-deleted', locked_until: null, locked_by: null })
      .where('subscription_id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  });
}

/** After the subscriber has fixed its endpoint; what died meanwhile can then be replayed. */
export async function enableSubscription(deps: EventsDeps, actor: Actor, id: string): Promise<Subscription> {
  const row = await findSubscription(deps, id);
  requireMemberScope(actor, memberIdOf(row.subscriber_id));
  if (row.status === 'active') return toSubscription(row);
  const now = deps.now();
  await change(deps, actor, 'subscription.enable', id, { topic: row.topic_id, subscriber: row.subscriber_id }, (db) =>
    db
      .updateTable('event_subscriptions')
      .set({ status: 'active', consecutive_dead: 0, failing_since: null, disabled_at: null, disabled_reason: null, updated_at: now })
      .where('id', '=', id)
      .execute(),
  );
  return toSubscription({ ...row, status: 'active', consecutive_dead: 0, failing_since: null, disabled_at: null, disabled_reason: null, updated_at: now });
}

export function requireSubscriberOrPublisher(actor: Actor, row: { subscriber_id: string; topic_id: string }): void {
  if (actor.role === 'authority-admin' || actor.role === 'system') return;
  if (actor.memberId === memberIdOf(row.subscriber_id) || actor.memberId === memberIdOf(row.topic_id)) return;
  throw new RabtaError('forbidden', `this token acts for ${actor.memberId ?? 'no member'}, which neither publishes nor receives this`);
}

/**
 * http(s), no credentials or fragment. A literal address the egress policy
 * refuses is refused now; a name is judged on every delivery, on the address
 * it resolves to then (DNS rebinding gains nothing).
 */
export function checkWebhookUrl(url: string, egressAllow: readonly string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RabtaError('bad-request', `webhook "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new RabtaError('bad-request', 'a webhook URL is http or https');
  if (parsed.username || parsed.password) throw new RabtaError('bad-request', 'a webhook URL must not carry credentials');
  if (parsed.hash) throw new RabtaError('bad-request', 'a webhook URL has no fragment');
  if (url.length > 2000) throw new RabtaError('bad-request', 'a webhook URL is at most 2000 characters');
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) {
    const refused = classifyAddress(host).filter((cls) => cls !== 'public' && !egressAllow.includes(cls));
    if (refused.length > 0) {
      throw new RabtaError('webhook-url-refused', `${host} is ${refused.join(', ')}; this instance's egress policy does not reach it`, { extensions: { classes: refused } });
    }
  }
  return parsed.toString();
}

export function toSubscription(row: SubscriptionRow): Subscription {
  return {
    id: row.id,
    topic: row.topic_id,
    subscriber: row.subscriber_id,
    delivery: row.mode === 'webhook' ? { webhook: row.url as string } : { pull: true },
    filter: row.filter ? (JSON.parse(row.filter) as Filter) : null,
    status: row.status,
    disabledAt: iso(row.disabled_at),
    disabledReason: row.disabled_reason,
    lastSuccessAt: iso(row.last_success_at),
    createdAt: iso(row.created_at) as string,
  };
}
