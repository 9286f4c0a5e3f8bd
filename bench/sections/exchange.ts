import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { RawBuilder } from 'kysely';
import { createBenchInstance, CLIENT_ID, OPEN_SERVICE, PURPOSE, QUOTA_SERVICE } from '../lib/instance.js';
import type { BenchInstance } from '../lib/instance.js';
import type { BenchDatabase } from '../lib/database.js';
import { forkChild, nextMessage, stopChild } from '../lib/processes.js';
import type { BenchMessage } from '../lib/processes.js';
import type { BenchContext, Section } from '../lib/section.js';
import { BenchFailure, fixed, table, whole } from '../lib/section.js';
import { startUpstream } from '../lib/upstream.js';
import type { LoadConfig, LoadResult } from '../loadgen/main.js';
import type { WorkerCounters } from '../servers/counters.js';
import { freePort } from '../../src/platform/testing.js';
import { DISTURBED, disturbance, sampleCpu } from '../lib/cpu.js';
import type { CpuSample, Disturbance } from '../lib/cpu.js';

/**
 * The exchange under load: the bare proxy (baseline), the gateway on a
 * service without quota, the gateway on one with a quota that never refuses,
 * the bare proxy again — against the same upstream, from the same load
 * generator, in this one run.
 */

const CLUSTER = fileURLToPath(new URL('../servers/cluster.ts', import.meta.url));
const LOADGEN = fileURLToPath(new URL('../loadgen/main.ts', import.meta.url));

interface Figures {
  rps: number;
  p50_ms: number;
  p99_ms: number;
}

const figures = (r: LoadResult): Figures => ({ rps: Math.round(r.rps), p50_ms: round2(r.p50_ms), p99_ms: round2(r.p99_ms) });
const round2 = (n: number) => Math.round(n * 100) / 100;

async function startCluster(role: 'gateway' | 'proxy', workers: number, env: NodeJS.ProcessEnv): Promise<ChildProcess & { workerPids: number[] }> {
  const child = forkChild(CLUSTER, { args: [role, String(workers)], env });
  const ready = await nextMessage<BenchMessage & { pids: number[] }>(child, 'ready', 60_000);
  return Object.assign(child, { workerPids: ready.pids });
}

const pidsOf = (cluster: ChildProcess & { workerPids?: number[] }): number[] => [cluster.pid ?? 0, ...(cluster.workerPids ?? [])];

type Measured = LoadResult & { disturbance: Disturbance; counters?: WorkerCounters[] | undefined };

/**
 * One load-generator process for one run. Its marks around the measured
 * period reset and read the gateway's counters and bracket a CPU sample, so
 * both cover exactly that period.
 */
async function load(config: LoadConfig, server: ChildProcess, ourPids: () => number[], onCounters?: (c: WorkerCounters[]) => void): Promise<Measured> {
  const child = forkChild(LOADGEN);
  try {
    await nextMessage(child, 'ready', 30_000);
    let counters: Promise<void> = Promise.resolve();
    let cpuStart: CpuSample | undefined;
    let cpuEnd: CpuSample | undefined;
    const pids = () => [...ourPids(), child.pid ?? 0];
    child.send({ type: 'run', config });
    const { result } = await nextMessage<BenchMessage & { result: LoadResult }>(child, 'result', (config.warmupS + config.durationS) * 1000 + 300_000, (m) => {
      if (m.type !== 'phase') return;
      if (m.phase === 'measure') {
        cpuStart = sampleCpu(pids());
        if (onCounters) server.send({ type: 'counters-reset' });
      }
      if (m.phase === 'measured') {
        cpuEnd = sampleCpu(pids());
        if (onCounters) {
          counters = nextMessage<BenchMessage & { counters: WorkerCounters[] }>(server, 'counters', 10_000).then((reply) => onCounters(reply.counters));
          server.send({ type: 'counters-read' });
        }
      }
    });
    await counters;
    return { ...result, disturbance: disturbance(cpuStart, cpuEnd) };
  } finally {
    await stopChild(child);
  }
}

