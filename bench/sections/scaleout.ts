import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { haproxyConfig } from '../../src/cli/cluster-haproxy.js';
import { answers200, freeLocalPort, spawnChild, stopChild as stopSpawned, waitUntil } from '../../src/cli/cluster-processes.js';
import { loadConfig } from '../../src/config/index.js';
import { createPlatform } from '../../src/platform/index.js';
import { DISTURBED, disturbance, otherWork, sampleCpu } from '../lib/cpu.js';
import type { Disturbance } from '../lib/cpu.js';
import { CLIENT_ID, OPEN_SERVICE, PURPOSE, seedBenchRegistry } from '../lib/instance.js';
import { benchDatabase } from '../lib/database.js';
import { forkChild, nextMessage, stopChild } from '../lib/processes.js';
import type { BenchMessage } from '../lib/processes.js';
import type { BenchContext, Section } from '../lib/section.js';
import { BenchFailure, fixed, table, whole } from '../lib/section.js';
import { startUpstream } from '../lib/upstream.js';
import { startWebhookReceiver } from '../lib/webhooks.js';
import type { LoadConfig, LoadResult } from '../loadgen/main.js';
import type { WorkerCounters } from '../servers/counters.js';
import { IN_FLIGHT, SUBSCRIBERS, TOPIC, WORKER, measureThroughput, setUp } from './events.js';

/**
 * Scale-out (`--database postgres --nodes N`): for 1…N nodes, the gateway
 * through HAProxy against the bare proxy through the same HAProxy (two
 * frontends of one process), and webhook deliveries by the nodes' workers
 * sharing one PostgreSQL queue against bare POSTs, each on a fresh database.
 * On one machine more nodes add no CPU: the figures show what coordination
 * costs (one sequencer, shared nonces and queue), not how far it scales.
 */

const GATEWAY = fileURLToPath(new URL('../servers/gateway-worker.ts', import.meta.url));
const PROXY = fileURLToPath(new URL('../servers/proxy-worker.ts', import.meta.url));
const LOADGEN = fileURLToPath(new URL('../loadgen/main.ts', import.meta.url));
const PLATFORM = fileURLToPath(new URL('../servers/events-platform.ts', import.meta.url));
const BASELINE = fileURLToPath(new URL('../servers/events-baseline.ts', import.meta.url));
const EVENTS = 3000;

type Measured = LoadResult & { disturbance: Disturbance; counters?: WorkerCounters[] };

async function runLoad(config: LoadConfig, pids: () => number[], servers: ChildProcess[], counters: boolean): Promise<Measured> {
  const child = forkChild(LOADGEN);
  try {
    await nextMessage(child, 'ready', 180_000);
    let start: ReturnType<typeof sampleCpu>;
    let end: ReturnType<typeof sampleCpu>;
    let read: Promise<WorkerCounters[]> = Promise.resolve([]);
    child.send({ type: 'run', config });
    const { result } = await nextMessage<BenchMessage & { result: LoadResult }>(child, 'result', (config.warmupS + config.durationS) * 1000 + 300_000, (m) => {
      if (m.type !== 'phase') return;
      if (m.phase === 'measure') {
        start = sampleCpu([...pids(), child.pid ?? 0]);
        if (counters) for (const s of servers) s.send({ type: 'counters-reset' });
      }
      if (m.phase === 'measured') {
        end = sampleCpu([...pids(), child.pid ?? 0]);
        if (counters) {
          read = Promise.all(servers.map((s) => nextMessage<BenchMessage & { counters: WorkerCounters }>(s, 'counters', 10_000).then((r) => r.counters)));
          for (const s of servers) s.send({ type: 'counters-read' });
        }
      }
    });
    const collected = (await read).filter(Boolean);
    const { non2xx, errors, sent } = result.total;
    if (non2xx > 0 || errors > 0) throw new BenchFailure(`${config.label}: ${non2xx} non-2xx and ${errors} errors of ${sent}: ${result.firstProblems.map((p) => `${p.status} ${p.body}`).join('; ')} ${result.firstErrors.join('; ')}`);
    return { ...result, disturbance: disturbance(start, end), ...(collected.length ? { counters: collected } : {}) };
  } finally {
    await stopChild(child);
  }
}

