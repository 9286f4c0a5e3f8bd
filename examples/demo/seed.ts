import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import { SYSTEM_ACTOR } from '../../src/core/changes.js';
import { RabtaError } from '../../src/core/problems.js';
import type { Platform } from '../../src/platform/index.js';
import { ACCESS, demoMembers, PURPOSES } from './federation.js';
import type { Beneficiary } from './people.js';
import { openapiFor } from './openapi.js';

export interface DemoKeyFile {
  client: string;
  keyId: string;
  privateKeyPem: string;
  publicJwk: { kty: string; crv: string; x: string };
  example: { method: string; path: string; headers?: Record<string, string>; body?: unknown };
}

/**
 * Seeds the demo federation through the registry's own interface, as an
 * operator would. Idempotent: what exists is kept, what is missing is added,
 * and upstream URLs follow the port the demo upstreams run on.
 */
export async function seedDemo(platform: Platform, options: { upstreamBase: string; people: Beneficiary[] }): Promise<{ keyFiles: string[]; adminTokenFile: string; officerTokenFile: string }> {
  const { registry } = platform;
  const actor = SYSTEM_ACTOR;
  const instance = platform.config.instance;
  const keysDir = join(platform.config.dataDir, 'demo', 'keys');
  mkdirSync(keysDir, { recursive: true });
  const subject = (options.people[0] as Beneficiary).cnic;
  const batch = {
    batchId: 'KAF-2026-Q4-0001',
    quarter: '2026-Q4',
    rows: options.people.filter((p) => p.bank === 'HBL' && p.status === 'active').slice(0, 3).map((p) => ({ cnic: p.cnic, amountPkr: p.quarterlyAmountPkr, district: p.district.district })),
  };

  for (const purpose of PURPOSES) await ignoreConflict(() => registry.createPurpose(actor, purpose));

  const keyFiles: string[] = [];
  for (const member of demoMembers(subject, batch)) {
    const memberId = `${instance}/${member.memberClass}/${member.code}`;
    await ignoreConflict(() => registry.createMember(actor, { memberClass: member.memberClass, code: member.code, nameEn: member.nameEn, nameUr: member.nameUr, province: member.province }));
    for (const subsystem of member.subsystems) {
      const subsystemId = `${memberId}/${subsystem.code}`;
      await ignoreConflict(() => registry.createSubsystem(actor, memberId, { code: subsystem.code, name: subsystem.name }));
      for (const service of subsystem.services) {
        const serviceId = `${subsystemId}/${service.code}`;
        const upstreamUrl = `${options.upstreamBase}${service.upstreamPath}`;
        const fields = {
          title: service.title,
          upstreamUrl,
          openapi: openapiFor(serviceId, service),
          personal: service.personal,
          subjectLocation: service.subjectLocation,
          enabled: true,
        };
        const existing = await registry.findServiceRow(serviceId);
        if (!existing) await registry.createService(actor, subsystemId, { code: service.code, ...fields });
        else if (existing.upstream_url !== upstreamUrl) await registry.updateService(actor, serviceId, { upstreamUrl });
      }
      if (subsystem.example) {
        const file = join(keysDir, `${member.code}-${subsystem.code}.json`);
        await ensureKey(platform, subsystemId, file, subsystem.example);
        keyFiles.push(file);
      }
    }
  }
  // The telco's subscriber records say which phone belongs to which CNIC; some households share one.
  for (const person of options.people) {
    await platform.citizens.registerCitizen(actor, { cnic: person.cnic, mobile: person.mobile, language: person.language });
  }
  for (const grant of ACCESS) {
    const existing = await registry.listAccess({ serviceId: grant.service, clientId: grant.client });
    if (existing.length === 0) await registry.grantAccess(actor, { serviceId: grant.service, clientId: grant.client, purposes: grant.purposes });
  }
  return {
    keyFiles,
    adminTokenFile: await ensureDemoOperator(platform, 'admin-token.txt', { name: 'demo authority', role: 'authority-admin' }),
    // HBL's complaints officer works the bank's cases in the console as its member admin.
    officerTokenFile: await ensureDemoOperator(platform, 'hbl-officer-token.txt', { name: 'HBL complaints officer', role: 'member-admin', memberId: `${instance}/BANK/HBL` }),
  };
}

/** The demo hands the trainee operator tokens (the authority's, HBL's officer's), kept in the git-ignored data directory. */
async function ensureDemoOperator(platform: Platform, name: string, operator: Parameters<Platform['registry']['createOperator']>[1]): Promise<string> {
  const file = join(platform.config.dataDir, 'demo', name);
  if (existsSync(file) && (await platform.registry.authenticateToken(readFileSync(file, 'utf8').trim()))) return file;
  const { token } = await platform.registry.createOperator(SYSTEM_ACTOR, operator);
  writeFileSync(file, token + '\n', { mode: 0o600 });
  return file;
}

/** A key file survives restarts; its key is registered and approved if it is not yet. */
async function ensureKey(platform: Platform, subsystemId: string, file: string, example: DemoKeyFile['example']): Promise<void> {
  let keyFile: DemoKeyFile;
  if (existsSync(file)) {
    keyFile = { ...(JSON.parse(readFileSync(file, 'utf8')) as DemoKeyFile), example };
  } else {
    const { privateKey } = generateKeyPairSync('ed25519');
    const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' }) as DemoKeyFile['publicJwk'];
    keyFile = {
      client: subsystemId,
      keyId: await calculateJwkThumbprint(publicJwk, 'sha256'),
      privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      publicJwk,
      example,
    };
  }
  createPrivateKey(keyFile.privateKeyPem);
  writeFileSync(file, JSON.stringify(keyFile, null, 2) + '\n', { mode: 0o600 });
  const keys = await platform.registry.listKeys(subsystemId);
  const known = keys.find((k) => k.keyId === keyFile.keyId);
  if (!known) await platform.registry.registerKey(SYSTEM_ACTOR, subsystemId, { jwk: keyFile.publicJwk });
  if (!known || known.status === 'registered') await platform.registry.approveKey(SYSTEM_ACTOR, keyFile.keyId);
}

/** Seeding is idempotent: what already exists is kept. */
export async function ignoreConflict(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof RabtaError && error.code === 'conflict')) throw error;
  }
}
