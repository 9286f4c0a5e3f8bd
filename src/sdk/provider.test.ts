import { createServer } from 'node:http';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { publicJwkOf } from './keys.js';
import { rabtaListener, rabtaProvider } from './provider-http.js';
import type { RabtaProviderOptions, RabtaProviderRequest } from './provider-http.js';
import { verifyForwarded } from './provider.js';
import { signRequest } from './sign.js';
import { codeOf, testKey } from './testing.js';
import type { TestKey } from './testing.js';

const exchange = await testKey();
const member = await testKey();
const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

async function listen(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** What Rabta sends an upstream: the verified facts in Rabta-* headers, signed with the exchange key. */
async function forward(base: string, path: string, options: { body?: string; signer?: TestKey; tag?: 'rabta-forward' | 'rabta-request'; headers?: Record<string, string> } = {}) {
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const headers: Record<string, string> = options.headers ?? {
    'rabta-client': 'PK/BANK/HBL/branch-app',
    'rabta-purpose': 'bisp-payment-status',
    'rabta-subject': '35202-1234567-1',
    'rabta-exchange-id': '01JX',
  };
  const signer = options.signer ?? exchange;
  const signed = await signRequest({ method: body ? 'POST' : 'GET', targetUri: base + path, headers, body, keyId: signer.keyId, privateKey: signer.privateKey, tag: options.tag ?? 'rabta-forward' });
  return { method: body ? ('POST' as const) : ('GET' as const), headers: { ...headers, ...signed }, body };
}

async function send(base: string, path: string, init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: Buffer | string }) {
  const r = await request(base + path, init);
  return { status: r.statusCode, type: r.headers['content-type'], json: (await r.body.json()) as Record<string, unknown> };
}

const echo = (req: RabtaProviderRequest, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ rabta: { ...req.rabta, signature: undefined }, body: req.rawBody?.toString() }));
};

