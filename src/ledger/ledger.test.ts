import { spawn } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { loadConfig } from '../config/index.js';
import { SYSTEM_ACTOR } from '../core/index.js';
import { createPlatform } from '../platform/index.js';
import type { Platform } from '../platform/index.js';
import { startTestInstance } from '../platform/testing.js';
import type { TestInstance } from '../platform/testing.js';
import { signRequest } from '../sdk/index.js';
import { freshDatabase, testDialects } from '../store/testing.js';
import { LEAF_KIND } from './canonical.js';
import { openCheckpoint } from './checkpoint.js';
import { decodeBase64 } from './encoding.js';
import { leafHash } from './hash.js';
import { verifyConsistency, verifyInclusion } from './merkle-verify.js';
import { parseNoteVerifierKey } from './note.js';
import { verifyTlogProof } from './proof.js';
import type { LedgerTables } from './tables.js';

const postgresUrl = inject('postgresUrl');

/** A provider, a client with an approved key and a right: enough for real exchanges. */
async function seedFederation(platform: Platform, upstreamUrl: string) {
  const r = platform.registry;
  const a = SYSTEM_ACTOR;
  await r.createMember(a, { memberClass: 'GOV', code: 'BISP', nameEn: 'BISP', nameUr: 'بی آئی ایس پی' });
  await r.createMember(a, { memberClass: 'BANK', code: 'HBL', nameEn: 'HBL', nameUr: 'ایچ بی ایل' });
  await r.createSubsystem(a, 'PK/GOV/BISP', { code: 'payments', name: 'payments' });
  await r.createSubsystem(a, 'PK/BANK/HBL', { code: 'app', name: 'app' });
  await r.createPurpose(a, { code: 'disbursement', nameEn: 'd', nameUr: 'د', legalBasis: 'statute', statute: 'BISP Act 2010' });
  await r.createService(a, 'PK/GOV/BISP/payments', { code: 'status', title: 'status', upstreamUrl });
  await r.grantAccess(a, { serviceId: 'PK/GOV/BISP/payments/status', clientId: 'PK/BANK/HBL/app', purposes: ['disbursement'] });
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
  const keyId = await calculateJwkThumbprint(jwk, 'sha256');
  await r.registerKey(a, 'PK/BANK/HBL/app', { jwk });
  await r.approveKey(a, keyId);
  return { keyId, privateKey };
}

