import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { memberIdOf } from '../core/index.js';

import type { AttemptOutcome } from './delivery.js';
import type { EventsDeps, EventsNotice } from './deps.js';
import { nextAttemptAt } from './schedule.js';
import type { RetryPolicy } from './schedule.js';
import type { EventsTables } from './tables.js';

/**
 * What a delivery worker writes once an attempt is over: successes in groups,
 * a failure with its next attempt or its dead letter, an endpoint disabled
 * after too many. Every write is conditional on the worker still holding the
 * delivery's lease, so a delivery claimed again after its lease lapsed is
 * finished by exactly one worker.
 */

/** What a delivery worker is given: the database, the egress, the journal, and where its notices and failures go. */
export interface WorkerDeps extends Pick<EventsDeps, 'db' | 'batch' | 'dialect' | 'egress' | 'recorder' | 'now'> {
  notice: (notice: EventsNotice) => void;
  onError: (error: unknown) => void;
}

/** The worker these writes are for: its id (the lease holder) and its retry and disable rules. */
export interface WorkerContext {
  deps: WorkerDeps;
  id: string;
  policy: RetryPolicy;
  disableAfterDead: number;
  disableAfterFailingMs: number;
}

export interface Claimed {
  id: number;
  attempts: number;
  event_id: string;
  topic_id: string;
  at: number;
  payload: string;
  subscription_id: string;
  subscriber_id: string;
  url: string | null;
  secret: string | null;
  subscription_status: string;
  /** the subscription's health when claimed: a success touches it only if this says it must */
  consecutive_dead: number;
  failing_since: number | null;
  last_success_at: number | null;
}

export interface Delivered {
  delivery: Claimed;
  outcome: AttemptOutcome;
  resolve(): void;
  reject(error: unknown): void;
}

/** Rows per statement when successes are recorded together: well under either database's limit on parameters. */
const WRITE_CHUNK = 500;

/** Records a group of successes: their attempts in one insert, their deliveries in one update, per chunk. */
export async function writeDelivered(ctx: WorkerContext, trx: Kysely<EventsTables>, group: readonly Delivered[]): Promise<void> {
  const { deps, id } = ctx;
  const now = deps.now();
  const touched = new Set<string>();
  for (let i = 0; i < group.length; i += WRITE_CHUNK) {
    const chunk = group.slice(i, i + WRITE_CHUNK);
    await trx
      .insertInto('event_delivery_attempts')
      .values(chunk.map(({ delivery, outcome }) => ({ delivery_id: delivery.id, attempt: delivery.attempts + 1, at: now - outcome.durationMs, duration_ms: outcome.durationMs, status: outcome.status, error: null, worker: id })))
      .execute();
    // Each delivery's own attempt, just inserted, supplies its time and status.
    const ofAttempt = (column: 'at' | 'status') =>
      sql<number>`(SELECT a.${sql.ref(column)} FROM event_delivery_attempts a
        WHERE a.delivery_id = event_deliveries.id AND a.attempt = event_deliveries.attempts + 1 AND a.worker = ${id}
        ORDER BY a.id DESC LIMIT 1)`;
    const updated = await trx
      .updateTable('event_deliveries')
      .set((eb) => ({
        status: 'delivered',
        attempts: eb('attempts', '+', 1),
        next_at: null,
        locked_until: null,
        locked_by: null,
        last_attempt_at: ofAttempt('at'),
        last_status: ofAttempt('status'),
        last_error: null,
        delivered_at: now,
      }))
      .where('id', 'in', chunk.map((d) => d.delivery.id))
      .where('locked_by', '=', id)
      .where('status', '=', 'pending')
      .returning('id')
      .execute();
    // A delivery whose lease was lost (claimed again after it lapsed, or settled by a disable) keeps the other outcome.
    const kept = new Set(updated.map((u) => Number(u.id)));
    for (const { delivery } of chunk) {
      // Touch the subscription only when its health changes, or once a minute, not on every success:
      // judged on the row as claimed, then again by the update's own condition.
      if (!kept.has(delivery.id) || touched.has(delivery.subscription_id)) continue;
      if (delivery.failing_since === null && delivery.consecutive_dead === 0 && delivery.last_success_at !== null && delivery.last_success_at >= now - 60_000) continue;
      touched.add(delivery.subscription_id);
    }
  }
  for (const subscriptionId of touched) {
    await trx
      .updateTable('event_subscriptions')
      .set({ consecutive_dead: 0, failing_since: null, last_success_at: now })
      .where('id', '=', subscriptionId)
      .where((eb) => eb.or([eb('failing_since', 'is not', null), eb('consecutive_dead', '>', 0), eb('last_success_at', 'is', null), eb('last_success_at', '<', now - 60_000)]))
      .execute();
  }
}

