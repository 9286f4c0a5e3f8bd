import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { loadConfig } from '../../src/config/index.js';
import { SYSTEM_ACTOR } from '../../src/core/changes.js';
import { createPlatform } from '../../src/platform/index.js';
import { benchDatabase } from './database.js';
import type { BenchDatabase, DatabaseKind } from './database.js';

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
  /** environment for the gateway processes, like `rabta start`'s: the section's fresh database, never one inherited from the shell */
  env: NodeJS.ProcessEnv;
  database: BenchDatabase;
  client: { id: string; keyId: string; privateKeyPem: string };
}

/**
 * A real instance on a fresh database (SQLite in a temporary data dir, or a
 * new PostgreSQL database): migrated, with its registry filled through the
 * registry API (so the journal is written as in production), then closed —
 * the gateway processes open it themselves.
 */
export async function createBenchInstance(upstreamUrl: string, port: number, kind: DatabaseKind): Promise<BenchInstance> {
  const database = await benchDatabase(kind, 'exchange');
  const env = database.env({ PORT: String(port), RABTA_HOST: '127.0.0.1', RABTA_EGRESS_ALLOW: 'loopback', RABTA_LOG_LEVEL: 'warn' });
  const config = loadConfig(env);
  const platform = await createPlatform(config);
  try {
    const { keyId, privateKey } = await seedBenchRegistry(platform, upstreamUrl);
    const privateKeyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    return { dataDir: database.dataDir, port, publicUrl: config.publicUrl, env, database, client: { id: CLIENT_ID, keyId, privateKeyPem } };
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

