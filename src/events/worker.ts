import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { memberIdOf } from '../core/index.js';

import { attemptDelivery, envelopeOf } from './delivery.js';
import type { AttemptOutcome } from './delivery.js';
import type { EventsDeps, EventsNotice } from './deps.js';
import { DEFAULT_SCHEDULE_MS, nextAttemptAt } from './schedule.js';
import type { RetryPolicy } from './schedule.js';
import type { EventsTables } from './tables.js';

export interface WorkerOptions {
  /** delay before each attempt after the previous failure (default: DEFAULT_SCHEDULE_MS); its length is the number of attempts */
  schedule?: readonly number[];
  /** ± fraction of each delay, at random (default 0.2) */
  jitter?: number;
  /** a receiver's Retry-After is honoured up to this (default 24 h) */
  maxRetryAfterMs?: number;
  /** per attempt: for the answer's headers, and again for its body (default 15 s) */
  timeoutMs?: number;
  /** how long a claim is held; a crashed worker's claims come back after it (default 2 × timeout + 30 s) */
  leaseMs?: number;
  /** deliveries claimed at once by one loop (default 64) */
  batchSize?: number;
  /**
   * deliveries in flight per loop, from the claim until the outcome is recorded (default 4 × batchSize);
   * the loop claims again once half of them are free. The egress pool still caps connections per receiver.
   */
  concurrency?: number;
  /** claiming loops in this process on PostgreSQL (default 2); SQLite always runs one */
  loops?: number;
  /** how often an idle loop looks for due deliveries (default 250 ms); publications in this process wake it at once */
  pollMs?: number;
  /** disable an endpoint after this many dead letters in a row (default 5) */
  disableAfterDeadLetters?: number;
  /** … or when a delivery dies and nothing has succeeded for this long (default 24 h) */
  disableAfterFailingMs?: number;
  /** names this worker in claims and attempt records (default host-pid-random) */
  workerId?: string;
}

export interface DeliveryWorker {
  readonly id: string;
  start(): void;
  stop(): Promise<void>;
  /** a delivery may be due now (a publication or replay in this process) */
  poke(): void;
  /** claims one batch and attempts it; returns how many were attempted */
  runOnce(): Promise<number>;
}

