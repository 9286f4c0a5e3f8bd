import { readFileSync } from 'node:fs';
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
import { benchDatabase } from './database.js';
import type { DatabaseKind } from './database.js';
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
  const ready = await nextMessage<BenchMessage & { pids: number[] }>(server, 'ready', 60_000);
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
      const credited = bisp.count('credited');
      if (credited >= shown + tenth || credited === count) {
        shown = credited;
        log(`events: batch ${credited.toLocaleString('en-US')}/${count.toLocaleString('en-US')} confirmed to BISP (HBL published ${hbl.published.toLocaleString('en-US')}) after ${((performance.now() - started) / 1000).toFixed(0)} s`);
      }
      if (credited === count) break;
      if (failed) throw failed;
      await hbl.settled();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const seconds = (performance.now() - started) / 1000;
    await intake;
    return {
      batch_rows: count,
      batch_s: +seconds.toFixed(1),
      batch_peak_mb: platformPids.reduce((sum, pid) => sum + peakMb(pid), 0),
      batch_rows_per_s: Math.round(count / seconds),
      batch_intake_s: +((intakeDone - started) / 1000).toFixed(1),
      batch_9m_minutes: +((9_000_000 / (count / seconds)) / 60).toFixed(1),
    };
  } finally {
    await endpoints.close();
    await upstreams.close();
    await stopChild(server);
    await database.drop();
  }
}