describe('verifyForwarded', () => {
  it('returns what Rabta verified', async () => {
    const f = await forward('https://upstream.bisp.gov.pk', '/v1/status?id=7', { body: '{"a":1}' });
    const headers = Object.fromEntries(Object.entries(f.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const result = await verifyForwarded({ method: 'POST', targetUri: 'https://upstream.bisp.gov.pk/v1/status?id=7', headers, body: f.body!, exchangeKeys: new Map([[exchange.keyId, exchange.publicKey]]) });
    expect(result).toMatchObject({ client: 'PK/BANK/HBL/branch-app', purpose: 'bisp-payment-status', subject: '35202-1234567-1', exchangeId: '01JX', signature: { keyId: exchange.keyId } });
    const keys = new Map([[exchange.keyId, exchange.publicKey]]);
    expect(await codeOf(verifyForwarded({ method: 'POST', targetUri: 'https://upstream.bisp.gov.pk/v1/status?id=7', headers, body: Buffer.from('{"a":2}'), exchangeKeys: keys }))).toBe('digest-mismatch');
    expect(await codeOf(verifyForwarded({ method: 'POST', targetUri: 'https://upstream.bisp.gov.pk/v1/status?id=7', headers, body: f.body!, exchangeKeys: new Map() }))).toBe('unknown-key');
  });
});

describe('rabtaListener on a real server', () => {
  const options = (base: () => string, extra: Partial<RabtaProviderOptions> = {}): RabtaProviderOptions => ({
    get publicBaseUrl() {
      return base();
    },
    exchangeKeys: new Map([[exchange.keyId, exchange.publicKey]]),
    maxBodyBytes: 64,
    ...extra,
  });
  let base = '';
  const ready = listen(rabtaListener(options(() => base), echo)).then((b) => (base = b));

  it('hands verified requests, with body, to the handler', async () => {
    await ready;
    const f = await forward(base, '/v1/pay?x=1', { body: '{"amount":5000}' });
    const r = await send(base, '/v1/pay?x=1', f);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ rabta: { client: 'PK/BANK/HBL/branch-app', purpose: 'bisp-payment-status', subject: '35202-1234567-1', exchangeId: '01JX' }, body: '{"amount":5000}' });
  });

  it('refuses with RFC 9457 problems', async () => {
    await ready;
    const unsigned = await send(base, '/v1/pay', { method: 'GET', headers: { 'rabta-client': 'PK/BANK/HBL/branch-app' } });
    expect(unsigned).toMatchObject({ status: 400, type: 'application/problem+json', json: { type: 'https://rabta.pk/problems/missing-header', detail: 'signature' } });

    // a member calling the upstream directly with its own (valid) request signature
    const direct = await forward(base, '/v1/pay', { signer: member, tag: 'rabta-request', headers: { 'rabta-client': 'PK/BANK/HBL/branch-app', 'rabta-exchange-id': 'made-up' } });
    expect(await send(base, '/v1/pay', direct)).toMatchObject({ status: 401, json: { type: 'https://rabta.pk/problems/signature-wrong-tag' } });

    const forged = await forward(base, '/v1/pay', { signer: member });
    expect(await send(base, '/v1/pay', forged)).toMatchObject({ status: 401, json: { type: 'https://rabta.pk/problems/unknown-key' } });

    const elsewhere = await forward('https://other.example', '/v1/pay');
    expect(await send(base, '/v1/pay', elsewhere)).toMatchObject({ status: 401, json: { type: 'https://rabta.pk/problems/bad-signature' } });

    const f = await forward(base, '/v1/pay', { body: '{"amount":5000}' });
    expect(await send(base, '/v1/pay', { ...f, body: '{"amount":9000}' })).toMatchObject({ status: 400, json: { type: 'https://rabta.pk/problems/digest-mismatch' } });

    const big = await forward(base, '/v1/pay', { body: 'x'.repeat(65) });
    expect(await send(base, '/v1/pay', big)).toMatchObject({ status: 413, json: { type: 'https://rabta.pk/problems/body-too-large' } });
  });

  it('refuses a replayed forward', async () => {
    await ready;
    const f = await forward(base, '/v1/once');
    expect((await send(base, '/v1/once', f)).status).toBe(200);
    expect(await send(base, '/v1/once', f)).toMatchObject({ status: 401, json: { type: 'https://rabta.pk/problems/nonce-replayed' } });
  });
});

describe('rabtaProvider as connect/Express middleware', () => {
  it('verifies under a mount path, with keys read from Rabta’s well-known document', async () => {
    const rabta = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [{ use: 'exchange', jwk: publicJwkOf(exchange.publicKey), notBefore: null, notAfter: null }] }));
    });
    let base = '';
    const middleware = rabtaProvider({
      keysUrl: rabta,
      get publicBaseUrl() {
        return base;
      },
    });
    base = await listen((req: IncomingMessage, res) => {
      // what Express does for app.use('/api', …): req.url loses the mount path, originalUrl keeps it
      Object.assign(req, { originalUrl: req.url, url: req.url!.replace(/^\/api/, '') || '/' });
      middleware(req, res, (error?: unknown) => (error ? res.writeHead(500).end(String(error)) : echo(req as RabtaProviderRequest, res)));
    });
    const f = await forward(base, '/api/v1/status');
    expect(await send(base, '/api/v1/status', f)).toMatchObject({ status: 200, json: { rabta: { client: 'PK/BANK/HBL/branch-app' } } });
    const forged = await forward(base, '/api/v1/status', { signer: member });
    expect(await send(base, '/api/v1/status', forged)).toMatchObject({ status: 401, json: { type: 'https://rabta.pk/problems/unknown-key' } });
  });

  it('wants exactly one source of keys', () => {
    expect(() => rabtaProvider({ publicBaseUrl: 'http://x' })).toThrow(/exactly one/);
  });
});
