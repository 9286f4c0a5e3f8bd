import type { Kysely } from 'kysely';
import type { LockLease, LockOptions, StoreDialect } from './dialect.js';
import { LockLost } from './errors.js';

/**
 * What one database does with a lease row in `store_locks`; the loop around it
 * (one run at a time per process, renewal while the holder works, release or
 * keep afterwards) is the same for every database and lives in `leaseLocks`.
 */
export interface LeaseRows {
  /** takes the row when it is free, lapsed or already ours; false when another live holder has it */
  take(name: string): Promise<boolean>;
  renew(name: string): Promise<void>;
  release(name: string): Promise<void>;
  /**
   * Inside the caller's transaction: extends the lease if still ours and keeps
   * it from changing hands until that transaction ends; false if it lapsed.
   */
  // Kysely<any>: the lock table is the store's own and in no module's schema.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  fence(trx: Kysely<any>, name: string): Promise<boolean>;
  /** how often a live holder renews: a fraction of the lease, so it never lapses while the holder lives */
  readonly renewEveryMs: number;
}

export function leaseLocks(rows: LeaseRows): Pick<StoreDialect, 'tryWithLock' | 'releaseLocks'> {
  const kept = new Set<string>();
  const running = new Set<string>();

  /** when each kept lock was last confirmed ours, by a take or a fence */
  const confirmed = new Map<string, number>();

  async function enter(name: string, keep: boolean): Promise<boolean> {
    // The lease names this process, so two runs in it would both pass the row: one at a time here too.
    if (running.has(name)) return false;
    running.add(name);
    // A kept lock confirmed ours less than a renewal ago has most of its lease left: skip the round trip
    // (a write, and on SQLite an fsync). Its holder fences in its own transaction, which is the guarantee.
    if (keep && Date.now() - (confirmed.get(name) ?? -Infinity) < rows.renewEveryMs) return true;
    try {
      if (await rows.take(name)) {
        if (keep) confirmed.set(name, Date.now());
        return true;
      }
    } catch (error) {
      running.delete(name);
      throw error;
    }
    confirmed.delete(name);
    running.delete(name);
    return false;
  }

  return {
    async tryWithLock<T>(name: string, fn: (lease: LockLease) => Promise<T>, options: LockOptions = {}): Promise<T | undefined> {
      const keep = options.keep === true;
      if (!(await enter(name, keep))) return undefined;
      if (keep) kept.add(name);
      const lease: LockLease = {
        async fence(trx) {
          const at = Date.now();
          if (!(await rows.fence(trx, name))) {
            confirmed.delete(name);
            throw new LockLost(name);
          }
          if (keep) confirmed.set(name, at);
        },
      };
      const timer = setInterval(() => void rows.renew(name).catch(() => undefined), rows.renewEveryMs);
      try {
        return await fn(lease);
      } finally {
        clearInterval(timer);
        if (!options.keep) await rows.release(name).catch(() => undefined);
        running.delete(name);
      }
    },
    async releaseLocks() {
      // A leader that stops on purpose hands over at once instead of after its lease.
      await Promise.all([...kept].map((name) => rows.release(name).catch(() => undefined)));
      kept.clear();
      confirmed.clear();
    },
  };
}

/** How often a process waiting for a lock another holder has asks again. */
const WAIT_POLL_MS = 200;

/**
 * Runs `fn` under the named lock, waiting while another holder has it: a live
 * holder renews its lease, so the wait lasts as long as its work; a dead one's
 * lapses within a lease.
 */
export async function withLockWaiting<T>(tryWithLock: StoreDialect['tryWithLock'], name: string, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    const ran = await tryWithLock(name, async () => ({ value: await fn() }));
    if (ran) return ran.value;
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
  }
}
