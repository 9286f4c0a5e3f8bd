import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { SYSTEM_ACTOR } from '../../src/core/index.js';
import { createAnalytics } from '../../src/analytics/index.js';
import { exchangeGroups } from '../../src/exchange/index.js';
import { benchDatabase } from '../lib/database.js';
import type { Section } from '../lib/section.js';
import { BenchFailure, fixed } from '../lib/section.js';
import type { AllTables } from '../../test/tables.js';
import type { Store } from '../../src/store/index.js';

/**
 * Analytics on SQLite: what the rollups add to each exchange row written (one
 * transaction per row, with and without them), a real rebuild of the exchange
 * rollups from `--rebuild-rows` raw exchange rows (default 10,000,000,
 * generated in the database by a recursive CTE, a million per statement), and
 * dashboard queries over the rollups (30 days of indicators, 30 daily series,
 * places). When generating the rows would take longer than GENERATE_BUDGET_S,
 * generation stops at the last whole million and the 10M figure is
 * extrapolated from the rows measured (and says so).
 */
const WRITES = 3000;
const QUERIES = 40;
const DAY = 86_400_000;
const GENERATE_CHUNK = 1_000_000;
const GENERATE_BUDGET_S = 240;

/** `count` exchange rows from `first` on, spread over the 90 days before `now`, without leaving the database (the casts: PostgreSQL types an untyped parameter as text). */
async function generateExchanges(store: Store, first: number, count: number, now: number): Promise<void> {
  await sql`
    insert into exchanges (id, at, client_id, service_id, method, path, purpose, legal_basis, subjects, key_id, status, outcome, request_bytes, response_bytes, request_digest, response_digest, duration_ms)
    with recursive c(i) as (select cast(${first} as bigint) union all select i + 1 from c where i < ${first + count - 1})
    select 'g-' || i, cast(${now} as bigint) - ((i * 7919) % ${90 * DAY}), 'PK/BANK/B' || (i % 20) || '/app', 'PK/GOV/G' || (i % 7) || '/svc/status', 'GET', '/', null, null, null, 'k', 200,
      case when i % 17 = 0 then 'upstream-error' else 'ok' end, 0, 100, null, null, (i * 37) % 700
    from c`.execute(store.tables());
}

function record(i: number, at: number) {
  return {
    id: `b-${i}`,
    at,
    client_id: `PK/BANK/B${i % 20}/app`,
    service_id: `PK/GOV/G${i % 7}/svc/status`,
    method: 'GET',
    path: '/',
    purpose: null,
    legal_basis: null,
    subjects: null,
    key_id: 'k',
    status: 200,
    outcome: i % 17 === 0 ? 'upstream-error' : 'ok',
    request_bytes: 0,
    response_bytes: 100,
    request_digest: null,
    response_digest: null,
    duration_ms: (i * 37) % 700,
  };
}

