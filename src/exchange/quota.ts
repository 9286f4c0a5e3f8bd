import type { Kysely } from 'kysely';
import { RabtaError } from '../core/index.js';
import { reusable } from '../store/index.js';
import type { ExchangeTables } from './tables.js';

const countCall = reusable((db: Kysely<ExchangeTables>, value) =>
  db
    .insertInto('quota_counters')
    .values({ client_id: value(0), service_id: value(1), window_start: value(2), count: 1 })
    .onConflict((oc) => oc.columns(['client_id', 'service_id', 'window_start']).doUpdateSet((eb) => ({ count: eb('quota_counters.count', '+', 1) })))
    .returning('count'),
);

const WINDOW_MS = 60_000;

/**
 * Counts a call against the client's per-minute quota on a service. The
 * counter is one atomic upsert, so every node counts against the same number.
 */
export async function takeQuota(db: Kysely<ExchangeTables>, clientId: string, serviceId: string, perMinute: number, now: number): Promise<void> {
  const windowStart = now - (now % WINDOW_MS);
  const row = (await countCall(db, [clientId, serviceId, windowStart])).rows[0];
  if (!row) throw new Error('the quota upsert returned no row');
  if (Number(row.count) > perMinute) {
    const retryAfter = Math.ceil((windowStart + WINDOW_MS - now) / 1000);
    throw new RabtaError('quota-exceeded', `${clientId} may call ${serviceId} ${perMinute} times a minute`, {
      headers: { 'retry-after': String(retryAfter) },
      extensions: { limit: perMinute, retryAfter },
    });
  }
}

export async function forgetOldQuotaWindows(db: Kysely<ExchangeTables>, now: number): Promise<void> {
  await db.deleteFrom('quota_counters').where('window_start', '<', now - 2 * WINDOW_MS).execute();
}
