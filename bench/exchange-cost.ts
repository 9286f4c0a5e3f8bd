import { createPrivateKey } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { installCounters } from './servers/counters.js';

// Counters patch better-sqlite3 and node:crypto, so they go in before the platform is loaded.
const counters = process.env.BENCH_COUNTERS === '1' ? installCounters() : undefined;
const { loadConfig } = await import('../src/config/index.js');
const { buildServer, createPlatform } = await import('../src/platform/index.js');
const { signRequest } = await import('../src/sdk/index.js');
const { CLIENT_ID, OPEN_SERVICE, PURPOSE, QUOTA_SERVICE, createBenchInstance } = await import('./lib/instance.js');
const { freePort } = await import('../src/platform/testing.js');
const { installCleanup } = await import('./lib/processes.js');
const { startUpstream } = await import('./lib/upstream.js');

/**
 * CPU time per exchange in ONE process (`npx tsx bench/exchange-cost.ts [N]`):
 * the gateway (createPlatform + buildServer), its upstream and a keep-alive
 * client all in this process, requests signed beforehand. On a machine too
 * busy for `npm run bench` to give a ratio, the process's CPU per request
 * still tells two versions of the hot path apart; the same client → upstream
 * loop without the gateway is measured too, so what the gateway adds is the
 * difference. It says nothing of two processes sharing one SQLite file.
 */

installCleanup();
const count = Number(process.argv[2] ?? 3000);
const connections = 16;
const upstream = await startUpstream();
const instance = await createBenchInstance(upstream.url, await freePort(), 'sqlite');
const platform = await createPlatform(loadConfig(instance.env), { migrate: false });
const app = await buildServer(platform);
await app.listen({ host: '127.0.0.1', port: instance.port });
const privateKey = createPrivateKey(instance.client.privateKeyPem);

async function signed(serviceId: string, n: number) {
  const path = `/x/${serviceId}/beneficiaries/status`;
  const headers = { 'rabta-client': CLIENT_ID, 'rabta-purpose': PURPOSE };
  const out: Array<{ path: string; headers: Record<string, string> }> = [];
  for (let i = 0; i < n; i++) {
    const signature = await signRequest({ method: 'GET', targetUri: instance.publicUrl + path, headers, keyId: instance.client.keyId, privateKey, tag: 'rabta-request', expiresIn: 300 });
    out.push({ path, headers: { ...headers, ...signature } });
  }
  return out;
}

async function drive(origin: string, requests: Array<{ path: string; headers: Record<string, string> }>) {
  const pool = new Pool(origin, { connections, pipelining: 1 });
  let next = 0;
  const failures: string[] = [];
  counters?.reset();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      for (;;) {
        const request = requests[next++];
        if (!request) return;
        const response = await pool.request({ method: 'GET', path: request.path, headers: request.headers });
        const body = await response.body.arrayBuffer();
        if (response.statusCode !== 200) failures.push(`HTTP ${response.statusCode}: ${Buffer.from(body).toString()}`);
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  if (failures.length > 0) throw new Error(`${failures.length} failures, the first: ${failures[0]}`);
  const wall = performance.now() - started;
  if (counters && origin !== upstream.url) {
    const read = counters.read();
    const rows = Object.entries(read.sqlite).sort((a, b) => b[1].ms - a[1].ms).slice(0, 12);
    console.log(`  ${requests.length} requests: busy ${(read.busyMs / requests.length).toFixed(3)} ms/req, gc ${(read.gcMs / requests.length).toFixed(3)}, sign ${(read.crypto.sign.ms / requests.length).toFixed(3)}, verify ${(read.crypto.verify.ms / requests.length).toFixed(3)}`);
    for (const [kind, t] of rows) console.log(`    ${kind.padEnd(34)} ${(t.ms / requests.length).toFixed(3)} ms/req  ${(t.calls / requests.length).toFixed(2)} calls/req  max ${t.maxMs.toFixed(1)}`);
  }
  await pool.close();
  return { cpuUsPerRequest: (used.user + used.system) / requests.length, perSecond: Math.round((requests.length / wall) * 1000) };
}

const plain = (n: number) => Array.from({ length: n }, () => ({ path: '/', headers: {} }));
const gatewayOrigin = `http://127.0.0.1:${instance.port}`;
// Warm-up: the JIT and the statement caches, on both services.
await drive(gatewayOrigin, await signed(OPEN_SERVICE, 500));
await drive(gatewayOrigin, await signed(QUOTA_SERVICE, 500));
await drive(upstream.url, plain(500));
const results: Record<string, { cpuUsPerRequest: number; perSecond: number }> = {};
for (let round = 0; round < 2; round++) {
  for (const [label, requests] of [
    ['client → upstream', plain(count)],
    ['gateway', await signed(OPEN_SERVICE, count)],
    ['gateway, quota', await signed(QUOTA_SERVICE, count)],
  ] as const) {
    const result = await drive(label === 'client → upstream' ? upstream.url : gatewayOrigin, requests);
    const best = results[label];
    if (!best || result.cpuUsPerRequest < best.cpuUsPerRequest) results[label] = result;
  }
}
const base = results['client → upstream']?.cpuUsPerRequest ?? 0;
for (const [label, r] of Object.entries(results)) {
  console.log(`${label.padEnd(20)} ${r.cpuUsPerRequest.toFixed(0).padStart(5)} µs CPU/request  (${label === 'client → upstream' ? 'the loop alone' : `gateway adds ${(r.cpuUsPerRequest - base).toFixed(0)} µs`})  ${r.perSecond} req/s`);
}
await app.close();
await platform.close();
await upstream.close();
process.exit(0);
