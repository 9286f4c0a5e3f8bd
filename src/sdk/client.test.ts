import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RabtaError } from '../core/index.js';
import { RabtaClient, RabtaProblemError, fromKeyFile } from './client.js';
import { digestMatches, sha256 } from './digest.js';
import { fetchInstanceKeys, instanceKeySource } from './instance-keys.js';
import { generateSubsystemKey, publicJwkOf, publicKeyFromJwk } from './keys.js';
import { requestHasBody, targetUriOf } from './profile.js';
import { signResponse } from './sign.js';
import { testKey } from './testing.js';
import { verifyRequest } from './verify.js';

/** A stand-in for Rabta's gateway: it verifies like the real one and signs its answers. */
const exchange = await testKey();
const retired = await testKey();
const member = await generateSubsystemKey();
const CLIENT = 'PK/BANK/HBL/branch-app';
let server: Server;
let base = '';
let wellKnown: unknown;
const seen: { path?: string; purpose?: string; subject?: string; body?: string } = {};

function problem(res: ServerResponse, status: number, code: string, extra: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/problem+json', ...extra });
  res.end(JSON.stringify({ type: `https://rabta.pk/problems/${code}`, title: code, status, detail: `because ${code}` }));
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  if (req.url === '/.well-known/rabta.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(wellKnown));
  try {
    await verifyRequest({
      method: req.method!,
      targetUri: targetUriOf(base, req.url!),
      headers: req.headers,
      hasBody: requestHasBody(req.headers),
      tag: 'rabta-request',
      resolveKey: async (kid) => {
        if (kid !== member.keyId) throw new RabtaError('unknown-key', kid);
        return publicKeyFromJwk(member.publicJwk);
      },
    });
    if (requestHasBody(req.headers) && !digestMatches(req.headers['content-digest'], sha256(body))) throw new RabtaError('digest-mismatch');
  } catch (error) {
    return problem(res, 401, (error as RabtaError).code); // refused before authentication: unsigned
  }
  Object.assign(seen, { path: req.url, purpose: req.headers['rabta-purpose'], subject: req.headers['rabta-subject'], body: body.toString() });
  const path = new URL(req.url!, 'http://x').pathname;
  const answer = async (status: number, headers: Record<string, string>, payload: string, signer = exchange) => {
    const all = { ...headers, 'rabta-exchange-id': 'ex-42' };
    const signed = await signResponse({ status, headers: all, body: Buffer.from(payload), request: { signature: req.headers.signature! }, keyId: signer.keyId, privateKey: signer.privateKey });
    res.writeHead(status, { ...all, ...signed }).end(payload);
  };
  switch (path) {
    case '/x/PK/GOV/BISP/payments/status/v1/ok':
      return answer(200, { 'content-type': 'application/json' }, JSON.stringify({ paid: true, method: req.method }));
    case '/x/PK/GOV/BISP/payments/status/v1/refused': {
      const doc = JSON.stringify({ type: 'https://rabta.pk/problems/no-access-right', title: 't', status: 403, detail: 'no right' });
      return answer(403, { 'content-type': 'application/problem+json' }, doc);
    }
    case '/x/PK/GOV/BISP/payments/status/v1/upstream-error': {
      // the upstream's own problem document, even one imitating Rabta's types, is the upstream's
      const doc = JSON.stringify({ type: 'https://rabta.pk/problems/internal', title: 'upstream', status: 500 });
      return answer(500, { 'content-type': 'application/problem+json', 'rabta-origin': 'upstream' }, doc);
    }
    case '/x/PK/GOV/BISP/payments/status/v1/forged':
      return answer(200, {}, 'forged', retired);
    case '/x/PK/GOV/BISP/payments/status/v1/unsigned':
      return void res.writeHead(200, { 'rabta-exchange-id': 'ex-42' }).end('plain');
    default:
      return problem(res, 404, 'not-found');
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const now = Date.now();
  wellKnown = {
    instance: 'PK',
    publicBaseUrl: base,
    apis: { exchange: `${base}/x` },
    keys: [
      { use: 'exchange', jwk: { ...publicJwkOf(exchange.publicKey), kid: exchange.keyId, alg: 'EdDSA' }, notBefore: iso(now - 60_000), notAfter: null },
      { use: 'exchange', jwk: { ...publicJwkOf(retired.publicKey), kid: retired.keyId }, notBefore: iso(now - 120_000), notAfter: iso(now - 1000) },
      { use: 'consent', jwk: { ...publicJwkOf(retired.publicKey), kid: retired.keyId }, notBefore: iso(now - 120_000), notAfter: null },
      { use: 'log', vkey: 'rabta.example.pk/ledger+abcd1234+AQ' },
    ],
  };
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = (exchangeKeys?: ReadonlyMap<string, import('node:crypto').KeyObject>) =>
  new RabtaClient({ baseUrl: `${base}/`, client: CLIENT, keyId: member.keyId, privateKey: member.privateKeyPem, exchangeKeys });

describe('fetchInstanceKeys', () => {
  it('returns the exchange keys in force, by thumbprint', async () => {
    const keys = await fetchInstanceKeys(base);
    expect([...keys.keys()]).toEqual([exchange.keyId]);
    expect(keys.get(exchange.keyId)?.asymmetricKeyType).toBe('ed25519');
  });

  it('refuses a kid that is not the thumbprint, and a document without keys in force', async () => {
    const saved = wellKnown;
    wellKnown = { keys: [{ use: 'exchange', jwk: { ...publicJwkOf(exchange.publicKey), kid: retired.keyId }, notBefore: null, notAfter: null }] };
    await expect(fetchInstanceKeys(base)).rejects.toThrow(/not the key's thumbprint/);
    wellKnown = { keys: [] };
    await expect(fetchInstanceKeys(base)).rejects.toThrow(/no exchange key in force/);
    wellKnown = saved;
  });
});

describe('instanceKeySource', () => {
  it('caches, re-reads for an unknown kid at most so often, and keeps its keys when Rabta is away', async () => {
    const t0 = Date.now();
    let clock = t0;
    let reads = 0;
    const counting = createServer((req, res) => {
      reads++;
      if (clock >= t0 + 5000) return void res.writeHead(503).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(wellKnown));
    });
    await new Promise<void>((resolve) => counting.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(counting.address() as AddressInfo).port}/.well-known/rabta.json`;
    const resolve = instanceKeySource(url, { now: () => clock, refreshMs: 1000, unknownKidRefetchMs: 100 });
    try {
      expect((await resolve(exchange.keyId)).asymmetricKeyType).toBe('ed25519');
      await resolve(exchange.keyId);
      expect(reads).toBe(1);
      await expect(resolve(retired.keyId)).rejects.toMatchObject({ code: 'unknown-key' });
      await expect(resolve(retired.keyId)).rejects.toMatchObject({ code: 'unknown-key' });
      expect(reads).toBe(1); // read just now: no second read for an unknown kid
      clock = t0 + 200;
      await expect(resolve(retired.keyId)).rejects.toMatchObject({ code: 'unknown-key' });
      expect(reads).toBe(2);
      clock = t0 + 5000; // Rabta now fails; the cached keys still serve
      await expect(resolve(exchange.keyId)).resolves.toBeDefined();
      expect(reads).toBe(3);
    } finally {
      counting.close();
    }
  });
});

describe('RabtaClient', () => {
  it('signs calls Rabta accepts and verifies the signed answer', async () => {
    const keys = await fetchInstanceKeys(base);
    const r = await client(keys).call({ method: 'post', path: '/x/PK/GOV/BISP/payments/status/v1/ok?x=1', purpose: 'bisp-payment-status', subject: '35202-1234567-1', json: { batch: [1] } });
    expect(r.status).toBe(200);
    expect(r.responseVerified).toBe(true);
    expect(r.exchangeId).toBe('ex-42');
    expect(r.origin).toBe('rabta');
    expect(r.json()).toEqual({ paid: true, method: 'POST' });
    expect(seen).toMatchObject({ path: '/x/PK/GOV/BISP/payments/status/v1/ok?x=1', purpose: 'bisp-payment-status', subject: '35202-1234567-1', body: '{"batch":[1]}' });
  });

  it('signs the URL as it is sent, after normalization', async () => {
    const r = await client().call({ path: '/x/PK/GOV/BISP/payments/status/v1/./ok?q=a b' });
    expect(r.status).toBe(200);
    expect(seen.path).toBe('/x/PK/GOV/BISP/payments/status/v1/ok?q=a%20b');
    expect(r.responseVerified).toBe(false); // no exchange keys given
  });

  it('throws Rabta’s own refusals as RabtaProblemError', async () => {
    const error = await client(await fetchInstanceKeys(base)).call({ path: '/x/PK/GOV/BISP/payments/status/v1/refused' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RabtaProblemError);
    expect(error).toMatchObject({ code: 'no-access-right', status: 403, detail: 'no right', exchangeId: 'ex-42', responseVerified: true });
  });

  it('throws an unsigned refusal before authentication too', async () => {
    const stranger = new RabtaClient({ baseUrl: base, client: CLIENT, keyId: exchange.keyId, privateKey: exchange.privateKey, exchangeKeys: await fetchInstanceKeys(base) });
    await expect(stranger.call({ path: '/x/PK/GOV/BISP/payments/status/v1/ok' })).rejects.toMatchObject({ name: 'RabtaProblemError', code: 'unknown-key', status: 401, responseVerified: false });
  });

  it('returns an upstream’s error, marked as the upstream’s', async () => {
    const r = await client(await fetchInstanceKeys(base)).call({ path: '/x/PK/GOV/BISP/payments/status/v1/upstream-error' });
    expect(r).toMatchObject({ status: 500, origin: 'upstream', responseVerified: true });
    expect(r.json()).toMatchObject({ title: 'upstream' });
  });

  it('refuses answers not signed by a current exchange key', async () => {
    const keys = await fetchInstanceKeys(base);
    await expect(client(keys).call({ path: '/x/PK/GOV/BISP/payments/status/v1/forged' })).rejects.toMatchObject({ code: 'unknown-key' });
    await expect(client(keys).call({ path: '/x/PK/GOV/BISP/payments/status/v1/unsigned' })).rejects.toMatchObject({ code: 'missing-header' });
    await expect(client(new Map([[retired.keyId, exchange.publicKey]]))
      .call({ path: '/x/PK/GOV/BISP/payments/status/v1/forged' })).rejects.toMatchObject({ code: 'bad-signature' });
  });

  it('keeps Rabta-* and signature headers to itself', async () => {
    await expect(client().call({ path: '/x/a', headers: { 'Rabta-Client': 'PK/X/Y/z' } })).rejects.toThrow(/set by the SDK/);
    await expect(client().call({ path: 'x/a' })).rejects.toThrow(/must start with/);
  });

  it('is built from a demo key file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rabta-client-')), 'hbl.json');
    writeFileSync(file, JSON.stringify({ client: CLIENT, keyId: member.keyId, privateKeyPem: member.privateKeyPem, example: { method: 'GET', path: '/x/PK/GOV/BISP/payments/status/v1/ok' } }));
    const r = await (await fromKeyFile(file, base)).call({ path: '/x/PK/GOV/BISP/payments/status/v1/ok' });
    expect(r).toMatchObject({ status: 200, responseVerified: true });
  });
});
