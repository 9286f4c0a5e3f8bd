import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/index.js';
import { createPlatform } from '../../src/platform/index.js';
import { RabtaClient, fetchInstanceKeys, loadKeyFile, verifyForwarded } from '../../src/sdk/index.js';
import { demoBeneficiaries } from '../../examples/demo/people.js';
import { seedDemo } from '../../examples/demo/seed.js';
import { startUpstreams } from '../../examples/demo/upstreams.js';
import type { PaymentBatch } from '../../examples/demo/upstreams.js';
import { bispSystem } from '../../examples/demo/scenario/bisp.js';
import type { BatchRow } from '../../examples/demo/scenario/bisp.js';
import { hblSystems } from '../../examples/demo/scenario/hbl.js';
import { startWebhookEndpoints } from '../../examples/demo/scenario/receiver.js';
import { declareDisbursementTopics } from '../../examples/demo/scenario/topics.js';
import { sampleCpu } from './cpu.js';
import { benchDatabase } from './database.js';
import type { BenchDatabase, DatabaseKind } from './database.js';
import { forkChild, nextMessage, stopChild } from './processes.js';
import type { BenchMessage } from './processes.js';
import { freePort } from '../../src/platform/testing.js';

const CLUSTER = fileURLToPath(new URL('../servers/cluster.ts', import.meta.url));

export interface BatchFigures {
  batch_rows: number;
  /** BISP's first intake call → BISP holding a webhook-confirmed credit for every row */
  batch_s: number;
  /** the platform processes' peak resident memory (VmHWM), summed over the cluster's workers */
  batch_peak_mb: number;
  batch_rows_per_s: number;
  /** how long BISP's intake calls took, all parts */
  batch_intake_s: number;
  /** the same pace carried to 9 million beneficiaries */
  batch_9m_minutes: number;
  /** rows/s over the first and the last fifth of the confirmed credits: equal when the pace does not fall as the file grows */
  batch_rows_per_s_first20: number;
  batch_rows_per_s_last20: number;
  /** CPU time per row of the platform processes and of the parties (this process): steadier than rows/s on a busy machine */
  batch_platform_cpu_us_per_row: number;
  batch_parties_cpu_us_per_row: number;
  /** delivery attempts that failed (each is retried by the schedule, so a few stall the end of the batch by its delays) */
  batch_failed_attempts: number;
}

/** A synthetic quarter: `count` beneficiaries with distinct, well-formed CNICs. */
function quarterRows(count: number): BatchRow[] {
  const rows: BatchRow[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const digits = `5${String(i).padStart(12, '0')}`;
    rows[i] = { cnic: `${digits.slice(0, 5)}-${digits.slice(5, 12)}-${digits.slice(12)}`, amountPkr: 13_500, district: 'Quetta' };
  }
  return rows;
}

/** The delivery attempts that did not succeed, by outcome, read from the platform's database after the run. */
async function failedAttempts(database: BenchDatabase): Promise<Array<{ status: number | null; error: string | null; n: number }>> {
  const store = await database.openStore();
  try {
    const { rows } = await sql<{ status: number | null; error: string | null; n: number | string }>`SELECT status, error, count(*) AS n FROM event_delivery_attempts WHERE error IS NOT NULL OR status IS NULL OR status >= 300 GROUP BY status, error`.execute(store.db);
    return rows.map((r) => ({ status: r.status, error: r.error, n: Number(r.n) }));
  } finally {
    await store.close();
  }
}

function peakMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/**
 * The disbursement scenario at scale, end to end: the platform in its own
 * processes (as `rabta start --workers N` on one fresh database, SQLite or PostgreSQL, delivery workers
 * and the sequencer running),
 * and in this process the parties of the demo — BISP sending the quarter's
 * batch through the exchange in parts of 5,000 rows, HBL's intake validating
 * every row and publishing one `payment.credited` per row in batch
 * publications, BISP's webhook endpoint verifying each delivery with
 * standardwebhooks. The clock stops when BISP holds a confirmed credit for
 * every row. Beneficiaries here have no registered phone, so no SMS is sent
 * (the notices' cost is the demo's and the scenario test's business).
 */
