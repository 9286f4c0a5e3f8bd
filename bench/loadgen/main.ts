import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { typeScriptWorker } from '../../src/core/index.js';
import { MAX_WINDOW } from '../../src/sdk/index.js';
import { childOfBench, reportFatal } from '../lib/processes.js';
import type { BenchMessage } from '../lib/processes.js';
import type { SignJob, SignedBatch } from './signer.js';

/**
 * The load generator, in its own process, the same for the gateway and the
 * baseline: an undici Pool of C keep-alive connections, C request loops (a
 * closed loop: each connection has one request in flight), every request
 * signed with its own nonce.
 *
 * Signing happens before the clock starts, not during the run: on two cores,
 * a signing thread would take CPU from the server being measured, and the
 * load generator's own Ed25519 would cap what it can offer. The signatures
 * are made for the profile's maximum window (300 s), which a run stays well
 * inside. How many: an initial batch feeds the warm-up, which then goes on
 * in one-second windows until the rate is steady; whenever what is in hand
 * would not cover 1.5 times the measured period at that rate, more are
 * signed (one thread per core, the server idle meanwhile). Should the server still outrun them, the measured
 * period ends early (reported as truncated) rather than reuse a nonce or sign
 * in the loop.
 */

export interface LoadConfig {
  label: string;
  origin: string;
  path: string;
  /** the @target-uri the server rebuilds from its public URL */
  targetUri: string;
  headers: Record<string, string>;
  keyId: string;
  privateKeyPem: string;
  connections: number;
  warmupS: number;
  durationS: number;
}

export interface LoadResult {
  label: string;
  /** measured period only */
  requests: number;
  elapsedS: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  mean_ms: number;
  max_ms: number;
  /** every phase, warm-up included */
  total: { sent: number; ok: number; non2xx: number; errors: number };
  firstProblems: Array<{ status: number; body: string }>;
  firstErrors: string[];
  presigned: number;
  signingS: number;
  truncated: boolean;
}

const INITIAL_BATCH = 8_000;
const RATE_WINDOW_S = 1;
/** a window within 10% of the one before counts as the steady state */
const STABLE_WITHIN = 1.1;
const MAX_WARMUP_WINDOWS = 12;
/** signatures in hand for the measured period, as a multiple of what the last warm rate needs */
const MARGIN = 1.5;

const log = (line: string) => process.stderr.write(`  loadgen: ${line}\n`);

class SignaturePool {
  readonly signatureInput: string[] = [];
  readonly signature: string[] = [];
  signingMs = 0;
  private readonly prefix = randomBytes(12).toString('base64url');

  constructor(private readonly config: LoadConfig) {}

  get size(): number {
    return this.signature.length;
  }

  /** Signs `count` more, split over one thread per core (the server is idle meanwhile). */
  async grow(count: number): Promise<void> {
    const started = performance.now();
    const threads = Math.max(1, Math.min(availableParallelism(), Math.ceil(count / 1_000)));
    const per = Math.ceil(count / threads);
    const jobs: SignJob[] = [];
    for (let t = 0, from = this.size; t < threads; t++, from += per) {
      jobs.push({
        method: 'GET',
        targetUri: this.config.targetUri,
        headers: this.config.headers,
        keyId: this.config.keyId,
        privateKeyPem: this.config.privateKeyPem,
        expiresIn: MAX_WINDOW,
        noncePrefix: this.prefix,
        from,
        count: Math.min(per, this.size + count - from),
      });
    }
    const batches = await Promise.all(jobs.filter((j) => j.count > 0).map(runSigner));
    for (const batch of batches) {
      for (let i = 0; i < batch.signature.length; i++) {
        this.signatureInput.push(batch.signatureInput[i] as string);
        this.signature.push(batch.signature[i] as string);
      }
    }
    this.signingMs += performance.now() - started;
  }
}

function runSigner(job: SignJob): Promise<SignedBatch> {
  return new Promise((resolve, reject) => {
    const worker = typeScriptWorker(new URL('./signer.ts', import.meta.url), job);
    worker.once('message', (batch: SignedBatch) => resolve(batch));
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`signer exited ${code}`))));
  });
}

