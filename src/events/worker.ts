import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { sql } from 'kysely';
import { attemptDelivery, envelopeOf } from './delivery.js';
import type { AttemptOutcome } from './delivery.js';
import { DEFAULT_SCHEDULE_MS } from './schedule.js';
import type { RetryPolicy } from './schedule.js';
import { recordFailure, settle, writeDelivered } from './delivery-outcomes.js';
import type { Claimed, Delivered, WorkerContext, WorkerDeps } from './delivery-outcomes.js';

export type { WorkerDeps } from './delivery-outcomes.js';

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
  const settings = settingsOf(deps, options);
  const { id, timeoutMs, batchSize, concurrency, minClaim, loops, pollMs } = settings;
  const context: WorkerContext & WorkerSettings = { deps, ...settings };
  const delivered: Delivered[] = [];
  let stopped = true;
  let running: Promise<void>[] = [];
  const waiters = new Set<() => void>();
  let poked = false;

  async function runOnce(): Promise<number> {
    const ids = await claimDue(context, batchSize);
    if (ids.length === 0) return 0;
    const claimed = await loadClaimed(context, ids);
    await Promise.all(claimed.map((delivery) => handle(delivery).catch(deps.onError)));
    return claimed.length;
  }

  async function handle(delivery: Claimed): Promise<void> {
    if (delivery.subscription_status !== 'active' || delivery.url === null || delivery.secret === null) {
      // Disabling or deleting settles pending deliveries in its own transaction; this catches one claimed just before.
      await deps.batch.run((trx) => settle(context, trx, delivery, delivery.subscription_status === 'deleted' ? 'cancelled' : 'dead', `subscription-${delivery.subscription_status}`));
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
    const notice = await deps.batch.run((trx) => recordFailure(context, trx, delivery, outcome));
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
        .run((trx) => writeDelivered(context, trx, (group ??= delivered.splice(0))))
        .then(
          () => group?.forEach((d) => d.resolve()),
          (error: unknown) => (group ?? delivered.splice(0)).forEach((d) => d.reject(error)),
        );
    });
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
        const ids = await claimDue(context, wanted);
        claimed = ids.length === 0 ? [] : await loadClaimed(context, ids);
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

type WorkerSettings = ReturnType<typeof settingsOf>;

/** The worker's options with their defaults filled in. */
function settingsOf(deps: WorkerDeps, options: WorkerOptions) {
  const policy: RetryPolicy = {
    schedule: options.schedule ?? DEFAULT_SCHEDULE_MS,
    jitter: options.jitter ?? 0.2,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 24 * 3600_000,
  };
  if (policy.schedule.length === 0) throw new TypeError('a retry schedule has at least one attempt');
  const timeoutMs = options.timeoutMs ?? 15_000;
  const batchSize = options.batchSize ?? 64;
  const concurrency = Math.max(1, options.concurrency ?? 4 * batchSize);
  return {
    id: options.workerId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    policy,
    timeoutMs,
    leaseMs: options.leaseMs ?? 2 * timeoutMs + 30_000,
    batchSize,
    concurrency,
    // Claims smaller than this wait for more room: a claim is a write, not worth making for a handful.
    minClaim: Math.max(1, Math.min(batchSize, Math.ceil(concurrency / 2))),
    pollMs: options.pollMs ?? 250,
    loops: deps.dialect.supportsSkipLocked ? Math.max(1, options.loops ?? 2) : 1,
    disableAfterDead: options.disableAfterDeadLetters ?? 5,
    disableAfterFailingMs: options.disableAfterFailingMs ?? 24 * 3600_000,
  };
}

/**
 * Claims up to `limit` due deliveries by setting this worker's lease on them
 * in one statement (under FOR UPDATE SKIP LOCKED where the database has it);
 * a delivery waits while an earlier one of its ordering key is pending.
 */
async function claimDue(context: WorkerContext & { leaseMs: number }, limit: number): Promise<number[]> {
  const { deps, id, leaseMs } = context;
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

/** The claimed deliveries with their event and subscription, as long as the lease is still this worker's. */
async function loadClaimed({ deps, id }: WorkerContext, ids: number[]): Promise<Claimed[]> {
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