export async function measureDisbursementBatch(count: number, log: (line: string) => void, workers = 1, kind: DatabaseKind = 'sqlite'): Promise<BatchFigures> {
  const database = await benchDatabase(kind, 'batch');
  const [port, partiesPort] = [await freePort(), await freePort()];
  const env = database.env({ PORT: String(port), RABTA_HOST: '127.0.0.1', RABTA_EGRESS_ALLOW: 'loopback', RABTA_LOG_LEVEL: 'warn' });
  const config = loadConfig(env);
  const setup = await createPlatform(config, { background: false });
  let keyFiles: string[];
  try {
    ({ keyFiles } = await seedDemo(setup, { upstreamBase: `http://127.0.0.1:${partiesPort}`, people: demoBeneficiaries() }));
    await declareDisbursementTopics(setup);
  } finally {
    await setup.close();
  }

  const server = forkChild(CLUSTER, { args: ['gateway', String(workers)], env });
  const ready = await nextMessage<BenchMessage & { pids: number[] }>(server, 'ready', 180_000);
  const platformPids = ready.pids;
  const base = config.publicUrl;
  const exchangeKeys = await fetchInstanceKeys(base);
  const client = async (suffix: string) => {
    const key = await loadKeyFile(keyFiles.find((f) => f.endsWith(suffix)) as string);
    return new RabtaClient({ baseUrl: base, client: key.client, keyId: key.keyId, privateKey: key.privateKey });
  };
  const hbl = hblSystems({ disbursement: await client('HBL-disbursement.json'), complaints: await client('HBL-complaints.json'), agentAreaOf: () => 'Quetta HBL Konnect agents', today: () => '2026-12-01' });
  const upstreams = await startUpstreams({
    port: partiesPort,
    people: [],
    verify: async (request, body) => {
      const verified = await verifyForwarded({ method: request.method ?? 'GET', targetUri: `http://127.0.0.1:${partiesPort}${request.url ?? '/'}`, headers: request.headers, body, exchangeKeys });
      return { client: verified.client, purpose: verified.purpose ?? null, subject: verified.subject ?? null, exchangeId: verified.exchangeId };
    },
    onPaymentBatch: (batch: PaymentBatch) => hbl.creditBatch(batch),
  });
  const endpoints = await startWebhookEndpoints();
  const bisp = bispSystem(await client('BISP-payments.json'));
  try {
    await bisp.subscribe(endpoints);
    const rows = quarterRows(count);
    log(`events: batch of ${count.toLocaleString('en-US')} rows, BISP → HBL → webhooks back to BISP`);
    const tenth = Math.max(1, Math.floor(count / 10));
    let shown = 0;
    const started = performance.now();
    const cpuAt = (pids: number[]) => (sampleCpu(pids)?.ours ?? 0) * 10; // clock ticks of 10 ms
    const cpuStart = { platform: cpuAt(platformPids), parties: cpuAt([process.pid]) };
    // When the confirmed credits passed a fifth and four fifths of the rows: the pace at the start and at the end.
    const fifths: { at: number; credited: number }[] = [];
    let intakeDone = 0;
    const intake = bisp
      .sendBatch('KAF-BENCH-2026-Q4', '2026-Q4', rows, (sent) => {
        if (sent === count) intakeDone = performance.now();
      })
      .then((answers) => {
        const refused = answers.find((a) => a.status !== 202);
        if (refused) throw new Error(`HBL refused part ${refused.batchId}: ${JSON.stringify(refused.rejected.slice(0, 3))}`);
      });
    let failed: unknown;
    intake.catch((error: unknown) => (failed = error));
    for (;;) {
      // Counted as a set's size: filtering a million records four times a second would be the bench's own cost.
      const credited = bisp.creditedOnce;
      if ((fifths.length === 0 && credited >= count / 5) || (fifths.length === 1 && credited >= (4 * count) / 5)) fifths.push({ at: performance.now(), credited });
      if (credited >= shown + tenth || credited === count) {
        shown = credited;
        log(`events: batch ${credited.toLocaleString('en-US')}/${count.toLocaleString('en-US')} confirmed to BISP (HBL published ${hbl.published.toLocaleString('en-US')}) after ${((performance.now() - started) / 1000).toFixed(0)} s`);
      }
      if (credited === count) break;
      if (failed) throw failed;
      await hbl.settled();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const ended = performance.now();
    const seconds = (ended - started) / 1000;
    const cpuUs = (now: number, then: number) => Math.round(((now - then) * 1000) / count);
    const [first = { at: ended, credited: count }, last = first] = fifths;
    const cpuEnd = { platform: cpuAt(platformPids), parties: cpuAt([process.pid]) };
    await intake;
    const failures = await failedAttempts(database);
    for (const f of failures) log(`events: batch: ${f.n.toLocaleString('en-US')} failed delivery attempts (${f.status ?? 'no status'}: ${f.error ?? '-'})`);
    return {
      batch_rows: count,
      batch_s: +seconds.toFixed(1),
      batch_peak_mb: platformPids.reduce((sum, pid) => sum + peakMb(pid), 0),
      batch_rows_per_s: Math.round(count / seconds),
      batch_intake_s: +((intakeDone - started) / 1000).toFixed(1),
      batch_9m_minutes: +((9_000_000 / (count / seconds)) / 60).toFixed(1),
      batch_rows_per_s_first20: Math.round(first.credited / ((first.at - started) / 1000)),
      batch_rows_per_s_last20: Math.round((count - last.credited) / Math.max(0.001, (ended - last.at) / 1000)),
      batch_platform_cpu_us_per_row: cpuUs(cpuEnd.platform, cpuStart.platform),
      batch_parties_cpu_us_per_row: cpuUs(cpuEnd.parties, cpuStart.parties),
      batch_failed_attempts: failures.reduce((sum, f) => sum + f.n, 0),
    };
  } finally {
    await endpoints.close();
    await upstreams.close();
    await stopChild(server);
    await database.drop();
  }
}
