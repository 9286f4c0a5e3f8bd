import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { RabtaError } from '../core/index.js';
import { createHttpChannel, SIGNATURE_HEADER, signSmsRequest, TIMESTAMP_HEADER } from './http-channel.js';
import type { FetchInit, FetchLike, HttpChannelOptions } from './http-channel.js';
import type { DeliveryReceipt, InboundMessage } from './types.js';

const SECRET = 'gateway-shared-secret-0123456789';
const NOW = Date.UTC(2025, 10, 28, 12, 0, 0);

function channel(options: Partial<HttpChannelOptions> = {}) {
  const calls: Array<{ url: string; init: FetchInit }> = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, init });
    return { status: 202, text: async () => JSON.stringify({ messageIds: ['gw-1', 'gw-2'] }) };
  };
  const created = createHttpChannel({ url: 'https://sms.example.pk/v1/messages', fetch, inboundSecret: SECRET, now: () => NOW, ...options });
  return { channel: created, calls };
}

function signed(body: string, at = NOW, secret = SECRET): Record<string, string> {
  const timestamp = Math.floor(at / 1000);
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signSmsRequest(secret, timestamp, body), 'content-type': 'application/json' };
}

async function refusal(promise: Promise<unknown>): Promise<RabtaError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RabtaError);
  return error as RabtaError;
}