async function upstream() {
  const server = createServer((_q, s) => s.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function signedHeaders(publicUrl: string, path: string, key: { keyId: string; privateKey: KeyObject }) {
  const headers: Record<string, string> = { 'rabta-client': 'PK/BANK/HBL/app', 'rabta-purpose': 'disbursement' };
  Object.assign(headers, await signRequest({ method: 'GET', targetUri: `${publicUrl}${path}`, headers, keyId: key.keyId, privateKey: key.privateKey, tag: 'rabta-request' }));
  return headers;
}

const PATH = '/x/PK/GOV/BISP/payments/status/now';

for (const dialect of testDialects(postgresUrl)) {
  describe(`ledger on ${dialect}`, () => {
    let t: TestInstance;
    let up: Awaited<ReturnType<typeof upstream>>;
    let key: { keyId: string; privateKey: KeyObject };

    beforeAll(async () => {
      up = await upstream();
      t = await startTestInstance(dialect, postgresUrl, { platform: { background: false } });
      key = await seedFederation(t.platform, up.url);
    });
    afterAll(async () => {
      await t?.close();
      up?.server.close();
    });

    it('logs registry changes in clear and exchanges as commitments, under a signed checkpoint', async () => {
      const response = await t.app.inject({ method: 'GET', url: PATH, headers: await signedHeaders(t.platform.config.publicUrl, PATH, key) });
      expect(response.statusCode).toBe(200);
      const exchangeId = response.headers['rabta-exchange-id'] as string;
      const integrated = await t.platform.ledger.integrate();
      expect(integrated?.size).toBeGreaterThan(8);

      const note = (await t.app.inject({ method: 'GET', url: '/ledger/checkpoint' })).body;
      const vkey = (await t.app.inject({ method: 'GET', url: '/ledger/vkey' })).body.trim();
      const opened = openCheckpoint(note, { logVerifiers: [parseNoteVerifierKey(vkey)] });
      expect(opened.ok).toBe(true);

      const receipt = await t.platform.ledger.receipt(LEAF_KIND.exchange, exchangeId);
      expect(receipt).toBeDefined();
      const entry = decodeBase64(receipt!.entry);
      // The public leaf holds no CNIC, no client id, nothing to link a person by.
      expect(Buffer.from(entry).toString('latin1')).not.toContain('PK/BANK');
      const verdict = verifyTlogProof({ proofText: receipt!.proof, entry, logVkey: vkey, witnessVkeys: [], quorum: 0 });
      expect(verdict.ok).toBe(true);
      expect((receipt!.record as { id: string }).id).toBe(exchangeId);

      // The same receipt over HTTP: to the authority (auditor) and to the client, not to others.
      const url = `/ledger/receipts/exchanges/${exchangeId}`;
      const asAuditor = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${t.token}` } });
      expect(asAuditor.statusCode).toBe(200);
      const fromHttp = JSON.parse(asAuditor.body) as { proof: string; entry: string; logVkey: string };
      expect(verifyTlogProof({ proofText: fromHttp.proof, entry: decodeBase64(fromHttp.entry), logVkey: fromHttp.logVkey, witnessVkeys: [], quorum: 0 }).ok).toBe(true);
      const asClient = await t.app.inject({ method: 'GET', url, headers: await signedHeaders(t.platform.config.publicUrl, url, key) });
      expect(asClient.statusCode).toBe(200);
      const { token: provider } = await t.platform.registry.createOperator(SYSTEM_ACTOR, { name: 'nadra', role: 'member-admin', memberId: 'PK/GOV/BISP' });
      expect((await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${provider}` } })).statusCode).toBe(200);
      await t.platform.registry.createMember(SYSTEM_ACTOR, { memberClass: 'TELCO', code: 'JAZZ', nameEn: 'Jazz', nameUr: 'جاز' });
      const { token: outsider } = await t.platform.registry.createOperator(SYSTEM_ACTOR, { name: 'jazz', role: 'member-admin', memberId: 'PK/TELCO/JAZZ' });
      expect((await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${outsider}` } })).statusCode).toBe(403);
      expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(400);
    });

    it('serves tiles and proofs that check out against the checkpoint', async () => {
      const latest = (await t.platform.ledger.latestCheckpoint())!;
      const root = await t.platform.store.tables<LedgerTables>().selectFrom('ledger_checkpoints').select('root').where('size', '=', latest.size).executeTakeFirstOrThrow();
      const bundle = await t.app.inject({ method: 'GET', url: `/ledger/tile/entries/000.p/${latest.size}` });
      expect(bundle.statusCode).toBe(200);
      const tile = await t.app.inject({ method: 'GET', url: `/ledger/tile/0/000.p/${latest.size}` });
      expect(tile.rawPayload.length).toBe(latest.size * 32);
      const { parseEntryBundle } = await import('./bundles.js');
      const entries = parseEntryBundle(bundle.rawPayload);
      entries.forEach((e, i) => expect(Buffer.from(leafHash(e)).equals(tile.rawPayload.subarray(i * 32, i * 32 + 32))).toBe(true));
      for (const index of [0, latest.size - 1]) {
        const proof = JSON.parse((await t.app.inject({ method: 'GET', url: `/ledger/proof/inclusion?index=${index}` })).body) as { hashes: string[] };
        expect({ index, verdict: verifyInclusion(leafHash(entries[index]!), index, latest.size, proof.hashes.map(decodeBase64), root.root) }).toMatchObject({ index, verdict: { ok: true } });
      }
      expect((await t.app.inject({ method: 'GET', url: '/ledger/tile/0/x999/000' })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: '/ledger/tile/0/7' })).statusCode).toBe(404);
    });

    it('grows consistently: every checkpoint extends the one before', async () => {
      await t.platform.ledger.integrate();
      const before = (await t.platform.ledger.latestCheckpoint())!;
      for (let i = 0; i < 3; i++) await t.platform.registry.createSubsystem(SYSTEM_ACTOR, 'PK/GOV/BISP', { code: `extra-${i}`, name: 'x' });
      await t.platform.ledger.integrate();
      const after = (await t.platform.ledger.latestCheckpoint())!;
      expect(after.size).toBe(before.size + 3);
      const roots = await t.platform.store.tables<LedgerTables>().selectFrom('ledger_checkpoints').select(['size', 'root']).where('size', 'in', [before.size, after.size]).orderBy('size').execute();
      const proof = JSON.parse((await t.app.inject({ method: 'GET', url: `/ledger/proof/consistency?from=${before.size}&to=${after.size}` })).body) as { hashes: string[] };
      expect(verifyConsistency(before.size, after.size, proof.hashes.map(decodeBase64), roots[0]!.root, roots[1]!.root)).toMatchObject({ ok: true });
    });
  });
}

describe.runIf(postgresUrl)('ledger sequencers on several PostgreSQL nodes', () => {
  it('lets exactly one integrate at a time: one chain of consistent checkpoints, no leaf twice', async () => {
    const database = await freshDatabase('postgres', postgresUrl);
    const env = { RABTA_DATA_DIR: database.dataDir, DATABASE_URL: database.databaseUrl!, RABTA_KEYS_FILE: `${database.dataDir}/keys.json` };
    const { newKeysFile, writeKeysFile } = await import('../keyring/index.js');
    writeKeysFile(env.RABTA_KEYS_FILE, await newKeysFile());
    const nodes = [await createPlatform(loadConfig(env), { background: false }), await createPlatform(loadConfig(env), { background: false, migrate: false })];
    try {
      await nodes[0]!.registry.createMember(SYSTEM_ACTOR, { memberClass: 'GOV', code: 'NADRA', nameEn: 'NADRA', nameUr: 'نادرا' });
      for (let round = 0; round < 5; round++) {
        await Promise.all(nodes.map((node, i) => node.registry.createSubsystem(SYSTEM_ACTOR, 'PK/GOV/NADRA', { code: `s-${round}-${i}`, name: 'x' })));
        await Promise.all([...nodes, ...nodes].map((node) => node.ledger.integrate()));
      }
      await nodes[1]!.ledger.integrate();
      const db = nodes[0]!.store.tables<LedgerTables>();
      const leaves = await db.selectFrom('ledger_records').select('leaf_index').execute();
      const indexes = leaves.map((l) => l.leaf_index);
      expect(indexes.every((i) => i !== null)).toBe(true);
      expect(new Set(indexes).size).toBe(indexes.length);
      expect(Math.max(...(indexes as number[]))).toBe(indexes.length - 1);
      const checkpoints = await db.selectFrom('ledger_checkpoints').select(['size', 'root']).orderBy('size').execute();
      for (let i = 1; i < checkpoints.length; i++) {
        const [a, b] = [checkpoints[i - 1]!, checkpoints[i]!];
        const proof = await nodes[i % 2]!.ledger.consistencyProof(a.size, b.size);
        expect(verifyConsistency(a.size, b.size, proof, a.root, b.root)).toMatchObject({ ok: true });
      }
    } finally {
      for (const node of nodes) await node.close();
      await database.drop();
    }
  });
});

describe('ledger across a crash', () => {
  it('has every acknowledged exchange in the log after SIGKILL and a restart', async () => {
    const up = await upstream();
    const database = await freshDatabase('sqlite', null);
    const { createServer: netServer } = await import('node:net');
    const probe = netServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const env = { RABTA_DATA_DIR: database.dataDir, PORT: String(port), RABTA_EGRESS_ALLOW: 'loopback', RABTA_LOG_LEVEL: 'error' };
    const seeding = await createPlatform(loadConfig(env), { background: false });
    const key = await seedFederation(seeding, up.url);
    const publicUrl = seeding.config.publicUrl;
    await seeding.close();

    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    try {
      await vi.waitFor(
        async () => {
          if (!(await fetch(`${publicUrl}/healthz`).then((r) => r.ok, () => false))) throw new Error('the instance did not start');
        },
        // A loaded machine takes tens of seconds to start a process that compiles TypeScript as it loads.
        { timeout: 120_000, interval: 100 },
      );
      const acknowledged: string[] = [];
      let stop = false;
      const load = Array.from({ length: 8 }, async () => {
        while (!stop) {
          const headers = await signedHeaders(publicUrl, PATH, key);
          const response = await fetch(`${publicUrl}${PATH}`, { headers }).catch(() => undefined);
          if (response?.status === 200) acknowledged.push(response.headers.get('rabta-exchange-id') as string);
          await response?.arrayBuffer().catch(() => undefined);
        }
      });
      // Killed once enough exchanges were acknowledged, however long the machine takes to get there.
      await vi.waitFor(
        () => {
          if (acknowledged.length < 25) throw new Error(`only ${acknowledged.length} of 25 exchanges acknowledged before the kill`);
        },
        { timeout: 30_000, interval: 10 },
      );
      child.kill('SIGKILL');
      stop = true;
      await Promise.all(load);

      const restarted = await createPlatform(loadConfig(env), { background: false });
      try {
        const records = async () => {
          const logged = await restarted.store.tables<LedgerTables>().selectFrom('ledger_records').select(['ref', 'leaf_index']).where('kind', '=', LEAF_KIND.exchange).execute();
          return new Map(logged.map((l) => [l.ref, l.leaf_index]));
        };
        // Every acknowledged exchange was recorded with its leaf queued before its reply: nothing is missing outright.
        const queued = await records();
        expect(acknowledged.filter((id) => !queued.has(id))).toEqual([]);
        // The dead process may have held the sequencer's lease; once it lapses (15 s on SQLite) the queue is integrated.
        await vi.waitFor(
          async () => {
            await restarted.ledger.integrate();
            const byRef = await records();
            const unintegrated = acknowledged.filter((id) => byRef.get(id) === undefined || byRef.get(id) === null);
            if (unintegrated.length > 0) throw new Error(`${unintegrated.length} acknowledged exchanges not yet integrated`);
          },
          { timeout: 60_000, interval: 500 },
        );
        const sample = acknowledged[acknowledged.length - 1]!;
        const receipt = await restarted.ledger.receipt(LEAF_KIND.exchange, sample);
        expect(verifyTlogProof({ proofText: receipt!.proof, entry: decodeBase64(receipt!.entry), logVkey: restarted.ledger.vkey, witnessVkeys: [], quorum: 0 }).ok).toBe(true);
      } finally {
        await restarted.close();
      }
    } finally {
      child.kill('SIGKILL');
      up.server.close();
      await database.drop();
    }
  }, 240_000);
});
