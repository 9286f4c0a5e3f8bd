import { performance } from 'node:perf_hooks';
import { SYSTEM_ACTOR } from '../../src/core/index.js';
import { createAnalytics } from '../../src/analytics/index.js';
import { benchDatabase } from '../lib/database.js';
import type { Section } from '../lib/section.js';
import { fixed } from '../lib/section.js';
import type { AllTables } from '../../test/tables.js';

/**
 * Analytics on SQLite: what the rollups add to each exchange row written (one
 * transaction per row, with and without them), dashboard queries over the
 * rollups (30 days of indicators), and the rollup rate of a rebuild, measured
 * over REBUILD rows (summed in memory per batch, as a rebuild does) and extrapolated to 10,000,000 (a 10M-row run does not fit
 * the bench's one-minute budget on a shared machine).
 */
const WRITES = 3000;
const REBUILD = 200_000;
const QUERIES = 40;
const DAY = 86_400_000;

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
      const analytics = createAnalytics({ db: store.tables(), dialect: store.dialect, publicUrl: 'http://bench', now: () => now, ledger: { append: async () => undefined, receipt: async () => undefined, keys: async () => ({ logVkey: '', witnessVkeys: [] }) } });
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
      log(`analytics: a rebuild's rollups of ${REBUILD} rows, 10,000 rows a transaction`);
      const rebuildStart = performance.now();
      for (let i = 0; i < REBUILD; i += 10_000) {
        const batch = Array.from({ length: 10_000 }, (_, k) => record(i + k, now - ((i + k) % 90) * DAY));
        await store.tables<AllTables>().transaction().execute((trx) => analytics.recordExchanges(trx, batch));
      }
      const rebuildS = (performance.now() - rebuildStart) / 1000;
      const times: number[] = [];
      for (let q = 0; q < QUERIES; q++) {
        const start = performance.now();
        await analytics.indicators(SYSTEM_ACTOR, { from: now - 30 * DAY, to: now + DAY });
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      const p95 = times[Math.ceil(0.95 * times.length) - 1] as number;
      const json = {
        analytics: {
          rollup_cost_ratio: Number(fixed(rolled / bare, 2)),
          write_ms_without_rollups: Number(fixed(bare, 3)),
          write_ms_with_rollups: Number(fixed(rolled, 3)),
          rebuild_rows_measured: REBUILD,
          rebuild_s_10m: Number(fixed((rebuildS * 10_000_000) / REBUILD, 1)),
          rebuild_s_10m_extrapolated: true,
          query_p95_ms: Number(fixed(p95, 1)),
        },
      };
      return {
        database: database.kind,
        json,
        report: [
          `Analytics (${database.kind === 'sqlite' ? 'SQLite' : database.durability}, one transaction per exchange row)`,
          `  a row with its rollups costs ${fixed(rolled / bare, 2)}× a row alone (${fixed(rolled, 3)} vs ${fixed(bare, 3)} ms)`,
          `  rollups at ${fixed(REBUILD / rebuildS, 0)} rows/s → ${fixed((rebuildS * 10_000_000) / REBUILD, 1)} s for 10M rows (extrapolated from ${REBUILD})`,
          `  30 days of indicators from the rollups: p95 ${fixed(p95, 1)} ms over ${QUERIES} queries`,
        ],
      };
    } finally {
      await store.close();
      await database.drop();
    }
  },
};
