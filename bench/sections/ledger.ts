import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config/index.js';
import { LEAF_KIND } from '../../src/ledger/canonical.js';
import { createPlatform } from '../../src/platform/index.js';
import { nodeHashRate, proofTimes, verifyRate } from '../lib/ledger-scale.js';
import { trackDir } from '../lib/processes.js';
import { fixed, table, whole } from '../lib/section.js';
import type { Section } from '../lib/section.js';
import type { AllTables } from '../../test/tables.js';

const LEAVES = 20_000;
const BATCH = 500;
const LATENCY_SAMPLES = 40;

/**
 * The log's cost: leaves appended (queued in the caller's transaction, then
 * integrated into tiles with a signed checkpoint) per second, against the
 * baseline of inserting the same number of rows of the same size into a plain
 * table of the same database; and how long a leaf waits for its checkpoint
 * while the background sequencer runs.
 */
export const ledgerSection: Section = {
  name: 'ledger',
  async run({ args, log }) {
    const dataDir = trackDir(mkdtempSync(join(tmpdir(), 'rabta-bench-ledger-')));
    const synchronous = process.env.RABTA_SQLITE_SYNCHRONOUS === 'NORMAL' ? 'NORMAL' : 'FULL';
    const config = loadConfig({ RABTA_DATA_DIR: dataDir, RABTA_SQLITE_SYNCHRONOUS: synchronous });
    const platform = await createPlatform(config, { background: false });
    const db = platform.store.tables<AllTables>();
    const record = (i: number) => ({ id: `bench-${i}`, at: Date.now(), client_id: 'PK/BANK/HBL/branch-app', status: 200, subjects: '["0f3a…"]' });
    try {
      await sql`CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, ref TEXT NOT NULL, entry BLOB NOT NULL)`.execute(db);
      log(`ledger: baseline, ${whole(LEAVES)} plain inserts in transactions of ${BATCH}`);
      let started = performance.now();
      for (let i = 0; i < LEAVES; i += BATCH) {
        await db.transaction().execute(async (trx) => {
          for (let j = i; j < i + BATCH; j++) await sql`INSERT INTO bench_rows (ref, entry) VALUES (${`bench-${j}`}, ${Buffer.alloc(42, j % 251)})`.execute(trx);
        });
      }
      const baselineSeconds = (performance.now() - started) / 1000;

      log(`ledger: ${whole(LEAVES)} leaves appended the same way, then integrated and checkpointed`);
      started = performance.now();
      for (let i = 0; i < LEAVES; i += BATCH) {
        await db.transaction().execute(async (trx) => {
          for (let j = i; j < i + BATCH; j++) await platform.ledger.append(trx, { kind: LEAF_KIND.exchange, ref: `bench-${j}`, at: Date.now(), record: record(j) });
        });
      }
      const queuedSeconds = (performance.now() - started) / 1000;
      const integrationStarted = performance.now();
      await platform.ledger.integrate();
      const integrationMs = performance.now() - integrationStarted;
      const ledgerSeconds = (performance.now() - started) / 1000;
      const size = (await platform.ledger.latestCheckpoint())?.size ?? 0;
      if (size < LEAVES) throw new Error(`only ${size} of ${LEAVES} leaves were integrated`);

      log(`ledger: append → checkpoint latency with the background sequencer, ${LATENCY_SAMPLES} samples`);
      platform.ledger.start();
      const latencies: number[] = [];
      for (let i = 0; i < LATENCY_SAMPLES; i++) {
        const before = (await platform.ledger.latestCheckpoint())?.size ?? 0;
        const t0 = performance.now();
        await db.transaction().execute((trx) => platform.ledger.append(trx, { kind: LEAF_KIND.exchange, ref: `latency-${i}`, at: Date.now(), record: record(i) }));
        while (((await platform.ledger.latestCheckpoint())?.size ?? 0) <= before) await new Promise((r) => setTimeout(r, 2));
        latencies.push(performance.now() - t0);
      }
      await platform.ledger.stop();
      latencies.sort((a, b) => a - b);

      log('ledger: SHA-256 interior nodes per second');
      const nodesPerSecond = nodeHashRate();
      const verifyPerSecond = await verifyRate(args.verifyLeaves, log);
      const proofSizes = [...new Set([1_000_000, 10_000_000].filter((n) => n <= args.proofLeaves).concat(args.proofLeaves))].sort((a, b) => a - b);
      log(`ledger: inclusion proofs from the database's tiles at ${proofSizes.map(whole).join(' and ')} leaves`);
      const proofs = await proofTimes(platform, proofSizes, log);
      const proofKeys = Object.fromEntries(
        [...proofs].flatMap(([size, t]) => [
          [`proof_ms_${sizeName(size)}`, +t.p50.toFixed(3)],
          [`proof_p99_ms_${sizeName(size)}`, +t.p99.toFixed(3)],
        ]),
      );
      const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] as number;
      const json = {
        appends_per_s: Math.round(LEAVES / ledgerSeconds),
        queue_appends_per_s: Math.round(LEAVES / queuedSeconds),
        baseline_inserts_per_s: Math.round(LEAVES / baselineSeconds),
        ratio: +(baselineSeconds / ledgerSeconds).toFixed(3),
        append_to_checkpoint_p50_ms: +at(0.5).toFixed(1),
        append_to_checkpoint_p99_ms: +at(0.99).toFixed(1),
        // the poll for other processes' leaves: the bench's own commits wake the sequencer at once
        sequencer_interval_ms: 200,
        integration_ms: +integrationMs.toFixed(1),
        integration_leaves: LEAVES,
        sha256_nodes_per_s: Math.round(nodesPerSecond),
        verify_leaves_per_s: Math.round(verifyPerSecond),
        verify_leaves: args.verifyLeaves,
        ...proofKeys,
        durability: `sqlite WAL synchronous=${synchronous}`,
      };
      return {
        json: { ledger: json },
        report: [
          `ledger (SQLite ${synchronous}, ${whole(LEAVES)} leaves):`,
          ...table(
            ['', 'per second'],
            [
              ['plain inserts (baseline)', whole(json.baseline_inserts_per_s)],
              ['leaves queued', whole(json.queue_appends_per_s)],
              ['leaves queued + integrated + checkpointed', whole(json.appends_per_s)],
            ],
          ),
          `ratio ledger/baseline: ${fixed(json.ratio, 3)}; append → checkpoint p50 ${fixed(json.append_to_checkpoint_p50_ms)} ms, p99 ${fixed(json.append_to_checkpoint_p99_ms)} ms (the sequencer is woken by each commit; it polls every 200 ms for other processes' leaves)`,
          `integration of ${whole(LEAVES)} queued leaves: ${fixed(integrationMs)} ms; SHA-256 nodes: ${whole(nodesPerSecond)}/s; rabta ledger verify: ${whole(verifyPerSecond)} leaves/s on ${whole(args.verifyLeaves)}`,
          ...[...proofs].map(([size, t]) => `inclusion proof at ${whole(size)} leaves (tiles from the database): p50 ${fixed(t.p50, 3)} ms, p99 ${fixed(t.p99, 3)} ms`),
        ],
      };
    } finally {
      await platform.close();
    }
  },
};

/** 1000000 → "1m", 10000000 → "10m", 250000 → "250k". */
function sizeName(size: number): string {
  if (size % 1_000_000 === 0) return `${size / 1_000_000}m`;
  if (size % 1_000 === 0) return `${size / 1_000}k`;
  return String(size);
}
