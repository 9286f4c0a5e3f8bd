import { sql } from 'kysely';
import { memberIdOf } from '../core/index.js';
import type { ExchangeGroup, ExchangeGroupQuery } from '../core/index.js';
import type { Connection, StoreDialect } from '../store/index.js';
import { LATENCY_BUCKETS_MS } from './facts.js';
import { analyticsDb, dayOf, HOURLY_KEEP_MS, hourOf, upsertRows } from './rollups.js';
import type { AnalyticsDb } from './rollups.js';
import type { RollupRow } from './tables.js';

/** The exchange module's `exchangeGroups`, injected: analytics does not import exchange. */
export type ExchangeGroupSource = (db: Connection, query: ExchangeGroupQuery) => Promise<ExchangeGroup[]>;

export interface RebuildProgress {
  stage: 'scan' | 'write' | 'done';
  /** rollup rows written so far, of total */
  done: number;
  total: number;
}

export interface RebuildOptions {
  /** first instant (rounded down to its UTC day); default: the beginning */
  from?: number;
  /** end (rounded up to a UTC day); default: the end of today */
  to?: number;
  onProgress?: (progress: RebuildProgress) => void;
}

export interface RebuildResult {
  from: number;
  to: number;
  /** the groups the database summed the exchange rows into */
  groups: number;
  /** the exchange rows they hold */
  exchanges: number;
  rows: number;
}

const DAY_MS = 86_400_000;
export const EXCHANGE_MEASURES = ['exchange.call', 'exchange.latency', 'exchange.refused'] as const;
const WRITE_CHUNK = 500;

/**
 * The rollup rows the groups stand for: exactly what `exchangeFacts` makes of
 * each of their rows, summed (a call per service, a latency bucket, a refusal
 * by outcome), day rows for every group and hour rows for the recent ones.
 */
export function groupRows(groups: readonly ExchangeGroup[]): RollupRow[] {
  const members = new Map<string, string>();
  const memberOf = (id: string) => members.get(id) ?? members.set(id, memberIdOf(id)).get(id) ?? '';
  const rows = new Map<string, RollupRow>();
  const add = (grain: 'd' | 'h', period: number, measure: string, member: string, peer: string, dimension: string, n: number, good: number, ms: number) => {
    const key = `${grain}|${period}|${measure}|${member}|${peer}|${dimension}`;
    const seen = rows.get(key);
    if (seen) {
      seen.n += n;
      seen.good += good;
      seen.ms += ms;
    } else rows.set(key, { grain, period, measure, member, peer, dimension, district: '', n, good, ms });
  };
  for (const g of groups) {
    const member = memberOf(g.client_id);
    const peer = memberOf(g.service_id);
    const ok = g.outcome === 'ok';
    const bound = LATENCY_BUCKETS_MS[g.bucket];
    const bucket = bound === undefined ? 'le:inf' : `le:${bound}`;
    for (const [grain, period] of g.grain === 'h' ? ([['d', dayOf(g.period)], ['h', g.period]] as const) : ([['d', dayOf(g.period)]] as const)) {
      add(grain, period, 'exchange.call', member, peer, g.service_id, g.n, ok ? g.n : 0, g.ms);
      add(grain, period, 'exchange.latency', member, peer, bucket, g.n, 0, 0);
      if (!ok) add(grain, period, 'exchange.refused', member, peer, g.outcome, g.n, 0, 0);
    }
  }
  return [...rows.values()];
}

/**
 * Rebuilds the exchange rollups of whole UTC days from the raw exchange rows:
 * the database sums the rows (one GROUP BY per period, client, service,
 * outcome and latency bucket), and the few groups replace the period's
 * exchange rollups — the same rows the incremental path leaves once the
 * hourly ones older than a week are pruned. One transaction that first takes
 * the rollups away from writers (PostgreSQL: an EXCLUSIVE table lock, which
 * waits for the writers in flight and holds new ones back until the rebuild
 * commits; SQLite writes one at a time anyway), so a row written meanwhile is
 * counted exactly once.
 */
export async function rebuildExchangeRollups(db: AnalyticsDb, dialect: StoreDialect, source: ExchangeGroupSource, now: number, options: RebuildOptions = {}): Promise<RebuildResult> {
  const from = dayOf(options.from ?? 0);
  const to = dayOf((options.to ?? now) - 1) + DAY_MS;
  const progress = options.onProgress ?? (() => undefined);
  return db.transaction().execute(async (trx) => {
    if (dialect.name === 'postgres') await sql`lock table analytics_rollups in exclusive mode`.execute(trx);
    await trx
      .deleteFrom('analytics_rollups')
      .where('grain', 'in', ['d', 'h'])
      .where('period', '>=', from)
      .where('period', '<', to)
      .where('measure', 'in', [...EXCHANGE_MEASURES])
      .execute();
    progress({ stage: 'scan', done: 0, total: 0 });
    const groups = await source(trx, { from, to, hourlyFrom: Math.max(from, hourOf(now - HOURLY_KEEP_MS)), bounds: LATENCY_BUCKETS_MS });
    const rows = groupRows(groups);
    progress({ stage: 'write', done: 0, total: rows.length });
    for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
      await upsertRows(analyticsDb(trx), rows.slice(i, i + WRITE_CHUNK));
      progress({ stage: 'write', done: Math.min(rows.length, i + WRITE_CHUNK), total: rows.length });
    }
    progress({ stage: 'done', done: rows.length, total: rows.length });
    return { from, to, groups: groups.length, exchanges: groups.reduce((s, g) => s + g.n, 0), rows: rows.length };
  });
}