export const analyticsSection: Section = {
  name: 'analytics',
  async run({ args, log }) {
    const database = await benchDatabase(args.database, 'analytics');
    const store = await database.openStore({ sqliteSynchronous: 'NORMAL' });
    try {
      const now = Date.UTC(2026, 5, 1);
      const analytics = createAnalytics({ db: store.tables(), dialect: store.dialect, publicUrl: 'http://bench', now: () => now, exchangeGroups, ledger: { append: async () => undefined, receipt: async () => undefined, keys: async () => ({ logVkey: '', witnessVkeys: [] }) } });
      const timeWrites = async (withRollups: boolean, offset: number) => {
        const start = performance.now();
        for (let i = 0; i < WRITES; i++) {
          const r = record(offset + i, now - (i % 90) * DAY);
          await store.tables<AllTables>().transaction().execute(async (trx) => {
            await trx.insertInto('exchanges').values(r).execute();
            if (withRollups) await analytics.recordExchange(trx, r);
          });
        }
        return (performance.now() - start) / WRITES;
      };
      log(`analytics: ${WRITES} exchange rows without and with rollups`);
      const bare = await timeWrites(false, 0);
      const rolled = await timeWrites(true, WRITES);
      const target = args.rebuildRows;
      log(`analytics: generating ${target.toLocaleString('en-US')} raw exchange rows in the database`);
      const generateStart = performance.now();
      let generated = 0;
      while (generated < target && (performance.now() - generateStart) / 1000 < GENERATE_BUDGET_S) {
        const count = Math.min(GENERATE_CHUNK, target - generated);
        await generateExchanges(store, generated, count, now);
        generated += count;
        log(`analytics: ${generated.toLocaleString('en-US')} rows (${fixed((performance.now() - generateStart) / 1000, 0)} s)`);
      }
      const rows = generated + 2 * WRITES;
      log(`analytics: rebuilding the exchange rollups from ${rows.toLocaleString('en-US')} rows`);
      const rebuildStart = performance.now();
      const rebuilt = await analytics.rebuild({ to: now + DAY });
      const rebuildS = (performance.now() - rebuildStart) / 1000;
      if (rebuilt.exchanges !== rows) throw new BenchFailure(`the rebuild read ${rebuilt.exchanges} rows of ${rows}`);
      const measured = rows >= 10_000_000;
      const rebuild10m = measured ? rebuildS : (rebuildS * 10_000_000) / rows;
      const period = { from: now - 30 * DAY, to: now + DAY };
      const queries: Record<string, () => Promise<unknown>> = {
        indicators: () => analytics.indicators(SYSTEM_ACTOR, period),
        series: () => analytics.series(SYSTEM_ACTOR, period, 'd'),
        places: () => analytics.places(period),
        member: () => analytics.indicators(SYSTEM_ACTOR, period, 'PK/BANK/B3'),
      };
      const p95s: Record<string, number> = {};
      for (const [name, query] of Object.entries(queries)) {
        const times: number[] = [];
        for (let q = 0; q < QUERIES; q++) {
          const start = performance.now();
          await query();
          times.push(performance.now() - start);
        }
        times.sort((a, b) => a - b);
        p95s[name] = times[Math.ceil(0.95 * times.length) - 1] as number;
      }
      const p95 = p95s.indicators as number;
      const json = {
        analytics: {
          rollup_cost_ratio: Number(fixed(rolled / bare, 2)),
          write_ms_without_rollups: Number(fixed(bare, 3)),
          write_ms_with_rollups: Number(fixed(rolled, 3)),
          rebuild_rows_measured: rows,
          rebuild_s_measured: Number(fixed(rebuildS, 1)),
          rebuild_groups: rebuilt.groups,
          rebuild_s_10m: Number(fixed(rebuild10m, 1)),
          rebuild_s_10m_extrapolated: !measured,
          generate_s: Number(fixed((performance.now() - generateStart) / 1000 - rebuildS, 1)),
          query_p95_ms: Number(fixed(p95, 1)),
          query_p95_ms_by_view: Object.fromEntries(Object.entries(p95s).map(([k, v]) => [k, Number(fixed(v, 1))])),
        },
      };
      return {
        database: database.kind,
        json,
        report: [
          `Analytics (${database.kind === 'sqlite' ? 'SQLite' : database.durability}, one transaction per exchange row)`,
          `  a row with its rollups costs ${fixed(rolled / bare, 2)}× a row alone (${fixed(rolled, 3)} vs ${fixed(bare, 3)} ms)`,
          measured
            ? `  rebuild of the exchange rollups from ${rows.toLocaleString('en-US')} raw rows: ${fixed(rebuildS, 1)} s (${rebuilt.groups} groups)`
            : `  rebuild of the exchange rollups from ${rows.toLocaleString('en-US')} raw rows: ${fixed(rebuildS, 1)} s (${rebuilt.groups} groups) → ${fixed(rebuild10m, 1)} s for 10M (extrapolated: generating 10M rows did not fit ${GENERATE_BUDGET_S} s)`,
          `  30 days from the rollups, p95 over ${QUERIES} queries: ${Object.entries(p95s).map(([k, v]) => `${k} ${fixed(v, 1)} ms`).join(', ')}`,
        ],
      };
    } finally {
      await store.close();
      await database.drop();
    }
  },
};