describe('HTTP channel: sending', () => {
  it('POSTs {to, text, reference} as JSON through the injected fetch', async () => {
    const { channel: http, calls } = channel({ headers: { authorization: 'Bearer gw-token' }, outboundSecret: 'outbound-secret-0123456789' });
    const result = await http.send({ to: '+923001234567', text: 'ب'.repeat(100), reference: 'n-1' });
    expect(result).toEqual({ messageIds: ['gw-1', 'gw-2'], parts: 2, encoding: 'ucs2' });
    expect(calls).toHaveLength(1);
    const [{ url, init }] = calls as [{ url: string; init: FetchInit }];
    expect(url).toBe('https://sms.example.pk/v1/messages');
    expect(init.method).toBe('POST');
    expect(JSON.parse(init.body)).toEqual({ to: '+923001234567', text: 'ب'.repeat(100), reference: 'n-1' });
    expect(init.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer gw-token' });
    // the gateway can check the request came from Rabta, with the same scheme as inbound
    expect(init.headers[SIGNATURE_HEADER]).toBe(signSmsRequest('outbound-secret-0123456789', String(NOW / 1000), init.body));
  });

  it('works with the platform’s fetch shape — here the global fetch against a real server', async () => {
    let received = '';
    const server = createServer((req, res) => {
      req.on('data', (chunk: Buffer) => (received += chunk.toString()));
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"messageId":"abc"}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const http = createHttpChannel({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`, fetch, inboundSecret: SECRET });
      expect(await http.send({ to: '+923001234567', text: 'Your Rabta code is 123456.' })).toEqual({ messageIds: ['abc'], parts: 1, encoding: 'gsm7' });
      expect(JSON.parse(received)).toEqual({ to: '+923001234567', text: 'Your Rabta code is 123456.' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('turns gateway refusals, time-outs and failures into problems', async () => {
    const refusing = createHttpChannel({ url: 'https://gw', inboundSecret: SECRET, fetch: async () => ({ status: 503, text: async () => 'busy' }) });
    expect((await refusal(refusing.send({ to: '+923001234567', text: 'x' }))).code).toBe('upstream-unreachable');

    const hanging = createHttpChannel({
      url: 'https://gw',
      inboundSecret: SECRET,
      timeoutMs: 50,
      fetch: (_url, init) => new Promise((_resolve, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason as Error))),
    });
    const timedOut = await refusal(hanging.send({ to: '+923001234567', text: 'x' }));
    expect(timedOut.code).toBe('upstream-timeout');

    const egressRefused = new RabtaError('egress-refused');
    const policed = createHttpChannel({ url: 'https://gw', inboundSecret: SECRET, fetch: async () => Promise.reject(egressRefused) });
    expect(await refusal(policed.send({ to: '+923001234567', text: 'x' }))).toBe(egressRefused);

    const { channel: http, calls } = channel();
    expect((await refusal(http.send({ to: '923001234567', text: 'x' }))).code).toBe('bad-request');
    expect(calls).toEqual([]);
  });
});

describe('HTTP channel: inbound from the gateway', () => {
  it('accepts a correctly signed message and hands it to the inbound handler', async () => {
    const { channel: http } = channel();
    const inbound: InboundMessage[] = [];
    http.onInbound(async (message) => {
      inbound.push(message);
    });
    const body = JSON.stringify({ from: '+923001234567', text: 'ہاں 4821' });
    await http.handleInbound(signed(body), Buffer.from(body));
    expect(inbound).toEqual([{ from: '+923001234567', text: 'ہاں 4821', receivedAt: NOW }]);
  });

  it('refuses a bad or missing signature as unauthorized', async () => {
    const { channel: http } = channel();
    const inbound: InboundMessage[] = [];
    http.onInbound(async (message) => {
      inbound.push(message);
    });
    const body = JSON.stringify({ from: '+923001234567', text: 'HAAN 4821' });
    const wrongSecret = await refusal(http.handleInbound(signed(body, NOW, 'some-other-secret-0123456789'), body));
    expect(wrongSecret.code).toBe('unauthorized');
    expect(wrongSecret.message).toMatch(/does not verify/);
    const tampered = await refusal(http.handleInbound(signed(body), body.replace('4821', '4822')));
    expect(tampered.code).toBe('unauthorized');
    const missing = await refusal(http.handleInbound({ 'content-type': 'application/json' }, body));
    expect(missing.code).toBe('unauthorized');
    expect(inbound).toEqual([]);
  });

  it('refuses a stale or future timestamp, and a signature moved to a fresh timestamp', async () => {
    const { channel: http } = channel();
    http.onInbound(async () => {});
    const body = JSON.stringify({ from: '+923001234567', text: 'HAAN 4821' });
    const stale = await refusal(http.handleInbound(signed(body, NOW - 6 * 60_000), body));
    expect(stale.code).toBe('unauthorized');
    expect(stale.message).toMatch(/too old/);
    expect((await refusal(http.handleInbound(signed(body, NOW + 6 * 60_000), body))).code).toBe('unauthorized');
    // within the window is fine
    await http.handleInbound(signed(body, NOW - 4 * 60_000), body);
    // the timestamp is covered by the MAC: replaying an old signature under a new timestamp fails
    const old = signed(body, NOW - 10 * 60_000);
    const moved = { ...old, [TIMESTAMP_HEADER]: String(NOW / 1000) };
    expect((await refusal(http.handleInbound(moved, body))).code).toBe('unauthorized');
  });

  it('acts on a replayed request once, but lets a retry through after a failure', async () => {
    const { channel: http } = channel();
    let calls = 0;
    let fail = true;
    http.onInbound(async () => {
      calls++;
      if (fail) throw new Error('busy');
    });
    const body = JSON.stringify({ from: '+923001234567', text: 'NAHI 4821' });
    const headers = signed(body);
    await expect(http.handleInbound(headers, body)).rejects.toThrow('busy');
    fail = false;
    await http.handleInbound(headers, body);
    await http.handleInbound(headers, body);
    expect(calls).toBe(2);
  });

  it('takes delivery receipts, several secrets while rotating, and a Headers object', async () => {
    const next = 'the-next-secret-0123456789abcdef';
    const { channel: http } = channel({ inboundSecret: [SECRET, next] });
    const receipts: DeliveryReceipt[] = [];
    http.onDeliveryReceipt(async (receipt) => {
      receipts.push(receipt);
    });
    const body = JSON.stringify({ messageId: 'gw-1', status: 'DELIVRD', reference: 'n-1' });
    await http.handleInbound(new Headers(signed(body, NOW, next)), body);
    expect(receipts).toEqual([{ messageId: 'gw-1', status: 'delivered', stat: 'DELIVRD', reference: 'n-1', receivedAt: NOW }]);
  });

  it('says what is wrong with the body, and that nothing handles messages yet', async () => {
    const { channel: http } = channel();
    expect((await refusal(http.handleInbound(signed('[1]'), '[1]'))).code).toBe('malformed-json');
    const noText = JSON.stringify({ from: '+923001234567' });
    const notReady = JSON.stringify({ from: '+923001234567', text: 'HAAN 1' });
    http.onInbound(async () => {});
    expect((await refusal(http.handleInbound(signed(noText), noText))).code).toBe('bad-request');
    const { channel: fresh } = channel();
    expect((await refusal(fresh.handleInbound(signed(notReady), notReady))).code).toBe('unavailable');
    expect(() => createHttpChannel({ url: 'https://gw', inboundSecret: 'short', fetch: async () => ({ status: 200, text: async () => '' }) })).toThrow(/16/);
  });
});