function requireAllOk(result: LoadResult, what: string): void {
  const { non2xx, errors } = result.total;
  if (non2xx === 0 && errors === 0) return;
  const problems = result.firstProblems.map((p) => `  HTTP ${p.status}: ${p.body}`).join('\n');
  const failures = result.firstErrors.map((e) => `  transport error: ${e}`).join('\n');
  throw new BenchFailure(`${what}: ${non2xx} non-2xx replies and ${errors} transport errors out of ${result.total.sent}; the figure would not be a gateway's throughput.\n${problems}\n${failures}`);
}

/** The file system type under the data dir, for the report: fsync on tmpfs would make the durability figure meaningless. */
function fileSystemOf(path: string): string {
  try {
    const mounts = readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f.length > 2 && path.startsWith(f[1] as string));
    mounts.sort((a, b) => (b[1] as string).length - (a[1] as string).length);
    return mounts[0]?.[2] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** What the database says after the gateway runs: every 2xx recorded, every nonce spent once, every quota call counted; and its size. */
async function checkDatabase(instance: BenchInstance, expected: { recorded: number; nonces: number; quotaCalls: number }): Promise<{ lines: string[]; bytes: number }> {
  const store = await instance.database.openStore();
  try {
    const count = async (query: RawBuilder<{ n: number | string | null }>) => Number((await query.execute(store.db)).rows[0]?.n ?? 0);
    const exchanges = await count(sql`SELECT count(*) AS n FROM exchanges`);
    const notOk = await count(sql`SELECT count(*) AS n FROM exchanges WHERE outcome <> 'ok' OR status <> 200`);
    const nonces = await count(sql`SELECT count(*) AS n FROM nonces`);
    const quota = await count(sql`SELECT sum(count) AS n FROM quota_counters WHERE service_id = ${QUOTA_SERVICE}`);
    const lines = [
      `exchanges recorded ${whole(exchanges)} (expected ${whole(expected.recorded)}, ${notOk} not ok)`,
      `nonces spent ${whole(nonces)} (expected ${whole(expected.nonces)})`,
      `quota counter sum ${whole(quota)} (expected ${whole(expected.quotaCalls)})`,
    ];
    if (exchanges !== expected.recorded || notOk !== 0 || nonces !== expected.nonces || quota !== expected.quotaCalls) {
      throw new BenchFailure(`the database does not match the replies:\n  ${lines.join('\n  ')}`);
    }
    const bytes = instance.database.kind === 'postgres' ? await count(sql`SELECT pg_database_size(current_database()) AS n`) : statSync(join(instance.dataDir, 'rabta.db')).size;
    return { lines, bytes };
  } finally {
    await store.close();
  }
}

/** Milliseconds per request in each part, over all workers; calls per request show the group-commit batch size. */
function breakdown(counters: WorkerCounters[]): { rows: string[][]; json: Record<string, number> } {
  const requests = counters.reduce((s, c) => s + c.requests, 0);
  const per = (x: number) => x / Math.max(1, requests);
  const parts = new Map<string, { ms: number; calls: number; maxMs: number; slow: number }>();
  const addPart = (name: string, t: { ms: number; calls: number; maxMs?: number; slow?: number }) => {
    const p = parts.get(name) ?? { ms: 0, calls: 0, maxMs: 0, slow: 0 };
    p.ms += t.ms;
    p.calls += t.calls;
    p.maxMs = Math.max(p.maxMs, t.maxMs ?? 0);
    p.slow += t.slow ?? 0;
    parts.set(name, p);
  };
  let busy = 0;
  let wall = 0;
  let cpu = 0;
  for (const c of counters) {
    for (const [kind, t] of Object.entries(c.sqlite)) addPart(`sqlite ${kind}`, t);
    addPart('ed25519 sign', c.crypto.sign);
    addPart('ed25519 verify', c.crypto.verify);
    addPart('gc', { ms: c.gcMs, calls: 0 });
    busy += c.busyMs;
    wall += c.wallMs;
    cpu += c.cpuUserMs + c.cpuSystemMs;
  }
  const accounted = [...parts.values()].reduce((s, v) => s + v.ms, 0);
  const sorted = [...parts.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const share = (ms: number) => fixed((100 * ms) / busy, 1);
  const rows = sorted.map(([name, p]) => [name, fixed(per(p.ms), 3), share(p.ms), p.calls ? fixed(per(p.calls), 2) : '', p.calls ? fixed(p.maxMs, 1) : '', p.calls ? whole(p.slow) : '']);
  rows.push(['rest: fastify, kysely, undici, node http, pipeline JS', fixed(per(busy - accounted), 3), share(busy - accounted), '', '', '']);
  rows.push(['= event-loop busy', fixed(per(busy), 3), '100.0', '', '', '']);
  rows.push(['  process CPU (user+system)', fixed(per(cpu), 3), '', '', '', '']);
  rows.push(['  event-loop idle', fixed(per(wall - busy), 3), '', '', '', '']);
  const json: Record<string, number> = { requests };
  const us = (ms: number) => Math.round(per(ms) * 1e6) / 1e3;
  for (const [name, p] of sorted) json[name] = us(p.ms);
  json.rest = us(busy - accounted);
  json.busy = us(busy);
  json.cpu = us(cpu);
  return { rows, json };
}

export const exchangeSection: Section = {
  name: 'exchange',
  async run({ args, log }: BenchContext) {
    // Other work on the machine (a test suite, another bench) moves the gateway's figure far more
    // than the proxy's, and bracketing does not cancel a burst: say so rather than hide it.
    const loadAtStart = loadavg()[0] as number;
    const cores = availableParallelism();
    if (loadAtStart > cores / 2) log(`exchange: WARNING load average ${loadAtStart.toFixed(1)} on ${cores} cores before the run: other work is running, the figures will be low and noisy`);
    const upstream = await startUpstream();
    // Dropped when the section ends, however it ends.
    let database: BenchDatabase | undefined;
    try {
      const gatewayPort = await freePort();
      const proxyPort = await freePort();
      log(`exchange: upstream on ${upstream.url}; setting up an instance`);
      const instance = await createBenchInstance(upstream.url, gatewayPort, args.database);
      database = instance.database;
      const fs = fileSystemOf(instance.dataDir);
      log(`exchange: instance in ${instance.dataDir} (${fs}), ${instance.database.durability}, gateway on :${gatewayPort}`);

      const loadConfig = (label: string, origin: string, serviceId: string): LoadConfig => {
        const path = `/x/${serviceId}/beneficiaries/status`;
        return {
          label,
          origin,
          path,
          targetUri: instance.publicUrl + path,
          headers: { 'rabta-client': CLIENT_ID, 'rabta-purpose': PURPOSE },
          keyId: instance.client.keyId,
          privateKeyPem: instance.client.privateKeyPem,
          connections: args.connections,
          warmupS: args.warmup,
          durationS: args.duration,
        };
      };

      if (args.profileDir) mkdirSync(args.profileDir, { recursive: true });
      const before = new Set(args.profileDir ? readdirSync(args.profileDir) : []);
      log(`exchange: bare proxy on :${proxyPort} and gateway on :${gatewayPort}, ${args.workers} workers each${args.counters ? '; gateway counters on' : ''}${args.profileDir ? `; gateway CPU profiles into ${args.profileDir}` : ''}`);
      // Both clusters stay up for the whole section (an idle one costs nothing), so the
      // baseline can be measured before and after the gateway: the ratio then uses their
      // mean, which cancels a slow drift of the shared machine's speed.
      const proxy = await startCluster('proxy', args.workers, { ...process.env, PORT: String(proxyPort), BENCH_UPSTREAM: upstream.url });
      const gateway = await startCluster('gateway', args.workers, {
        ...instance.env,
        ...(args.counters ? { BENCH_COUNTERS: '1' } : {}),
        ...(args.profileDir ? { BENCH_PROFILE_DIR: args.profileDir } : {}),
      });
      // The upstream runs in this process, so it counts as the bench's.
      const ourPids = () => [process.pid, ...pidsOf(proxy), ...pidsOf(gateway)];
      // What every gateway attempt (a repeated one too) left in the database, for the checks.
      const sent = { gateway: 0, gatewayOk: 0, quota: 0, quotaOk: 0 };
      /** A run, repeated while other work took more than DISTURBED of the machine (at most --retries times); the least disturbed one counts. */
      const measure = async (label: string, attempt: () => Promise<Measured>) => {
        let best: Measured | undefined;
        for (let i = 0; i <= args.retries; i++) {
          const result = await attempt();
          const other = result.disturbance.others + result.disturbance.steal;
          log(`exchange: ${label} ${whole(result.rps)} req/s over ${whole(result.requests)} requests; other work took ${(100 * other).toFixed(0)}% of the machine`);
          if (!best || other < best.disturbance.others + best.disturbance.steal) best = result;
          if (other <= DISTURBED) break;
          if (i < args.retries) log(`exchange: ${label} was disturbed, measuring again (${i + 1} of ${args.retries})`);
        }
        return best as Measured;
      };
      const proxyRun = (label: string) =>
        measure(label, async () => {
          const result = await load(loadConfig(label, `http://127.0.0.1:${proxyPort}`, OPEN_SERVICE), proxy, ourPids);
          requireAllOk(result, 'the bare proxy');
          return result;
        });
      const gatewayRun = (label: string, serviceId: string, what: string) =>
        measure(label, async () => {
          let counters: WorkerCounters[] | undefined;
          const result = await load(loadConfig(label, `http://127.0.0.1:${gatewayPort}`, serviceId), gateway, ourPids, args.counters ? (c) => (counters = c) : undefined);
          if (serviceId === QUOTA_SERVICE) {
            sent.quota += result.total.sent;
            sent.quotaOk += result.total.ok;
          } else {
            sent.gateway += result.total.sent;
            sent.gatewayOk += result.total.ok;
          }
          requireAllOk(result, what);
          return Object.assign(result, { counters });
        });
      let proxyBefore: Measured;
      let gatewayResult: Measured;
      let quotaResult: Measured;
      let proxyAfter: Measured;
      try {
        proxyBefore = await proxyRun('proxy (before)');
        gatewayResult = await gatewayRun('gateway', OPEN_SERVICE, 'the gateway');
        quotaResult = await gatewayRun('gateway+quota', QUOTA_SERVICE, 'the gateway on the service with a quota');
        proxyAfter = await proxyRun('proxy (after)');
      } finally {
        await Promise.all([stopChild(gateway), stopChild(proxy)]);
      }
      const profiles = args.profileDir ? readdirSync(args.profileDir).filter((f) => /\.0\.\d+\.cpuprofile$/.test(f) && !before.has(f)) : [];

      const { lines: checks, bytes: dbBytes } = await checkDatabase(instance, {
        recorded: sent.gatewayOk + sent.quotaOk,
        nonces: sent.gateway + sent.quota,
        quotaCalls: sent.quota,
      });
      log(`exchange: database checks pass (${checks.join('; ')})`);

      const proxyMean: Figures = {
        rps: Math.round((proxyBefore.rps + proxyAfter.rps) / 2),
        p50_ms: round2((proxyBefore.p50_ms + proxyAfter.p50_ms) / 2),
        p99_ms: round2((proxyBefore.p99_ms + proxyAfter.p99_ms) / 2),
      };
      const durability = `${instance.database.durability}, every exchange recorded before the reply`;
      const ratio = gatewayResult.rps / proxyMean.rps;
      const ratioQuota = quotaResult.rps / proxyMean.rps;
      const percent = (share: number) => `${(100 * share).toFixed(0)}%`;
      const row = (name: string, r: Measured) => [
        name,
        whole(r.rps),
        fixed(r.p50_ms, 2),
        fixed(r.p99_ms, 2),
        fixed(r.mean_ms, 2),
        fixed(r.max_ms, 1),
        whole(r.requests),
        fixed(r.rps / proxyMean.rps, 3),
        percent(r.disturbance.bench),
        percent(r.disturbance.others + r.disturbance.steal),
      ];
      const runs = [proxyBefore, gatewayResult, quotaResult, proxyAfter];
      const disturbed = runs.filter((r) => r.disturbance.others + r.disturbance.steal > DISTURBED);
      const report = [
        `Exchange: ${args.workers} workers each, ${args.connections} connections, ${args.duration} s measured after ${args.warmup} s warm-up`,
        ...table(
          ['', 'req/s', 'p50 ms', 'p99 ms', 'mean ms', 'max ms', 'requests', 'vs proxy', 'CPU: bench', 'CPU: others'],
          [
            row('bare proxy, before', proxyBefore),
            row('bare proxy, after', proxyAfter),
            ['= baseline (mean of the two)', whole(proxyMean.rps), fixed(proxyMean.p50_ms, 2), fixed(proxyMean.p99_ms, 2), '', '', '', '1.000', '', ''],
            row('gateway', gatewayResult),
            row('gateway, service with quota', quotaResult),
          ],
        ),
        `durability: ${durability}${instance.database.kind === 'sqlite' ? `; data dir on ${fs}` : ''}`,
        `machine: ${cores} cores, 1-minute load average ${loadAtStart.toFixed(1)} before the run${loadAtStart > cores / 2 ? ' — OTHER WORK WAS RUNNING, figures unreliable' : ''}`,
        `checks after the run: ${checks.join('; ')}; database ${(dbBytes / 1e6).toFixed(1)} MB`,
        'notes: the upstream answers without verifying the forward signature (the gateway still signs every forward);',
        '       the load generator, the upstream and the servers share this machine’s cores; requests were signed before each measured period;',
        '       CPU columns: shares of the whole machine during each measured period, this bench’s processes and everything else (steal included).',
      ];
      if (disturbed.length > 0) {
        const line = `WARNING: other work took more than ${percent(DISTURBED)} of the machine during ${disturbed.map((r) => r.label).join(', ')}: compare ratios only between undisturbed runs`;
        report.push(line);
        log(`exchange: ${line}`);
      }
      for (const r of runs) if (r.truncated) report.push(`WARNING: ${r.label}: pre-signed requests ran out, measured ${r.elapsedS.toFixed(1)} s only`);
      const json: Record<string, unknown> = {
        gateway: figures(gatewayResult),
        proxy: proxyMean,
        ratio: Math.round(ratio * 1000) / 1000,
        gateway_quota: figures(quotaResult),
        ratio_quota: Math.round(ratioQuota * 1000) / 1000,
        proxy_runs: [figures(proxyBefore), figures(proxyAfter)],
        durability,
        load_average_at_start: Math.round(loadAtStart * 100) / 100,
        // Share of the machine's CPU that other work took during each measured period.
        disturbance: Object.fromEntries(runs.map((r) => [r.label, Math.round((r.disturbance.others + r.disturbance.steal) * 1000) / 1000])),
        workers: args.workers,
        connections: args.connections,
      };
      for (const { label, counters } of [gatewayResult, quotaResult]) {
        if (!counters) continue;
        const { rows: breakdownRows, json: breakdownJson } = breakdown(counters);
        report.push('', `Where a ${label} worker's event loop goes, per request (counters over the measured period):`, ...table(['', 'ms/req', '% busy', 'calls/req', 'max ms', 'calls ≥1 ms'], breakdownRows));
        (json.counters_ms_per_request ??= {} as Record<string, unknown>) as Record<string, unknown>;
        (json.counters_ms_per_request as Record<string, unknown>)[label] = breakdownJson;
      }
      if (profiles.length > 0) report.push('', `CPU profiles: ${profiles.map((p) => `${args.profileDir}/${p}`).join(', ')} (main threads; summarise: npx tsx bench/profile-summary.ts FILE)`);
      return { json, report, database: instance.database.kind };
    } finally {
      await upstream.close();
      await database?.drop();
    }
  },
};
