import type { Actor } from '../core/index.js';
import { RabtaError } from '../core/index.js';
import { iso, notFound } from './deps.js';
import type { EventsDeps } from './deps.js';
import { requireSubscriberOrPublisher } from './subscriptions.js';
import type { DeliveryStatus } from './tables.js';
import { underMember } from '../store/index.js';

export interface Delivery {
  id: number;
  event: string;
  subscription: string;
  topic: string;
  subscriber: string;
  mode: 'webhook' | 'pull';
  status: DeliveryStatus;
  attempts: number;
  nextAt: string | null;
  lastAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  deadAt: string | null;
  createdAt: string;
}

export interface DeliveryAttempt {
  attempt: number;
  at: string;
  durationMs: number;
  status: number | null;
  error: string | null;
  worker: string;
}

export interface DeliveryQuery {
  eventId?: string;
  subscriptionId?: string;
  topicId?: string;
  status?: DeliveryStatus;
  /** deliveries with a greater id (paging) */
  after?: number;
  limit?: number;
}

function baseQuery(deps: EventsDeps, actor: Actor) {
  let query = deps.db
    .selectFrom('event_deliveries as d')
    .innerJoin('event_subscriptions as s', 's.id', 'd.subscription_id')
    .select([
      'd.id',
      'd.event_id',
      'd.subscription_id',
      's.topic_id',
      's.subscriber_id',
      's.mode',
      'd.status',
      'd.attempts',
      'd.next_at',
      'd.last_attempt_at',
      'd.last_status',
      'd.last_error',
      'd.delivered_at',
      'd.dead_at',
      'd.created_at',
    ]);
  // A member admin sees what its member publishes and what it receives.
  if (actor.role === 'member-admin') {
    const member = actor.memberId ?? '-';
    query = query.where((eb) => eb.or([underMember('s.subscriber_id', member), underMember('s.topic_id', member)]));
  }
  return query;
}

/** Deliveries by event, subscription, topic and status, in id order. */
export async function searchDeliveries(deps: EventsDeps, actor: Actor, q: DeliveryQuery): Promise<{ deliveries: Delivery[]; next: number | null }> {
  const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
  let query = baseQuery(deps, actor).orderBy('d.id').limit(limit + 1);
  if (q.eventId) query = query.where('d.event_id', '=', q.eventId);
  if (q.subscriptionId) query = query.where('d.subscription_id', '=', q.subscriptionId);
  if (q.topicId) query = query.where('s.topic_id', '=', q.topicId);
  if (q.status) query = query.where('d.status', '=', q.status);
  if (q.after !== undefined) query = query.where('d.id', '>', q.after);
  const rows = await query.execute();
  const page = rows.slice(0, limit).map(toDelivery);
  return { deliveries: page, next: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null };
}

export async function getDelivery(deps: EventsDeps, actor: Actor, id: number): Promise<Delivery & { attemptLog: DeliveryAttempt[] }> {
  const row = await baseQuery(deps, actor).where('d.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('delivery', String(id));
  const attempts = await deps.db.selectFrom('event_delivery_attempts').selectAll().where('delivery_id', '=', id).orderBy('attempt').orderBy('id').execute();
  return {
    ...toDelivery(row),
    attemptLog: attempts.map((a) => ({ attempt: a.attempt, at: iso(a.at) as string, durationMs: a.duration_ms, status: a.status, error: a.error, worker: a.worker })),
  };
}

/** One dead letter goes back to the queue with a fresh set of attempts. */
export async function replayDelivery(deps: EventsDeps, actor: Actor, id: number): Promise<Delivery> {
  const row = await deps.db
    .selectFrom('event_deliveries as d')
    .innerJoin('event_subscriptions as s', 's.id', 'd.subscription_id')
    .select(['d.status', 's.subscriber_id', 's.topic_id', 's.status as subscription_status', 's.mode'])
    .where('d.id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('delivery', String(id));
  requireSubscriberOrPublisher(actor, row);
  if (row.status !== 'dead') throw new RabtaError('conflict', `delivery ${id} is ${row.status}; only dead letters are replayed`, { extensions: { status: row.status } });
  if (row.subscription_status !== 'active') throw new RabtaError('conflict', `its subscription is ${row.subscription_status}; enable it first`, { extensions: { subscriptionStatus: row.subscription_status } });
  await deps.db.updateTable('event_deliveries').set(requeued(deps.now())).where('id', '=', id).where('status', '=', 'dead').execute();
  return (await searchDeliveries(deps, actor, { after: id - 1, limit: 1 })).deliveries[0] as Delivery;
}

/**
 * Every dead letter of events published in [from, to), of one subscription or
 * topic or (for the authority) all, whose subscription is active again.
 */
export async function replayDeliveries(deps: EventsDeps, actor: Actor, range: { from: number; to: number; subscriptionId?: string; topicId?: string }): Promise<{ replayed: number }> {
  if (!(range.from < range.to)) throw new RabtaError('bad-request', 'from must be before to');
  if (actor.role === 'member-admin' && !range.subscriptionId && !range.topicId) throw new RabtaError('bad-request', 'name a subscription or a topic to replay');
  let chosen = deps.db
    .selectFrom('event_deliveries as d')
    .innerJoin('event_subscriptions as s', 's.id', 'd.subscription_id')
    .select('d.id')
    .where('d.status', '=', 'dead')
    .where('s.status', '=', 'active')
    .where('s.mode', '=', 'webhook')
    .where('d.created_at', '>=', range.from)
    .where('d.created_at', '<', range.to);
  if (range.subscriptionId) chosen = chosen.where('d.subscription_id', '=', range.subscriptionId);
  if (range.topicId) chosen = chosen.where('s.topic_id', '=', range.topicId);
  if (actor.role === 'member-admin') {
    const member = actor.memberId ?? '-';
    chosen = chosen.where((eb) => eb.or([underMember('s.subscriber_id', member), underMember('s.topic_id', member)]));
  }
  const result = await deps.db.updateTable('event_deliveries').set(requeued(deps.now())).where('status', '=', 'dead').where('id', 'in', chosen).executeTakeFirst();
  return { replayed: Number(result.numUpdatedRows) };
}

function requeued(now: number) {
  return { status: 'pending' as const, attempts: 0, next_at: now, dead_at: null, locked_until: null, locked_by: null };
}

function toDelivery(row: {
  id: number;
  event_id: string;
  subscription_id: string;
  topic_id: string;
  subscriber_id: string;
  mode: 'webhook' | 'pull';
  status: DeliveryStatus;
  attempts: number;
  next_at: number | null;
  last_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: number | null;
  dead_at: number | null;
  created_at: number;
}): Delivery {
  return {
    id: Number(row.id),
    event: row.event_id,
    subscription: row.subscription_id,
    topic: row.topic_id,
    subscriber: row.subscriber_id,
    mode: row.mode,
    status: row.status,
    attempts: row.attempts,
    nextAt: row.status === 'pending' ? iso(row.next_at) : null,
    lastAttemptAt: iso(row.last_attempt_at),
    lastStatus: row.last_status,
    lastError: row.last_error,
    deliveredAt: iso(row.delivered_at),
    deadAt: iso(row.dead_at),
    createdAt: iso(row.created_at) as string,
  };
}