async function run(config: LoadConfig): Promise<LoadResult> {
  const signatures = new SignaturePool(config);
  await signatures.grow(INITIAL_BATCH);
  log(`${config.label}: pre-signed ${signatures.size} requests in ${(signatures.signingMs / 1000).toFixed(1)} s`);

  const client = new Pool(config.origin, { connections: config.connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const total = { sent: 0, ok: 0, non2xx: 0, errors: 0 };
  const firstProblems: LoadResult['firstProblems'] = [];
  const firstErrors: string[] = [];
  let cursor = 0;
  let exhausted = false;
  let latencies = new Float64Array(0);
  let measured = 0;

  /** C closed loops until the deadline or the last signature; latencies kept when `record`. */
  const drive = async (seconds: number, record: boolean): Promise<number> => {
    const started = performance.now();
    const deadline = started + seconds * 1000;
    const loop = async () => {
      while (performance.now() < deadline) {
        if (cursor >= signatures.size) {
          exhausted = true;
          return;
        }
        const i = cursor++;
        const headers = { ...config.headers, 'signature-input': signatures.signatureInput[i] as string, signature: signatures.signature[i] as string };
        const t0 = performance.now();
        try {
          const response = await client.request({ path: config.path, method: 'GET', headers });
          const ok = response.statusCode >= 200 && response.statusCode < 300;
          const body = await response.body.text();
          const t1 = performance.now();
          total.sent++;
          if (ok) total.ok++;
          else {
            total.non2xx++;
            if (firstProblems.length < 5) firstProblems.push({ status: response.statusCode, body: body.slice(0, 2_000) });
          }
          if (record) latencies[measured++] = t1 - t0;
        } catch (error) {
          total.sent++;
          total.errors++;
          if (firstErrors.length < 5) firstErrors.push((error as Error).message);
        }
      }
    };
    await Promise.all(Array.from({ length: config.connections }, loop));
    return (performance.now() - started) / 1000;
  };

  // The warm-up goes on in one-second windows until the rate stops rising (a cold gateway
  // takes several seconds to reach its steady rate: JIT, caches, pools) and the signatures in
  // hand cover the measured period at that rate with a margin. Every top-up pauses the load,
  // so the clock only starts right after a window that needed none.
  const early = Math.max(0, config.warmupS - RATE_WINDOW_S);
  if (early > 0) await drive(early, false);
  let previous = 0;
  for (let round = 1; ; round++) {
    if (exhausted || signatures.size - cursor < config.connections) {
      await signatures.grow(INITIAL_BATCH);
      exhausted = false;
    }
    const from = cursor;
    const elapsed = await drive(RATE_WINDOW_S, false);
    const rate = (cursor - from) / elapsed;
    const needed = Math.ceil(rate * config.durationS * MARGIN) + config.connections;
    const available = signatures.size - cursor;
    const stable = previous > 0 && rate < previous * STABLE_WITHIN;
    log(`${config.label}: warm-up window ${round}: ${Math.round(rate)}/s${stable ? ', stable' : ''}${exhausted ? ', ran out of signatures' : ''}, ${available} signatures in hand`);
    previous = rate;
    if ((stable && available >= needed && !exhausted) || round >= MAX_WARMUP_WINDOWS) break;
    if (available < needed || exhausted) {
      // The need plus two more windows' worth: the next window consumes one before the check.
      const more = needed + Math.ceil(2 * rate * RATE_WINDOW_S) - available;
      const before = signatures.signingMs;
      await signatures.grow(more);
      exhausted = false;
      log(`${config.label}: signed ${more} more in ${((signatures.signingMs - before) / 1000).toFixed(1)} s`);
    }
  }
  exhausted = false;
  latencies = new Float64Array(signatures.size - cursor);
  process.send?.({ type: 'phase', phase: 'measure' });
  const elapsedS = await drive(config.durationS, true);
  process.send?.({ type: 'phase', phase: 'measured' });
  if (exhausted) log(`${config.label}: WARNING the pre-signed requests ran out after ${elapsedS.toFixed(1)} s: the measured period is shorter`);
  await client.close();

  const sorted = latencies.subarray(0, measured).sort();
  const at = (q: number) => (measured === 0 ? NaN : (sorted[Math.min(measured - 1, Math.ceil(q * measured) - 1)] as number));
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    label: config.label,
    requests: measured,
    elapsedS,
    rps: measured / elapsedS,
    p50_ms: at(0.5),
    p99_ms: at(0.99),
    mean_ms: measured === 0 ? NaN : sum / measured,
    max_ms: measured === 0 ? NaN : (sorted[measured - 1] as number),
    total,
    firstProblems,
    firstErrors,
    presigned: signatures.size,
    signingS: signatures.signingMs / 1000,
    truncated: exhausted,
  };
}

childOfBench(async () => undefined);
process.on('message', (m: BenchMessage) => {
  if (m?.type !== 'run') return;
  run(m.config as LoadConfig).then(
    (result) => process.send?.({ type: 'result', result }),
    (error: unknown) => reportFatal(error),
  );
});
process.send?.({ type: 'ready' });