interface Claimed {
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

interface Delivered {
  delivery: Claimed;
  outcome: AttemptOutcome;
  resolve(): void;
  reject(error: unknown): void;
}

/** Rows per statement when successes are recorded together: well under either database's limit on parameters. */
const WRITE_CHUNK = 500;

export interface WorkerDeps extends Pick<EventsDeps, 'db' | 'batch' | 'dialect' | 'egress' | 'recorder' | 'now'> {
  notice: (notice: EventsNotice) => void;
  onError: (error: unknown) => void;
}

/**
 * The delivery workers. A loop claims due deliveries by setting a lease
 * (`locked_until`) in one statement — on PostgreSQL under
 * `FOR UPDATE SKIP LOCKED`, so any number of loops and nodes share the queue
 * without waiting on each other; on SQLite writes are serialised, so one loop
 * per process. Each attempt happens outside any transaction; its outcome is
 * written only if the lease is still this worker's, so a delivery whose lease
 * lapsed and was claimed again is finished by exactly one worker.
 *
 * Ordering: a delivery with an ordering key is not claimed while an earlier
 * delivery (lower id) with the same key to the same subscription is still
 * pending — being attempted, or waiting for its next retry. A dead letter is
 * no longer pending, so it stops blocking its key and later events flow on;
 * replaying it makes it pending again, and it then blocks the key's later
 * events that are still pending, as any earlier event would.
 */
export function createDeliveryWorker(deps: WorkerDeps, options: WorkerOptions = {}): DeliveryWorker {
  const id = options.workerId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const policy: RetryPolicy = {
    schedule: options.schedule ?? DEFAULT_SCHEDULE_MS,
    jitter: options.jitter ?? 0.2,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 24 * 3600_000,
  };
  if (policy.schedule.length === 0) throw new TypeError('a retry schedule has at least one attempt');
  const timeoutMs = options.timeoutMs ?? 15_000;
  const leaseMs = options.leaseMs ?? 2 * timeoutMs + 30_000;
  const batchSize = options.batchSize ?? 64;
  const concurrency = Math.max(1, options.concurrency ?? 4 * batchSize);
  // Claims smaller than this wait for more room: a claim is a write, not worth making for a handful.
  const minClaim = Math.max(1, Math.min(batchSize, Math.ceil(concurrency / 2)));
  const pollMs = options.pollMs ?? 250;
  const loops = deps.dialect.supportsSkipLocked ? Math.max(1, options.loops ?? 2) : 1;
  const disableAfterDead = options.disableAfterDeadLetters ?? 5;
  const disableAfterFailingMs = options.disableAfterFailingMs ?? 24 * 3600_000;

  const delivered: Delivered[] = [];
  let stopped = true;
  let running: Promise<void>[] = [];
  const waiters = new Set<() => void>();
  let poked = false;

  async function claim(limit: number): Promise<number[]> {
    const now = deps.now();
    const until = now + leaseMs;
    // Literal 'pending' so that the planner can use the partial index of due deliveries. SQLite,
    // without statistics, prefers the (status, created_at) index and sorts every pending delivery
    // on each claim (milliseconds with a large backlog); naming the index keeps a claim to a range scan.
    const due = sql`
      SELECT c.id FROM event_deliveries c${deps.dialect.indexedBy('event_deliveries_due')}
      WHERE c.status = 'pending' AND c.next_at <= ${now}
        AND (c.locked_until IS NULL OR c.locked_until <= ${now})
        AND (c.ordering_key IS NULL OR NOT EXISTS (
          SELECT 1 FROM event_deliveries p
          WHERE p.subscription_id = c.subscription_id AND p.ordering_key = c.ordering_key
            AND p.status = 'pending' AND p.id < c.id))
      ORDER BY c.next_at, c.id
      LIMIT ${limit}`;
    const result = deps.dialect.supportsSkipLocked
      ? // A CTE that locks is evaluated once, so the batch is exactly what was locked.
        await sql<{ id: number }>`
          WITH due AS (${due} FOR UPDATE SKIP LOCKED)
          UPDATE event_deliveries AS d SET locked_until = ${until}, locked_by = ${id}
          FROM due WHERE d.id = due.id
          RETURNING d.id`.execute(deps.db)
      : await sql<{ id: number }>`
          UPDATE event_deliveries SET locked_until = ${until}, locked_by = ${id}
          WHERE id IN (${due})
          RETURNING id`.execute(deps.db);
    return result.rows.map((r) => Number(r.id));
  }

  async function load(ids: number[]): Promise<Claimed[]> {
    return deps.db
      .selectFrom('event_deliveries as d')
      .innerJoin('events as e', 'e.id', 'd.event_id')
      .innerJoin('event_subscriptions as s', 's.id', 'd.subscription_id')
      .select(['d.id', 'd.attempts', 'e.id as event_id', 'e.topic_id', 'e.at', 'e.payload', 's.id as subscription_id', 's.subscriber_id', 's.url', 's.secret', 's.status as subscription_status', 's.consecutive_dead', 's.failing_since', 's.last_success_at'])
      .where('d.id', 'in', ids)
      .where('d.locked_by', '=', id)
      .orderBy('d.id')
      .execute();
  }

  async function runOnce(): Promise<number> {
    const ids = await claim(batchSize);
    if (ids.length === 0) return 0;
    const claimed = await load(ids);
    await Promise.all(claimed.map((delivery) => handle(delivery).catch(deps.onError)));
    return claimed.length;
  }

  async function handle(delivery: Claimed): Promise<void> {
    if (delivery.subscription_status !== 'active' || delivery.url === null || delivery.secret === null) {
      // Disabling or deleting settles pending deliveries in its own transaction; this catches one claimed just before.
      await deps.batch.run((trx) => settle(trx, delivery, delivery.subscription_status === 'deleted' ? 'cancelled' : 'dead', `subscription-${delivery.subscription_status}`));
      return;
    }
    const outcome = await attemptDelivery(deps.egress, {
      url: delivery.url,
      secret: delivery.secret,
      messageId: delivery.event_id,
      body: envelopeOf(delivery),
      timeoutMs,
      now: deps.now,
    });
    if (outcome.ok) return recordDelivered(delivery, outcome);
    // Told only after the commit, and once even if the group commit reruns this write alone.
    const notice = await deps.batch.run((trx) => recordFailure(trx, delivery, outcome));
    if (notice) deps.notice(notice);
  }

  /**
   * Successes are recorded in groups: the first starts a write, and every
   * success that comes in before the write runs joins it — an insert of their
   * attempts and an update of their deliveries, two statements for the lot
   * rather than two each: at thousands of deliveries a second, building and
   * preparing statements is much of a delivery's cost.
   */
  function recordDelivered(delivery: Claimed, outcome: AttemptOutcome): Promise<void> {
    return new Promise((resolve, reject) => {
      delivered.push({ delivery, outcome, resolve, reject });
      if (delivered.length > 1) return;
      // The group is taken when the write runs, so successes that arrive until then join it; taken
      // once, so the batcher's rerun of this write alone (after a shared transaction failed) is the same group.
      let group: Delivered[] | undefined;
      deps.batch
        .run((trx) => writeDelivered(trx, (group ??= delivered.splice(0))))
        .then(
          () => group?.forEach((d) => d.resolve()),
          (error: unknown) => (group ?? delivered.splice(0)).forEach((d) => d.reject(error)),
        );
    });
  }

  async function writeDelivered(trx: Kysely<EventsTables>, group: Delivered[]): Promise<void> {
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

  async function settle(trx: Kysely<EventsTables>, delivery: Claimed, status: 'cancelled' | 'dead', reason: string): Promise<void> {
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
  async function recordFailure(trx: Kysely<EventsTables>, delivery: Claimed, outcome: AttemptOutcome): Promise<EventsNotice | undefined> {
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
    return disable(trx, delivery, reason, now);
  }

  /**
   * The endpoint is disabled and its member told: a notice row (admin API
   * `GET /admin/events/notices`), the platform's log, and the public journal.
   * What was still pending for it becomes dead letters, to replay once enabled.
   */
  async function disable(trx: Kysely<EventsTables>, delivery: Claimed, reason: string, now: number): Promise<EventsNotice> {
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

  /**
   * One claiming loop, pipelined: it claims again as soon as half its
   * `concurrency` is free, instead of waiting for the slowest attempt of the
   * last batch, so the database work of one batch overlaps the HTTP of the
   * others. When a claim comes back short the queue has nothing more due; the
   * loop then waits for a publication, the poll timer, or its attempts in
   * flight to finish (a finished delivery may unblock its ordering key's next).
   */
  async function loop(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    const room = () => concurrency - inFlight.size;
    let waitingForRoom: (() => void) | undefined;
    while (!stopped) {
      if (room() < minClaim) {
        await new Promise<void>((resolve) => (waitingForRoom = resolve));
        continue;
      }
      const wanted = Math.min(batchSize, room());
      let claimed: Claimed[] = [];
      try {
        const ids = await claim(wanted);
        claimed = ids.length === 0 ? [] : await load(ids);
      } catch (error) {
        deps.onError(error);
      }
      for (const delivery of claimed) {
        const attempt: Promise<void> = handle(delivery)
          .catch(deps.onError)
          .finally(() => {
            inFlight.delete(attempt);
            waitingForRoom?.();
            waitingForRoom = undefined;
            if (inFlight.size === 0) wakeAll();
          });
        inFlight.add(attempt);
      }
      if (claimed.length < wanted && !stopped) await idle();
    }
    await Promise.all(inFlight);
  }

  function idle(): Promise<void> {
    if (poked) {
      poked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, pollMs);
      waiters.add(done);
    });
  }

  const wakeAll = () => [...waiters].forEach((done) => done());

  return {
    id,
    start() {
      if (!stopped) return;
      stopped = false;
      running = Array.from({ length: loops }, () => loop());
    },
    async stop() {
      stopped = true;
      wakeAll();
      await Promise.all(running);
      running = [];
    },
    poke() {
      if (waiters.size > 0) wakeAll();
      else poked = true;
    },
    runOnce,
  };
}
