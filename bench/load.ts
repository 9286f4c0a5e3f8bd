import { readFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { Pool } from 'undici';
import { signRequest } from '../src/sdk/index.js';

/**
 * The load generator, the same for the gateway and the proxy. Requests are
 * signed before the measured period (each with its own nonce), so the
 * generator's own Ed25519 signing does not cap the figure it measures.
 * Prints one JSON line: rps, p50_ms, p99_ms, non2xx, first failure bodies.
 */
const [target, path, seconds, connections, keyFile, count] = process.argv.slice(2) as [string, string, string, string, string, string];
const key = JSON.parse(readFileSync(keyFile, 'utf8')) as { client: string; keyId: string; privateKeyPem: string; headers: Record<string, string> };
const privateKey = createPrivateKey(key.privateKeyPem);
const total = Number(count);
const requests: Array<Record<string, string>> = [];
for (let i = 0; i < total; i++) {
  const headers: Record<string, string> = { 'rabta-client': key.client, ...key.headers };
  Object.assign(headers, await signRequest({ method: 'GET', targetUri: `${target}${path}`, headers, keyId: key.keyId, privateKey, tag: 'rabta-request', expiresIn: 300 }));
  requests.push(headers);
  if (i % 10_000 === 0) process.stderr.write(`  load: signed ${i}/${total}\n`);
}

const pool = new Pool(target, { connections: Number(connections), pipelining: 1 });
const latencies: number[] = [];
const failures: string[] = [];
let next = 0;
let non2xx = 0;
const warmupEnd = performance.now() + 1000;
const end = warmupEnd + Number(seconds) * 1000;
let measuredStart = 0;
let measured = 0;

async function worker() {
  while (performance.now() < end && next < requests.length) {
    const headers = requests[next++] as Record<string, string>;
    const started = performance.now();
    const response = await pool.request({ path, method: 'GET', headers });
    const text = await response.body.text();
    const now = performance.now();
    if (now < warmupEnd) continue;
    if (measuredStart === 0) measuredStart = started;
    measured++;
    latencies.push(now - started);
    if (response.statusCode >= 300) {
      non2xx++;
      if (failures.length < 3) failures.push(`${response.statusCode} ${text.slice(0, 300)}`);
    }
  }
}

await Promise.all(Array.from({ length: Number(connections) }, worker));
const elapsed = (performance.now() - measuredStart) / 1000;
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
process.stdout.write(
  JSON.stringify({ rps: Math.round(measured / elapsed), p50_ms: +at(0.5).toFixed(2), p99_ms: +at(0.99).toFixed(2), requests: measured, non2xx, failures, ranOutOfSignedRequests: next >= requests.length }) + '\n',
);
await pool.close();