interface NodeFigures {
  nodes: number;
  proxy_rps: number;
  gateway_rps: number;
  gateway_p50_ms: number;
  gateway_p99_ms: number;
  ratio: number;
  deliveries_per_s: number;
  baseline_posts_per_s: number;
  delivery_ratio: number;
  /** per gateway request, over all nodes: event-loop busy, Ed25519, GC (ms) */
  per_request_ms?: { busy: number; ed25519: number; gc: number; idle: number };
  disturbance: Record<string, number>;
}

async function gatewayRuns(n: number, upstreamUrl: string, context: BenchContext): Promise<Omit<NodeFigures, 'deliveries_per_s' | 'baseline_posts_per_s' | 'delivery_ratio'>> {
  const { args, log } = context;
  const database = await benchDatabase('postgres', 'scale');
  const dir = database.dataDir;
  const gatewayPort = await freeLocalPort();
  const proxyPort = await freeLocalPort();
  const publicUrl = `http://127.0.0.1:${gatewayPort}`;
  const env = database.env({ RABTA_PUBLIC_URL: publicUrl, RABTA_HOST: '127.0.0.1', RABTA_EGRESS_ALLOW: 'loopback', RABTA_LOG_LEVEL: 'warn', BENCH_COUNTERS: '1' });
  const setup = await createPlatform(loadConfig(env), { background: false });
  const { keyId, privateKey } = await seedBenchRegistry(setup, upstreamUrl);
  await setup.close();
  const servers: ChildProcess[] = [];
  let haproxy: ChildProcess | undefined;
  try {
    const nodePorts: number[] = [];
    const proxyPorts: number[] = [];
    for (let i = 0; i < n; i++) {
      const port = await freeLocalPort();
      nodePorts.push(port);
      servers.push(forkChild(GATEWAY, { env: { ...env, PORT: String(port) } }));
      const proxy = await freeLocalPort();
      proxyPorts.push(proxy);
      servers.push(forkChild(PROXY, { env: { ...process.env, PORT: String(proxy), BENCH_UPSTREAM: upstreamUrl } }));
    }
    for (const port of nodePorts) await waitUntil(`gateway node on ${port}`, () => answers200(`http://127.0.0.1:${port}/readyz`), { timeoutMs: 180_000 });
    for (const port of proxyPorts) await waitUntil(`proxy on ${port}`, () => answers200(`http://127.0.0.1:${port}/`), { timeoutMs: 60_000 });
    // One HAProxy, two frontends: the gateway nodes and the bare proxies go through the same process.
    const config =
      haproxyConfig({ host: '127.0.0.1', port: gatewayPort, nodes: nodePorts.map((port, i) => ({ name: `node-${i + 1}`, port })) }) +
      ['', 'frontend proxies', `  bind 127.0.0.1:${proxyPort}`, '  default_backend proxies', '', 'backend proxies', '  balance roundrobin', ...proxyPorts.map((port, i) => `  server proxy-${i + 1} 127.0.0.1:${port}`), ''].join('\n');
    const configFile = join(dir, 'haproxy.cfg');
    writeFileSync(configFile, config);
    haproxy = spawnChild('/usr/sbin/haproxy', ['-db', '-f', configFile], { stdio: ['ignore', 'ignore', 'inherit'], deathSignal: 'KILL' });
    await waitUntil('HAProxy', () => answers200(`${publicUrl}/readyz`), { timeoutMs: 30_000 });
    const proxy = haproxy;
    const pids = () => [process.pid, proxy.pid ?? 0, ...servers.map((s) => s.pid ?? 0)];
    const path = `/x/${OPEN_SERVICE}/beneficiaries/status`;
    const loadConfigFor = (label: string, origin: string): LoadConfig => ({
      label,
      origin,
      path,
      targetUri: publicUrl + path,
      headers: { 'rabta-client': CLIENT_ID, 'rabta-purpose': PURPOSE },
      keyId,
      privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      connections: args.connections,
      warmupS: args.warmup,
      durationS: args.duration,
    });
    const gateways = servers.filter((_, i) => i % 2 === 0);
    const measure = async (label: string, origin: string, counters: boolean) => {
      let best: Measured | undefined;
      for (let i = 0; i <= args.retries; i++) {
        const result = await runLoad(loadConfigFor(label, origin), pids, gateways, counters);
        log(`scaleout: ${n} node(s), ${label}: ${whole(result.rps)} req/s; other work ${(100 * otherWork(result.disturbance)).toFixed(0)}%`);
        if (!best || otherWork(result.disturbance) < otherWork(best.disturbance)) best = result;
        if (otherWork(result.disturbance) <= DISTURBED) break;
      }
      return best as Measured;
    };
    const before = await measure('proxy via HAProxy (before)', `http://127.0.0.1:${proxyPort}`, false);
    const gateway = await measure('gateway via HAProxy', publicUrl, true);
    const after = await measure('proxy via HAProxy (after)', `http://127.0.0.1:${proxyPort}`, false);
    const proxyRps = (before.rps + after.rps) / 2;
    const figures: Omit<NodeFigures, 'deliveries_per_s' | 'baseline_posts_per_s' | 'delivery_ratio'> = {
      nodes: n,
      proxy_rps: Math.round(proxyRps),
      gateway_rps: Math.round(gateway.rps),
      gateway_p50_ms: Math.round(gateway.p50_ms * 100) / 100,
      gateway_p99_ms: Math.round(gateway.p99_ms * 100) / 100,
      ratio: Math.round((gateway.rps / proxyRps) * 1000) / 1000,
      disturbance: { proxy_before: round3(otherWork(before.disturbance)), gateway: round3(otherWork(gateway.disturbance)), proxy_after: round3(otherWork(after.disturbance)) },
    };
    if (gateway.counters?.length) {
      const sum = (f: (c: WorkerCounters) => number) => gateway.counters!.reduce((s, c) => s + f(c), 0);
      const requests = Math.max(1, sum((c) => c.requests));
      figures.per_request_ms = {
        busy: round3(sum((c) => c.busyMs) / requests),
        ed25519: round3(sum((c) => c.crypto.sign.ms + c.crypto.verify.ms) / requests),
        gc: round3(sum((c) => c.gcMs) / requests),
        idle: round3(sum((c) => c.wallMs - c.busyMs) / requests),
      };
    }
    return figures;
  } finally {
    if (haproxy) await stopSpawned(haproxy, 'SIGTERM', 5000);
    await Promise.all(servers.map((s) => stopChild(s)));
    await database.drop().catch(() => undefined);
  }
}

