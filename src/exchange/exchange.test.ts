import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SYSTEM_ACTOR, PROBLEM_BASE } from '../core/index.js';
import { startTestInstance } from '../platform/testing.js';
import type { TestInstance } from '../platform/testing.js';
import { signRequest, verifyForwarded, verifyResponse } from '../sdk/index.js';
import { testDialects } from '../store/testing.js';
import type { ExchangeTables } from './tables.js';

const postgresUrl = inject('postgresUrl');
const SUBJECT = '54400-1234567-2';

interface ClientKey {
  client: string;
  keyId: string;
  privateKey: KeyObject;
}

async function newKey(client: string): Promise<ClientKey & { jwk: Record<string, unknown> }> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  return { client, keyId: await calculateJwkThumbprint(jwk as { kty: string; crv: string; x: string }, 'sha256'), privateKey, jwk };
}

/** The simulated provider: answers only what Rabta signed, and says what it saw. */
async function startProvider(exchangeKeys: () => Map<string, KeyObject>) {
  let hits = 0;
  const server: Server = createServer(async (request: IncomingMessage, response) => {
    hits++;
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (request.url?.startsWith('/hang')) return; // never answers
    try {
      const address = server.address() as AddressInfo;
      const verified = await verifyForwarded({ method: request.method ?? 'GET', targetUri: `http://127.0.0.1:${address.port}${request.url}`, headers: request.headers, body, exchangeKeys: exchangeKeys() });
      if (request.url?.startsWith('/fail')) {
        response.writeHead(503, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ type: 'https://provider.example/down', title: 'down', status: 503 }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'x=1' }).end(
        JSON.stringify({ client: verified.client, purpose: verified.purpose, subject: verified.subject, exchangeId: verified.exchangeId, sawSignatureFromClient: request.headers['x-client-signature'] ?? null, bytes: body.length, leakedHeader: request.headers['rabta-injected'] ?? null, path: request.url }),
      );
    } catch (error) {
      response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ refused: (error as Error).message }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

for (const dialect of testDialects(postgresUrl)) {
  describe(`exchange on ${dialect}`, () => {
    let t: TestInstance;
    let provider: Awaited<ReturnType<typeof startProvider>>;
    let hbl: ClientKey;
    let jazz: ClientKey;
    let hblOther: ClientKey & { jwk: Record<string, unknown> };
    const exchangeKeys = () => new Map(t.platform.keyring.exchange.map((k) => [k.kid, k.publicKey]));

    const send = async (
      method: string,
      path: string,
      options: { key?: ClientKey; client?: string; headers?: Record<string, string>; body?: string | Buffer; created?: number; expiresIn?: number; nonce?: string; tamper?: (h: Record<string, string>) => void; host?: string } = {},
    ) => {
      const key = options.key ?? hbl;
      const headers: Record<string, string> = { 'rabta-client': options.client ?? key.client, ...options.headers };
      const body = options.body === undefined ? undefined : Buffer.from(options.body);
      const signed = await signRequest({
        method,
        targetUri: `${t.platform.config.publicUrl}${path}`,
        headers,
        body,
        keyId: key.keyId,
        privateKey: key.privateKey,
        tag: 'rabta-request',
        created: options.created,
        expiresIn: options.expiresIn,
        nonce: options.nonce,
      });
      Object.assign(headers, signed);
      options.tamper?.(headers);
      const response = await t.app.inject({ method: method as 'GET', url: path, headers: { ...headers, ...(options.host ? { host: options.host } : {}) }, payload: body });
      return { response, requestSignature: headers.signature as string, json: () => JSON.parse(response.body) as Record<string, unknown> };
    };
    const expectProblem = (r: Awaited<ReturnType<typeof send>>, status: number, code: string) => {
      expect({ status: r.response.statusCode, type: r.json().type }).toEqual({ status, type: PROBLEM_BASE + code });
      expect(r.response.headers['content-type']).toContain('application/problem+json');
    };
    const STATUS = '/x/PK/GOV/BISP/payments/status/beneficiaries/status';

    beforeAll(async () => {
      t = await startTestInstance(dialect, postgresUrl, { env: { RABTA_UPSTREAM_TIMEOUT_MS: '3000' } });
      provider = await startProvider(exchangeKeys);
      const r = t.platform.registry;
      const a = SYSTEM_ACTOR;
      for (const [cls, code] of [['GOV', 'BISP'], ['BANK', 'HBL'], ['TELCO', 'JAZZ']] as const) await r.createMember(a, { memberClass: cls, code, nameEn: code, nameUr: code });
      await r.createSubsystem(a, 'PK/GOV/BISP', { code: 'payments', name: 'payments' });
      await r.createSubsystem(a, 'PK/BANK/HBL', { code: 'branch-app', name: 'branch' });
      await r.createSubsystem(a, 'PK/TELCO/JAZZ', { code: 'sims', name: 'sims' });
      const keys = [await newKey('PK/BANK/HBL/branch-app'), await newKey('PK/TELCO/JAZZ/sims'), await newKey('PK/BANK/HBL/branch-app')];
      for (const k of keys) {
        await r.registerKey(a, k.client, { jwk: k.jwk });
      }
      await r.approveKey(a, keys[0]!.keyId);
      await r.approveKey(a, keys[1]!.keyId);
      [hbl, jazz, hblOther] = keys as [typeof hbl, typeof jazz, typeof hblOther];
      await r.createPurpose(a, { code: 'disbursement', nameEn: 'd', nameUr: 'd', legalBasis: 'statute', statute: 'BISP Act 2010' });
      await r.createPurpose(a, { code: 'support', nameEn: 's', nameUr: 's', legalBasis: 'consent', statute: null });
      await r.createPurpose(a, { code: 'marketing', nameEn: 'm', nameUr: 'm', legalBasis: 'consent', statute: null });
      const svc = (code: string, upstreamUrl: string, extra: Record<string, unknown> = {}) =>
        r.createService(a, 'PK/GOV/BISP/payments', { code, title: code, upstreamUrl, ...extra });
      await svc('status', provider.url, { personal: true, subjectLocation: 'header', bodyLimit: 1024 });
      await svc('batches', provider.url, { personal: true, subjectLocation: 'rows[].cnic', bodyLimit: 2 * 1024 * 1024 });
      await svc('open', provider.url, { quotaPerMinute: 2 });
      await svc('off', provider.url, { enabled: false });
      await svc('private', 'http://10.20.30.40:8080');
      await svc('dead', 'http://127.0.0.1:1');
      await svc('slow', `${provider.url}/hang`);
      await svc('flaky', `${provider.url}/fail`);
      for (const code of ['status', 'batches', 'open', 'off', 'private', 'dead', 'slow', 'flaky']) {
        await r.grantAccess(a, { serviceId: `PK/GOV/BISP/payments/${code}`, clientId: hbl.client, purposes: ['disbursement', 'support'] });
      }
    });
    afterAll(async () => {
      await t?.close();
      provider?.server.close();
    });

    it('forwards a signed call, signs the forward and the response, and records it', async () => {
      const r = await send('GET', STATUS, { headers: { 'rabta-purpose': 'disbursement', 'rabta-subject': SUBJECT, 'rabta-injected': 'evil' } });
      expect(r.response.statusCode).toBe(200);
      const seen = r.json();
      expect(seen).toMatchObject({ client: hbl.client, purpose: 'disbursement', subject: SUBJECT, leakedHeader: null });
      const exchangeId = r.response.headers['rabta-exchange-id'] as string;
      expect(seen.exchangeId).toBe(exchangeId);
      expect(r.response.headers['set-cookie']).toBeUndefined();
      expect(r.response.headers['rabta-origin']).toBe('upstream');
      await verifyResponse({
        status: 200,
        headers: r.response.headers as Record<string, string>,
        body: r.response.rawPayload,
        request: { signature: r.requestSignature },
        resolveKey: async (kid) => exchangeKeys().get(kid) as KeyObject,
      });
      const row = await t.platform.store.tables<ExchangeTables>().selectFrom('exchanges').selectAll().where('id', '=', exchangeId).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ client_id: hbl.client, service_id: 'PK/GOV/BISP/payments/status', status: 200, outcome: 'ok', purpose: 'disbursement', legal_basis: 'statute' });
      expect(row.subjects).not.toContain('1234567');
      expect(JSON.parse(row.subjects as string)).toHaveLength(1);
    });

    it('rebuilds @target-uri from the public URL, whatever Host a load balancer sends', async () => {
      const r = await send('GET', STATUS, { headers: { 'rabta-purpose': 'disbursement', 'rabta-subject': SUBJECT }, host: '10.0.0.7:3000' });
      expect(r.response.statusCode).toBe(200);
    });

    it('refuses what fails authentication, with a precise problem each', async () => {
      const h = { 'rabta-purpose': 'disbursement', 'rabta-subject': SUBJECT };
      expectProblem(await send('GET', STATUS, { headers: h, tamper: (x) => delete x['rabta-client'] }), 400, 'missing-header');
      expectProblem(await send('GET', STATUS, { headers: h, tamper: (x) => delete x.signature }), 400, 'missing-header');
      expectProblem(await send('GET', STATUS, { headers: h, tamper: (x) => (x['signature-input'] = 'garbage((') }), 400, 'malformed-signature');
      expectProblem(await send('GET', STATUS, { headers: h, client: 'PK/BANK/NOBODY/app' }), 401, 'unknown-client');
      const stranger = await newKey(hbl.client);
      expectProblem(await send('GET', STATUS, { headers: h, key: stranger }), 401, 'unknown-key');
      expectProblem(await send('GET', STATUS, { headers: h, key: jazz, client: hbl.client }), 401, 'key-not-of-client');
      expectProblem(await send('GET', STATUS, { headers: h, key: hblOther }), 401, 'key-not-approved');
      expectProblem(await send('GET', STATUS, { headers: h, tamper: (x) => (x['rabta-purpose'] = 'support') }), 401, 'bad-signature');
      // a signature made for one path, sent on another
      const moved: Record<string, string> = { 'rabta-client': hbl.client, ...h };
      Object.assign(moved, await signRequest({ method: 'GET', targetUri: `${t.platform.config.publicUrl}${STATUS}`, headers: moved, keyId: hbl.keyId, privateKey: hbl.privateKey, tag: 'rabta-request' }));
      const resent = await t.app.inject({ method: 'GET', url: `${STATUS}?changed=1`, headers: moved });
      expect(JSON.parse(resent.body).type).toBe(PROBLEM_BASE + 'bad-signature');
      const revoked = await newKey(hbl.client);
      await t.platform.registry.registerKey(SYSTEM_ACTOR, hbl.client, { jwk: revoked.jwk });
      await t.platform.registry.approveKey(SYSTEM_ACTOR, revoked.keyId);
      expect((await send('GET', STATUS, { headers: h, key: revoked })).response.statusCode).toBe(200);
      await t.platform.registry.revokeKey(SYSTEM_ACTOR, revoked.keyId, 'laptop stolen');
      expectProblem(await send('GET', STATUS, { headers: h, key: revoked }), 401, 'key-revoked');
      const expired = await newKey(hbl.client);
      await t.platform.registry.registerKey(SYSTEM_ACTOR, hbl.client, { jwk: expired.jwk, notBefore: '2025-01-01T00:00:00Z', notAfter: '2025-06-01T00:00:00Z' });
      await t.platform.registry.approveKey(SYSTEM_ACTOR, expired.keyId);
      expectProblem(await send('GET', STATUS, { headers: h, key: expired }), 401, 'key-expired');
      const now = Date.now();
      expectProblem(await send('GET', STATUS, { headers: h, created: now - 120_000, expiresIn: 60 }), 401, 'signature-expired');
      expectProblem(await send('GET', STATUS, { headers: h, created: now + 120_000 }), 401, 'signature-not-yet-valid');
      const long = await send('GET', STATUS, { headers: h, tamper: (x) => (x['signature-input'] = x['signature-input']!.replace(/expires=(\d+)/, (_m, e: string) => `expires=${Number(e) + 600}`)) });
      expectProblem(long, 401, 'signature-window-too-long');
    });

    it('refuses a replayed nonce and a changed byte', async () => {
      const h = { 'rabta-purpose': 'disbursement', 'rabta-subject': SUBJECT };
      const first = await send('GET', STATUS, { headers: h, nonce: 'replay-nonce-0123456789abcdef' });
      expect(first.response.statusCode).toBe(200);
      expectProblem(await send('GET', STATUS, { headers: h, nonce: 'replay-nonce-0123456789abcdef' }), 401, 'nonce-replayed');
      const body = JSON.stringify({ batchId: 'B1', rows: [{ cnic: SUBJECT, amountPkr: 13500 }] });
      const tampered = await send('POST', '/x/PK/GOV/BISP/payments/batches/in', {
        headers: { 'rabta-purpose': 'disbursement', 'content-type': 'application/json' },
        body,
        tamper: (x) => (x['content-digest'] = x['content-digest']!.replace(/^sha-256=:./, (m) => (m.endsWith('A') ? m.slice(0, -1) + 'B' : m.slice(0, -1) + 'A'))),
      });
      expect([401, 400]).toContain(tampered.response.statusCode);
      expect([PROBLEM_BASE + 'bad-signature', PROBLEM_BASE + 'digest-mismatch']).toContain(tampered.json().type);
    });

    it('finds a changed body byte with the digest, after the signature verified', async () => {
      const path = '/x/PK/GOV/BISP/payments/batches/in';
      const body = JSON.stringify({ batchId: 'B1', rows: [{ cnic: SUBJECT, amountPkr: 13500 }] });
      const headers: Record<string, string> = { 'rabta-client': hbl.client, 'rabta-purpose': 'disbursement', 'content-type': 'application/json' };
      Object.assign(headers, await signRequest({ method: 'POST', targetUri: `${t.platform.config.publicUrl}${path}`, headers, body: Buffer.from(body), keyId: hbl.keyId, privateKey: hbl.privateKey, tag: 'rabta-request' }));
      const response = await t.app.inject({ method: 'POST', url: path, headers, payload: body.replace('13500', '13501') });
      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body).type).toBe(PROBLEM_BASE + 'digest-mismatch');
      expect(response.headers['rabta-exchange-id']).toBeDefined();
    });

    it('refuses dot segments below the service, raw or encoded, and records exactly the path it forwards', async () => {
      const h = { 'rabta-purpose': 'disbursement', 'rabta-subject': SUBJECT };
      const before = provider.hits();
      // over a real socket with node:http, which sends the path as given (inject and fetch would resolve the dots first)
      if (!t.app.server.listening) await t.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (t.app.server.address() as AddressInfo).port;
      for (const rest of ['..', '.', '%2e%2e', '%2E%2e', '.%2E', '%2e', '%252e%252e', '..%2fopen', '%2F', 'a%5Cb', 'a\\b']) {
        const path = `/x/PK/GOV/BISP/payments/status/beneficiaries/${rest}/open/a`;
        const headers: Record<string, string> = { 'rabta-client': hbl.client, ...h };
        Object.assign(headers, await signRequest({ method: 'GET', targetUri: `${t.platform.config.publicUrl}${path}`, headers, keyId: hbl.keyId, privateKey: hbl.privateKey, tag: 'rabta-request' }));
        const answer = await new Promise<{ status: number; type: string; exchangeId: string }>((resolve, reject) => {
          const sent = httpRequest({ host: '127.0.0.1', port, path, headers }, (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (c: Buffer) => chunks.push(c));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, type: JSON.parse(Buffer.concat(chunks).toString()).type, exchangeId: response.headers['rabta-exchange-id'] as string }));
          });
          sent.on('error', reject);
          sent.end();
        });
        expect({ rest, status: answer.status, type: answer.type }).toEqual({ rest, status: 400, type: PROBLEM_BASE + 'dot-segment' });
        const row = await t.platform.store.tables<ExchangeTables>().selectFrom('exchanges').select('outcome').where('id', '=', answer.exchangeId).executeTakeFirstOrThrow();
        expect(row.outcome).toBe('dot-segment');
      }
      expect(provider.hits()).toBe(before);
      // dots inside a segment are just characters: forwarded, and recorded as the provider saw them
      const ok = await send('GET', '/x/PK/GOV/BISP/payments/status/files/v1.2/a..b?x=1', { headers: h });
      expect(ok.response.statusCode).toBe(200);
      expect(ok.json().path).toBe('/files/v1.2/a..b?x=1');
      const row = await t.platform.store.tables<ExchangeTables>().selectFrom('exchanges').select('path').where('id', '=', ok.response.headers['rabta-exchange-id'] as string).executeTakeFirstOrThrow();
      expect(row.path).toBe('/files/v1.2/a..b');
    });

    it('authorises: service, access right, purpose, legal basis, subject', async () => {
      const h = { 'rabta-purpose': 'disbursement', 'rabta-subject': SUBJECT };
      expectProblem(await send('GET', '/x/PK/GOV/BISP/payments/none/x', { headers: h }), 404, 'unknown-service');
      expectProblem(await send('GET', '/x/PK/GOV/BISP/payments/off/x', { headers: h }), 503, 'service-disabled');
      expectProblem(await send('GET', STATUS, { key: jazz, headers: h }), 403, 'no-access-right');
      expectProblem(await send('GET', STATUS, { headers: { ...h, 'rabta-purpose': 'marketing' } }), 403, 'purpose-not-allowed');
      expectProblem(await send('GET', STATUS, { headers: { ...h, 'rabta-purpose': 'gossip' } }), 400, 'unknown-purpose');
      expectProblem(await send('GET', STATUS, { headers: { 'rabta-subject': SUBJECT } }), 400, 'purpose-required');
      expectProblem(await send('GET', STATUS, { headers: { ...h, 'rabta-purpose': 'support' } }), 403, 'consent-missing');
      expectProblem(await send('GET', STATUS, { headers: { 'rabta-purpose': 'disbursement' } }), 400, 'subject-missing');
      expectProblem(await send('GET', STATUS, { headers: { ...h, 'rabta-subject': '12345' } }), 400, 'subject-malformed');
      const batch = (rows: unknown) => send('POST', '/x/PK/GOV/BISP/payments/batches/in', { headers: { 'rabta-purpose': 'disbursement', 'content-type': 'application/json' }, body: JSON.stringify({ rows }) });
      expectProblem(await batch([{ cnic: SUBJECT }, { cnic: 'nope' }]), 400, 'subject-malformed');
      const ok = await batch([{ cnic: SUBJECT }, { cnic: '35202-7654321-1' }]);
      expect(ok.response.statusCode).toBe(200);
      const row = await t.platform.store.tables<ExchangeTables>().selectFrom('exchanges').select('subjects').where('id', '=', ok.response.headers['rabta-exchange-id'] as string).executeTakeFirstOrThrow();
      expect(JSON.parse(row.subjects as string)).toHaveLength(2);
    });

    it('limits bodies per service, spooling large ones to disk', async () => {
      const h = { 'rabta-purpose': 'disbursement', 'rabta-subject': SUBJECT, 'content-type': 'application/octet-stream' };
      expectProblem(await send('POST', STATUS, { headers: h, body: Buffer.alloc(4096, 1) }), 413, 'body-too-large');
      const rows = Array.from({ length: 8000 }, () => ({ cnic: SUBJECT, amountPkr: 13500, note: 'x'.repeat(40) }));
      const big = await send('POST', '/x/PK/GOV/BISP/payments/batches/in', { headers: { 'rabta-purpose': 'disbursement', 'content-type': 'application/json' }, body: JSON.stringify({ rows }) });
      expect(big.response.statusCode).toBe(200);
      expect(big.json().bytes).toBeGreaterThan(256 * 1024);
    });

    it('applies the quota with Retry-After', async () => {
      expect((await send('GET', '/x/PK/GOV/BISP/payments/open/a')).response.statusCode).toBe(200);
      expect((await send('GET', '/x/PK/GOV/BISP/payments/open/a')).response.statusCode).toBe(200);
      const third = await send('GET', '/x/PK/GOV/BISP/payments/open/a');
      expectProblem(third, 429, 'quota-exceeded');
      expect(Number(third.response.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('passes the upstream’s own error through, marked as the upstream’s', async () => {
      const r = await send('GET', '/x/PK/GOV/BISP/payments/flaky/x');
      expect(r.response.statusCode).toBe(503);
      expect(r.response.headers['rabta-origin']).toBe('upstream');
      expect(r.json().type).toBe('https://provider.example/down');
      const row = await t.platform.store.tables<ExchangeTables>().selectFrom('exchanges').select('outcome').where('id', '=', r.response.headers['rabta-exchange-id'] as string).executeTakeFirstOrThrow();
      expect(row.outcome).toBe('upstream-error');
    });

    it('refuses forbidden egress, and names timeouts, unreachable upstreams and open circuits', async () => {
      expectProblem(await send('GET', '/x/PK/GOV/BISP/payments/private/x'), 502, 'egress-refused');
      expectProblem(await send('GET', '/x/PK/GOV/BISP/payments/slow/x'), 504, 'upstream-timeout');
      let last: Awaited<ReturnType<typeof send>> | undefined;
      for (let i = 0; i < 8; i++) {
        last = await send('GET', '/x/PK/GOV/BISP/payments/dead/x');
        if (i === 0) expectProblem(last, 502, 'upstream-unreachable');
      }
      expectProblem(last!, 503, 'circuit-open');
    });

    it('lets nobody reach the provider without Rabta’s signature', async () => {
      const response = await fetch(`${provider.url}/beneficiaries/status`, { headers: { 'rabta-client': hbl.client, 'rabta-subject': SUBJECT } });
      expect(response.status).toBe(401);
    });
  });
}
