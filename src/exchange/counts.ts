import type { Kysely } from 'kysely';
import { memberIdOf } from '../core/index.js';
import type { ExchangeTables } from './tables.js';
import { tablesOf } from '../store/index.js';
import type { Connection } from '../store/index.js';

/**
 * How many exchanges each institution asked of each other: the public
 * dashboard's figure until the analytics rollups exist. Counts only, by
 * member pair; nothing about subjects.
 */
export async function exchangeCountsByMembers(db: Kysely<ExchangeTables>): Promise<Array<{ client: string; provider: string; count: number }>> {
  const rows = await db
    .selectFrom('exchanges')
    .select(['client_id', 'service_id', (eb) => eb.fn.countAll<number | string>().as('n')])
    .groupBy(['client_id', 'service_id'])
    .execute();
  const pairs = new Map<string, { client: string; provider: string; count: number }>();
  for (const row of rows) {
    const client = memberIdOf(row.client_id);
    const provider = memberIdOf(row.service_id);
    const key = `${client}\n${provider}`;
    const pair = pairs.get(key) ?? { client, provider, count: 0 };
    pair.count += Number(row.n);
    pairs.set(key, pair);
  }
  return [...pairs.values()].sort((a, b) => b.count - a.count || a.client.localeCompare(b.client) || a.provider.localeCompare(b.provider));
}

/** Calls a provider failed (5xx, timeouts) between two times (Unix ms), per service: the anomaly series' points. */
export async function exchangeErrorsBetween(connection: Connection, from: number, to: number): Promise<Array<{ serviceId: string; at: number }>> {
  const rows = await tablesOf<ExchangeTables>(connection).selectFrom('exchanges').select(['service_id', 'at']).where('at', '>=', from).where('at', '<=', to).where('status', '>=', 500).execute();
  return rows.map((r) => ({ serviceId: r.service_id, at: r.at }));
}
