import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import { loadConfig } from '../../src/config/index.js';
import { SYSTEM_ACTOR } from '../../src/core/changes.js';
import { createPlatform } from '../../src/platform/index.js';
import { freePort, log, runScript, startService } from '../children.js';
import type { BenchOptions } from '../run.js';

interface LoadResult {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  non2xx: number;
  failures: string[];
  ranOutOfSignedRequests: boolean;
}

const SERVICE = 'PK/GOV/BISP/payments/status';
const PATH = `/x/${SERVICE}/beneficiaries/status`;

/**
 * Mediated exchanges (verification, access, quota, forward signature, response
 * signature, durable record — all on) against a bare proxy to the same
 * upstream, with the same load generator, in the same run.
 */
export async function exchangeSection(options: BenchOptions) {
  const dataDir = mkdtempSync(join(tmpdir(), 'rabta-bench-'));
  try {
    const [gatewayPort, proxyPort, upstreamPort] = [await freePort(), await freePort(), await freePort()];
    const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
    const env = {
      RABTA_DATA_DIR: dataDir,
      PORT: String(gatewayPort),
      RABTA_EGRESS_ALLOW: 'loopback',
      RABTA_LOG_LEVEL: 'warn',
      RABTA_SQLITE_SYNCHRONOUS: options.synchronous,
      BENCH_WORKERS: String(options.workers),
    };
    const keyFile = await seed(env, upstreamUrl, dataDir);
    log(`exchange: seeded ${dataDir}; upstream :${upstreamPort}, gateway :${gatewayPort} and proxy :${proxyPort}, ${options.workers} workers each`);
    const upstream = await startService('upstream-server.ts', { PORT: String(upstreamPort) });
    const signedCount = String(Math.min(400_000, (options.duration + 2) * 8000));
    try {
      const proxy = await startService('proxy-server.ts', { PORT: String(proxyPort), BENCH_UPSTREAM: upstreamUrl, BENCH_SERVICE: SERVICE, BENCH_WORKERS: String(options.workers) });
      log(`exchange: proxy run, ${options.duration} s, ${options.connections} connections`);
      const proxyResult = await runScript<LoadResult>('load.ts', [`http://127.0.0.1:${proxyPort}`, PATH, String(options.duration), String(options.connections), keyFile, signedCount]);
      await proxy.stop();
      const gateway = await startService('gateway-server.ts', env);
      log(`exchange: gateway run, ${options.duration} s, ${options.connections} connections`);
      const gatewayResult = await runScript<LoadResult>('load.ts', [`http://127.0.0.1:${gatewayPort}`, PATH, String(options.duration), String(options.connections), keyFile, signedCount]);
      await gateway.stop();
      if (gatewayResult.non2xx > 0) throw new Error(`the gateway answered ${gatewayResult.non2xx} requests with errors, e.g.\n${gatewayResult.failures.join('\n')}`);
      if (gatewayResult.ranOutOfSignedRequests || proxyResult.ranOutOfSignedRequests) log('exchange: WARNING the load generator ran out of pre-signed requests; the figure is a lower bound');
      return {
        gateway: pick(gatewayResult),
        proxy: pick(proxyResult),
        ratio: +(gatewayResult.rps / proxyResult.rps).toFixed(3),
        crypto: cryptoRates(),
        durability: `sqlite WAL synchronous=${options.synchronous}; nonce spent and exchange recorded in the database before each reply`,
        workers: options.workers,
        connections: options.connections,
      };
    } finally {
      await upstream.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function pick(result: LoadResult) {
  return { rps: result.rps, p50_ms: result.p50_ms, p99_ms: result.p99_ms };
}

async function seed(env: Record<string, string>, upstreamUrl: string, dataDir: string): Promise<string> {
  const platform = await createPlatform(loadConfig(env));
  const r = platform.registry;
  const a = SYSTEM_ACTOR;
  await r.createMember(a, { memberClass: 'GOV', code: 'BISP', nameEn: 'BISP', nameUr: 'بی آئی ایس پی' });
  await r.createMember(a, { memberClass: 'BANK', code: 'HBL', nameEn: 'HBL', nameUr: 'ایچ بی ایل' });
  await r.createSubsystem(a, 'PK/GOV/BISP', { code: 'payments', name: 'payments' });
  await r.createSubsystem(a, 'PK/BANK/HBL', { code: 'branch-app', name: 'branch app' });
  await r.createPurpose(a, { code: 'cash-transfer-disbursement', nameEn: 'Disbursement', nameUr: 'ادائیگی', legalBasis: 'statute', statute: 'BISP Act 2010' });
  // A quota that is never reached, so its atomic counter is exercised on every call.
  await r.createService(a, 'PK/GOV/BISP/payments', { code: 'status', title: 'status', upstreamUrl, quotaPerMinute: 1_000_000_000 });
  await r.grantAccess(a, { serviceId: SERVICE, clientId: 'PK/BANK/HBL/branch-app', purposes: ['cash-transfer-disbursement'] });
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
  const keyId = await calculateJwkThumbprint(jwk, 'sha256');
  await r.registerKey(a, 'PK/BANK/HBL/branch-app', { jwk });
  await r.approveKey(a, keyId);
  await platform.close();
  const file = join(dataDir, 'bench-client.json');
  writeFileSync(file, JSON.stringify({ client: 'PK/BANK/HBL/branch-app', keyId, privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), headers: { 'rabta-purpose': 'cash-transfer-disbursement' } }));
  return file;
}

/** Ed25519 with node:crypto on one core: the bound the gateway's per-request crypto works against. */
function cryptoRates() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const message = Buffer.alloc(400, 7);
  const signature = sign(null, message, privateKey);
  const rate = (fn: () => void) => {
    const until = performance.now() + 1000;
    let n = 0;
    while (performance.now() < until) {
      fn();
      n++;
    }
    return n;
  };
  return { sign_per_s: rate(() => sign(null, message, privateKey)), verify_per_s: rate(() => verify(null, message, publicKey, signature)) };
}
