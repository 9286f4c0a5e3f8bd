import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { memberIdOf } from '../core/index.js';
import type { ExchangeGroup, ExchangeGroupQuery } from '../core/index.js';
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

/**
 * The exchange rows of a period summed in the database (one GROUP BY, no row
 * leaves it): what a rebuild of the analytics rollups needs, counts and sums
 * only. A full scan over the table, so a rebuild costs one pass over it.
 */
export async function exchangeGroups(connection: Connection, query: ExchangeGroupQuery): Promise<ExchangeGroup[]> {
  const db = tablesOf<ExchangeTables>(connection);
  const hourly = sql<boolean>`at >= ${query.hourlyFrom}`;
  // Integer division by an integer literal truncates on both databases (`at` is a non-negative integer).
  const period = sql<number>`case when ${hourly} then (at / 3600000) * 3600000 else (at / 86400000) * 86400000 end`;
  const bucket = query.bounds.length
    ? sql<number>`case ${sql.join(
        query.bounds.map((b, i) => sql`when duration_ms <= ${sql.lit(b)} then ${sql.lit(i)}`),
        sql` `,
      )} else ${sql.lit(query.bounds.length)} end`
    : sql<number>`0`;
  const grain = sql<string>`case when ${hourly} then 'h' else 'd' end`;
  const rows = await db
    .selectFrom('exchanges')
    .select([
      grain.as('grain'),
      period.as('period'),
      'client_id',
      'service_id',
      'outcome',
      bucket.as('bucket'),
      (eb) => eb.fn.countAll<number | string>().as('n'),
      (eb) => eb.fn.sum<number | string>('duration_ms').as('ms'),
    ])
    .where('at', '>=', query.from)
    .where('at', '<', query.to)
    .groupBy([sql`1`, sql`2`, 'client_id', 'service_id', 'outcome', sql`6`])
    .execute();
  return rows.map((r) => ({ grain: r.grain === 'h' ? 'h' : 'd', period: Number(r.period), client_id: r.client_id, service_id: r.service_id, outcome: r.outcome, bucket: Number(r.bucket), n: Number(r.n), ms: Number(r.ms) }));
}