/** Ends a delivery claimed for a subscription no longer active, without an attempt. */
export async function settle(ctx: WorkerContext, trx: Kysely<EventsTables>, delivery: Claimed, status: 'cancelled' | 'dead', reason: string): Promise<void> {
  const { deps, id } = ctx;
  const now = deps.now();
  await trx
    .updateTable('event_deliveries')
    .set({ status, last_error: reason, locked_until: null, locked_by: null, ...(status === 'dead' ? { dead_at: now } : {}) })
    .where('id', '=', delivery.id)
    .where('locked_by', '=', id)
    .where('status', '=', 'pending')
    .execute();
}

/** A failed attempt: the next one scheduled, or a dead letter (which may disable the endpoint). */
export async function recordFailure(ctx: WorkerContext, trx: Kysely<EventsTables>, delivery: Claimed, outcome: AttemptOutcome): Promise<EventsNotice | undefined> {
  const { deps, id, policy, disableAfterDead, disableAfterFailingMs } = ctx;
  const now = deps.now();
  const attempt = delivery.attempts + 1;
  await trx
    .insertInto('event_delivery_attempts')
    .values({ delivery_id: delivery.id, attempt, at: now - outcome.durationMs, duration_ms: outcome.durationMs, status: outcome.status, error: outcome.error, worker: id })
    .execute();
  const next = nextAttemptAt(policy, attempt, now, outcome.retryAfterMs);
  const status = next === undefined ? 'dead' : 'pending';
  const updated = await trx
    .updateTable('event_deliveries')
    .set({
      status,
      attempts: attempt,
      next_at: next ?? null,
      locked_until: null,
      locked_by: null,
      last_attempt_at: now - outcome.durationMs,
      last_status: outcome.status,
      last_error: outcome.error,
      ...(status === 'dead' ? { dead_at: now } : {}),
    })
    .where('id', '=', delivery.id)
    .where('locked_by', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  // Lease lost (claimed again after it lapsed, or settled by a disable): the other outcome stands.
  if (Number(updated.numUpdatedRows) !== 1) return undefined;

  if (status === 'pending') {
    await trx.updateTable('event_subscriptions').set({ failing_since: now }).where('id', '=', delivery.subscription_id).where('failing_since', 'is', null).execute();
    return undefined;
  }
  const health = await trx
    .updateTable('event_subscriptions')
    .set((eb) => ({ consecutive_dead: eb('consecutive_dead', '+', 1), failing_since: eb.fn.coalesce('failing_since', eb.val(now)) }))
    .where('id', '=', delivery.subscription_id)
    .returning(['consecutive_dead', 'failing_since', 'status'])
    .executeTakeFirst();
  if (!health || health.status !== 'active') return undefined;
  const failingFor = now - (health.failing_since ?? now);
  if (health.consecutive_dead < disableAfterDead && failingFor < disableAfterFailingMs) return undefined;
  const reason =
    health.consecutive_dead >= disableAfterDead
      ? `${health.consecutive_dead} deliveries in a row failed every attempt`
      : `no delivery has succeeded since ${new Date(health.failing_since ?? now).toISOString()}`;
  return disable(ctx, trx, delivery, reason, now);
}

/**
 * The endpoint is disabled and its member told: a notice row (admin API
 * `GET /admin/events/notices`), the platform's log, and the public journal.
 * What was still pending for it becomes dead letters, to replay once enabled.
 */
async function disable(ctx: WorkerContext, trx: Kysely<EventsTables>, delivery: Claimed, reason: string, now: number): Promise<EventsNotice> {
  const { deps } = ctx;
  await trx
    .updateTable('event_subscriptions')
    .set({ status: 'disabled', disabled_at: now, disabled_reason: reason, updated_at: now })
    .where('id', '=', delivery.subscription_id)
    .execute();
  await trx
    .updateTable('event_deliveries')
    .set({ status: 'dead', dead_at: now, last_error: 'endpoint-disabled', locked_until: null, locked_by: null })
    .where('subscription_id', '=', delivery.subscription_id)
    .where('status', '=', 'pending')
    .execute();
  const notice: EventsNotice = {
    memberId: memberIdOf(delivery.subscriber_id),
    kind: 'subscription-disabled',
    subscriptionId: delivery.subscription_id,
    detail: `Webhook subscription ${delivery.subscription_id} of ${delivery.subscriber_id} to ${delivery.topic_id} was disabled: ${reason}. Fix the endpoint, enable the subscription, then replay its dead letters.`,
    at: now,
  };
  await trx.insertInto('event_notices').values({ member_id: notice.memberId, at: now, kind: notice.kind, subscription_id: notice.subscriptionId, detail: notice.detail }).execute();
  await deps.recorder.record(trx, { actor: 'system', action: 'subscription.disable', target: delivery.subscription_id, details: { topic: delivery.topic_id, subscriber: delivery.subscriber_id, reason }, at: now });
  return notice;
}
