import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { reusable, tablesOf } from '../store/index.js';
import type { Connection } from '../store/index.js';
import type { Fact } from './facts.js';
import type { AnalyticsTables, RollupRow } from './tables.js';

export type AnalyticsDb = Kysely<AnalyticsTables>;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** hourly rollups are kept this long; daily ones for ever */
export const HOURLY_KEEP_MS = 7 * DAY_MS;

export const dayOf = (at: number): number => Math.floor(at / DAY_MS) * DAY_MS;
export const hourOf = (at: number): number => Math.floor(at / HOUR_MS) * HOUR_MS;

/** Another module's transaction, seen with the analytics tables only. */
export function analyticsDb(db: Connection): AnalyticsDb {
  return tablesOf<AnalyticsTables>(db);
}

/** The rows facts add to: one per grain and key, counts summed. */
export function rollupRows(facts: readonly Fact[]): RollupRow[] {
  const rows = new Map<string, RollupRow>();
  for (const fact of facts) {
    for (const [grain, period] of [['d', dayOf(fact.at)], ['h', hourOf(fact.at)]] as const) {
      const row: RollupRow = {
        grain,
        period,
        measure: fact.measure,
        member: fact.member,
        peer: fact.peer ?? '',
        dimension: fact.dimension ?? '',
        district: fact.district ?? '',
        n: 1,
        good: fact.good ?? 0,
        ms: Math.round(fact.ms ?? 0),
      };
      const key = [row.grain, row.period, row.measure, row.member, row.peer, row.dimension, row.district].join('\n');
      const seen = rows.get(key);
      if (seen) {
        seen.n += row.n;
        seen.good += row.good;
        seen.ms += row.ms;
      } else rows.set(key, row);
    }
  }
  return [...rows.values()];
}

/** Adds facts to the rollups in the caller's transaction: one upsert statement per chunk. */
export async function addFacts(db: AnalyticsDb, facts: readonly Fact[]): Promise<void> {
  const rows = rollupRows(facts);
  for (let i = 0; i < rows.length; i += 200) await upsertRows(db, rows.slice(i, i + 200));
}

const ROLLUP_COLUMNS = ['grain', 'period', 'measure', 'member', 'peer', 'dimension', 'district', 'n', 'good', 'ms'] as const satisfies ReadonlyArray<keyof RollupRow>;

/** The upsert of `shape` rows, built once per database and row count (an exchange adds the same few rows each time). */
const upsertStatement = reusable((db: AnalyticsDb, value, rows) =>
  db
    .insertInto('analytics_rollups')
    .values(Array.from({ length: rows }, (_, r) => Object.fromEntries(ROLLUP_COLUMNS.map((c, i) => [c, value(r * ROLLUP_COLUMNS.length + i)])) as unknown as RollupRow))
    .onConflict((oc) =>
      oc.columns(['grain', 'period', 'measure', 'member', 'peer', 'dimension', 'district']).doUpdateSet({
        n: sql`analytics_rollups.n + excluded.n`,
        good: sql`analytics_rollups.good + excluded.good`,
        ms: sql`analytics_rollups.ms + excluded.ms`,
      }),
    ),
);

/** One upsert statement: the rows' counts added to those already there. */
export async function upsertRows(db: AnalyticsDb, rows: readonly RollupRow[]): Promise<void> {
  if (rows.length === 0) return;
  await upsertStatement(db, rows.flatMap((row) => ROLLUP_COLUMNS.map((c) => row[c])), rows.length);
}

/** Counts a fact once, however often it arrives: true the first time its key is seen. */
export async function firstTime(db: AnalyticsDb, key: string): Promise<boolean> {
  const inserted = await db.insertInto('analytics_seen').values({ key }).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export interface RollupQuery {
  from: number;
  to: number;
  grain?: 'd' | 'h';
  measures?: readonly string[];
  /** only rows of these members, as member or peer */
  members?: readonly string[];
}

export async function readRollups(db: AnalyticsDb, query: RollupQuery): Promise<RollupRow[]> {
  let select = db
    .selectFrom('analytics_rollups')
    .selectAll()
    .where('grain', '=', query.grain ?? 'd')
    .where('period', '>=', query.grain === 'h' ? hourOf(query.from) : dayOf(query.from))
    .where('period', '<', query.to);
  if (query.measures) select = select.where('measure', 'in', [...query.measures]);
  const members = query.members;
  if (members) select = select.where((eb) => eb.or([eb('member', 'in', [...members]), eb('peer', 'in', [...members])]));
  const rows = await select.orderBy('period').orderBy('measure').orderBy('member').orderBy('peer').orderBy('dimension').orderBy('district').execute();
  return rows.map((r) => ({ ...r, period: Number(r.period), n: Number(r.n), good: Number(r.good), ms: Number(r.ms) }));
}

/** The columns a grouped read keeps; the others are summed over and come back as '' (period: the query's start). */
export type RollupKey = 'period' | 'member' | 'peer' | 'dimension' | 'district';

/**
 * The rollups of a period summed in the database over the columns a view does
 * not need (indicators need no member or peer, only the measure, dimension and
 * district): the database hands back a few rows instead of every pair's.
 */
export async function readGrouped(db: AnalyticsDb, query: RollupQuery, keep: readonly RollupKey[]): Promise<RollupRow[]> {
  const grain = query.grain ?? 'd';
  const from = grain === 'h' ? hourOf(query.from) : dayOf(query.from);
  let select = db
    .selectFrom('analytics_rollups')
    .select(['measure', ...keep])
    .select((eb) => [eb.fn.sum<number | string>('n').as('n'), eb.fn.sum<number | string>('good').as('good'), eb.fn.sum<number | string>('ms').as('ms')])
    .where('grain', '=', grain)
    .where('period', '>=', from)
    .where('period', '<', query.to);
  if (query.measures) select = select.where('measure', 'in', [...query.measures]);
  const members = query.members;
  if (members) select = select.where((eb) => eb.or([eb('member', 'in', [...members]), eb('peer', 'in', [...members])]));
  const rows = await select.groupBy(['measure', ...keep]).execute();
  const kept = new Set<string>(keep);
  return rows.map((r) => {
    const row = r as unknown as Partial<Record<RollupKey, string | number>>;
    return {
      grain,
      period: kept.has('period') ? Number(row.period) : from,
      measure: r.measure,
      member: kept.has('member') ? String(row.member) : '',
      peer: kept.has('peer') ? String(row.peer) : '',
      dimension: kept.has('dimension') ? String(row.dimension) : '',
      district: kept.has('district') ? String(row.district) : '',
      n: Number(r.n),
      good: Number(r.good),
      ms: Number(r.ms),
    };
  });
}

export async function pruneHourly(db: AnalyticsDb, now: number): Promise<void> {
  await db.deleteFrom('analytics_rollups').where('grain', '=', 'h').where('period', '<', hourOf(now - HOURLY_KEEP_MS)).execute();
}