async function deliveryRuns(n: number, context: BenchContext): Promise<{ deliveries_per_s: number; baseline_posts_per_s: number; delivery_ratio: number }> {
  const { log } = context;
  const database = await benchDatabase('postgres', 'scale-events');
  const env = database.env({ RABTA_EGRESS_ALLOW: 'loopback', RABTA_LOG_LEVEL: 'warn', BENCH_EVENTS_WORKER: JSON.stringify(WORKER) });
  const receivers = await Promise.all(SUBSCRIBERS.map(() => startWebhookReceiver()));
  const children: ChildProcess[] = [];
  try {
    const secrets = await setUp(env, receivers);
    for (let i = 0; i < n; i++) {
      const node = forkChild(PLATFORM, { env });
      children.push(node);
      await nextMessage(node, 'ready', 180_000);
    }
    const baseline = forkChild(BASELINE);
    children.push(baseline);
    await nextMessage(baseline, 'ready', 60_000);
    const bare = async () => {
      for (const rx of receivers) rx.reset();
      baseline.send({ type: 'run', urls: receivers.map((rx) => rx.url), topicId: TOPIC, count: EVENTS, concurrency: IN_FLIGHT });
      const done = await nextMessage<BenchMessage & { firstAt: number; lastAt: number; posts: number; failed: number }>(baseline, 'done', 600_000);
      if (done.failed > 0) throw new BenchFailure(`baseline: ${done.failed} posts failed`);
      return done.posts / ((done.lastAt - done.firstAt) / 1000);
    };
    const before = await bare();
    // Node 1 publishes; every node's worker claims from the one queue (SKIP LOCKED) and delivers.
    const throughput = await measureThroughput(children[0] as ChildProcess, receivers, secrets, (line) => log(`scaleout: ${n} node(s), ${line}`), EVENTS);
    const after = await bare();
    const baselinePerS = (before + after) / 2;
    const perS = throughput.deliveries / throughput.deliveredS;
    if (throughput.duplicates > 0) log(`scaleout: ${n} node(s): ${throughput.duplicates} duplicate deliveries (at least once)`);
    return { deliveries_per_s: Math.round(perS), baseline_posts_per_s: Math.round(baselinePerS), delivery_ratio: Math.round((perS / baselinePerS) * 1000) / 1000 };
  } finally {
    await Promise.all(children.map((c) => stopChild(c)));
    await Promise.all(receivers.map((rx) => rx.close()));
    await database.drop().catch(() => undefined);
  }
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

export const scaleoutSection: Section = {
  name: 'scaleout',
  async run(context: BenchContext) {
    const { args, log } = context;
    const maxNodes = args.nodes ?? 3;
    if (args.database !== 'postgres') throw new BenchFailure('the scale-out section runs on PostgreSQL: --database postgres');
    const loadAtStart = loadavg()[0] as number;
    const upstream = await startUpstream();
    const rows: NodeFigures[] = [];
    try {
      for (let n = 1; n <= maxNodes; n++) {
        log(`scaleout: ${n} node(s): gateway and bare proxy through one HAProxy`);
        const gateway = await gatewayRuns(n, upstream.url, context);
        log(`scaleout: ${n} node(s): webhook deliveries from one PostgreSQL queue`);
        const deliveries = await deliveryRuns(n, context);
        rows.push({ ...gateway, ...deliveries });
      }
    } finally {
      await upstream.close();
    }
    const first = rows[0] as NodeFigures;
    const report = [
      `Scale-out on PostgreSQL: 1…${maxNodes} nodes behind one HAProxy, ${args.connections} connections, ${args.duration} s measured after ${args.warmup} s; webhooks: ${whole(EVENTS)} events × ${SUBSCRIBERS.length} subscriptions`,
      ...table(
        ['nodes', 'proxy req/s', 'gateway req/s', 'p50 ms', 'p99 ms', 'vs proxy', 'vs 1 node', 'busy ms/req', 'ed25519', 'deliveries/s', 'bare POSTs/s', 'vs POSTs', 'vs 1 node'],
        rows.map((r) => [
          String(r.nodes),
          whole(r.proxy_rps),
          whole(r.gateway_rps),
          fixed(r.gateway_p50_ms, 2),
          fixed(r.gateway_p99_ms, 2),
          fixed(r.ratio, 3),
          fixed(r.ratio / first.ratio, 3),
          r.per_request_ms ? fixed(r.per_request_ms.busy, 3) : '-',
          r.per_request_ms ? fixed(r.per_request_ms.ed25519, 3) : '-',
          whole(r.deliveries_per_s),
          whole(r.baseline_posts_per_s),
          fixed(r.delivery_ratio, 3),
          fixed(r.delivery_ratio / first.delivery_ratio, 3),
        ]),
      ),
      `machine: 1-minute load average ${loadAtStart.toFixed(1)} before the run; "vs 1 node" compares each ratio to the 1-node ratio (the cost of coordination)`,
      'busy ms/req: the nodes’ event-loop busy time per gateway request, summed over nodes (ed25519: of which signing and verifying); the rest of a request’s time is PostgreSQL round trips',
    ];
    return { database: 'postgres', json: { scaleout: { nodes: rows, load_average_at_start: round3(loadAtStart), connections: args.connections, duration_s: args.duration } }, report };
  },
};
