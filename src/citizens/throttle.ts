import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CitizensTables } from './tables.js';

/**
 * Fixed-window counters in the shared database, so every node counts against
 * the same number. Keys are keyed hashes: the table says how often something
 * happened, not to which CNIC, phone or address.
 */
export interface Throttle {
  /** counts one event; returns undefined if every limit holds, else the seconds until the tightest one resets */
  hit(scope: string, value: string, limits: Array<[number, number]>): Promise<number | undefined>;
}

export function createThrottle(db: Kysely<CitizensTables>, secret: Buffer, now: () => number): Throttle {
  const keyOf = (scope: string, value: string) => `${scope}:${createHmac('sha256', secret).update(`${scope}\0${value}`).digest('base64url').slice(0, 32)}`;
  return {
    async hit(scope, value, limits) {
      const at = now();
      let wait: number | undefined;
      for (const [limit, windowMs] of limits) {
        const windowStart = at - (at % windowMs);
        const row = await db
          .insertInto('citizen_rate_counters')
          .values({ key: `${keyOf(scope, value)}:${windowMs}`, window_start: windowStart, count: 1 })
          .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet((eb) => ({ count: eb('citizen_rate_counters.count', '+', 1) })))
          .returning('count')
          .executeTakeFirstOrThrow();
        if (row.count > limit) wait = Math.max(wait ?? 0, Math.ceil((windowStart + windowMs - at) / 1000));
      }
      return wait;
    },
  };
}

export async function forgetOldWindows(db: Kysely<CitizensTables>, before: number): Promise<void> {
  await db.deleteFrom('citizen_rate_counters').where('window_start', '<', before).execute();
}
