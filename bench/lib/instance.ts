import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import { loadConfig } from '../../src/config/index.js';
import { SYSTEM_ACTOR } from '../../src/core/changes.js';
import { createPlatform } from '../../src/platform/index.js';
import { trackDir } from './processes.js';

/** One client subsystem calling one provider subsystem, as in exchange.test.ts. */
export const CLIENT_ID = 'PK/BANK/HBL/branch-app';
export const PROVIDER_SUBSYSTEM = 'PK/GOV/BISP/payments';
export const PURPOSE = 'disbursement';
/** not personal, no quota: the plain path through the pipeline */
export const OPEN_SERVICE = `${PROVIDER_SUBSYSTEM}/status`;
/** the same with a quota so large it never refuses, so that every call runs the quota upsert */
export const QUOTA_SERVICE = `${PROVIDER_SUBSYSTEM}/status-quota`;
export const QUOTA_PER_MINUTE = 1_000_000_000;

export interface BenchInstance {
  dataDir: string;
  port: number;
  publicUrl: string;
  /** environment for the gateway processes: SQLite in dataDir, never a DATABASE_URL inherited from the shell */
  env: NodeJS.ProcessEnv;
  synchronous: 'FULL' | 'NORMAL';
  client: { id: string; keyId: string; privateKeyPem: string };
  sqliteFile: string;
}

/**
 * A real instance in a fresh temporary data directory: migrated, with its
 * registry filled through the registry API (so the journal is written as in
 * production), then closed — the gateway processes open it themselves.
 */
export async function createBenchInstance(upstreamUrl: string, port: number): Promise<BenchInstance> {
  removeStaleDataDirs();
  const dataDir = trackDir(mkdtempSync(join(tmpdir(), 'rabta-bench-')));
  writeFileSync(join(dataDir, 'bench.pid'), String(process.pid));
  const env: NodeJS.ProcessEnv = { ...process.env, RABTA_DATA_DIR: dataDir, PORT: String(port), RABTA_HOST: '127.0.0.1', RABTA_EGRESS_ALLOW: 'loopback', RABTA_LOG_LEVEL: 'warn' };
  // The bench measures the embedded deployment: SQLite in the data dir, the generated keys.json.
  for (const name of ['DATABASE_URL', 'RABTA_KEYS_FILE', 'RABTA_PUBLIC_URL', 'RABTA_INSTANCE']) delete env[name];
  const config = loadConfig(env);
  const platform = await createPlatform(config);
  try {
    const { keyId, privateKey } = await seedBenchRegistry(platform, upstreamUrl);
    const privateKeyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    return {
      dataDir,
      port,
      publicUrl: config.publicUrl,
      env,
      synchronous: config.sqliteSynchronous,
      client: { id: CLIENT_ID, keyId, privateKeyPem },
      sqliteFile: join(dataDir, 'rabta.db'),
    };
  } finally {
    await platform.close();
  }
}

/** The bench's registry: one client allowed on the open and the quota service of one provider. */
export async function seedBenchRegistry(platform: Awaited<ReturnType<typeof createPlatform>>, upstreamUrl: string) {
  const r = platform.registry;
  const a = SYSTEM_ACTOR;
  await r.createMember(a, { memberClass: 'GOV', code: 'BISP', nameEn: 'BISP', nameUr: 'BISP' });
  await r.createMember(a, { memberClass: 'BANK', code: 'HBL', nameEn: 'HBL', nameUr: 'HBL' });
  await r.createSubsystem(a, 'PK/GOV/BISP', { code: 'payments', name: 'payments' });
  await r.createSubsystem(a, 'PK/BANK/HBL', { code: 'branch-app', name: 'branch app' });

  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
  const keyId = await calculateJwkThumbprint(jwk, 'sha256');
  await r.registerKey(a, CLIENT_ID, { jwk });
  await r.approveKey(a, keyId);

  await r.createPurpose(a, { code: PURPOSE, nameEn: 'disbursement', nameUr: 'disbursement', legalBasis: 'statute', statute: 'BISP Act 2010' });
  await r.createService(a, PROVIDER_SUBSYSTEM, { code: 'status', title: 'status', upstreamUrl });
  await r.createService(a, PROVIDER_SUBSYSTEM, { code: 'status-quota', title: 'status with quota', upstreamUrl, quotaPerMinute: QUOTA_PER_MINUTE });
  for (const serviceId of [OPEN_SERVICE, QUOTA_SERVICE]) await r.grantAccess(a, { serviceId, clientId: CLIENT_ID, purposes: [PURPOSE] });
  return { keyId, privateKey };
}

/**
 * A bench killed with SIGKILL cannot remove its data dir (its children do exit:
 * they watch their IPC channel). The next run removes such dirs: those whose
 * bench.pid names a process that is gone. A running bench's dir is left alone.
 */
function removeStaleDataDirs(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('rabta-bench-')) continue;
    const dir = join(tmpdir(), name);
    let pid: number;
    try {
      pid = Number(readFileSync(join(dir, 'bench.pid'), 'utf8'));
    } catch {
      continue;
    }
    if (!Number.isInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    rmSync(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
