import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T0, T0S } from './testing.js';
import { WebhookVerificationError, verifyWebhook, webhookListener } from './webhooks.js';
import type { VerifiedWebhook, WebhookErrorCode } from './webhooks.js';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const other = `whsec_${randomBytes(32).toString('base64')}`;
const ID = '01970000-0000-7000-8000-000000000001';
const BODY = '{"type":"PK/BANK/HBL/disbursement/payment.credited","timestamp":"2025-01-01T00:00:00.000Z","data":{"amount":13500,"big":12345678901234567890}}';

/** Headers as the reference library signs them, at `at` (epoch ms). */
function signed(body = BODY, at = T0, key = secret, id = ID): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at / 1000)), 'webhook-signature': new Webhook(key).sign(id, new Date(at), body) };
}

function codeOf(run: () => unknown): WebhookErrorCode | 'accepted' {
  try {
    run();
    return 'accepted';
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.code;
    throw error;
  }
}

describe('verifyWebhook', () => {
  it('accepts what the standardwebhooks library signs, and returns the id, the attempt time and the envelope', () => {
    const verified = verifyWebhook(secret, signed(), BODY, { now: T0 });
    expect(verified).toEqual({
      id: ID,
      attemptedAt: T0S,
      envelope: { type: 'PK/BANK/HBL/disbursement/payment.credited', timestamp: '2025-01-01T00:00:00.000Z', data: { amount: 13500, big: 12345678901234567890 } },
    });
    // The same bytes as a Buffer, headers in another case, and as a Fetch Headers.
    const headers = Object.fromEntries(Object.entries(signed()).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyWebhook(secret, headers, Buffer.from(BODY), { now: T0 }).id).toBe(ID);
    expect(verifyWebhook(secret, new Headers(signed()), BODY, { now: new Date(T0) }).id).toBe(ID);
    // A bare base64 key, as the reference library also takes it.
    expect(verifyWebhook(secret.slice(6), signed(), BODY, { now: T0 }).id).toBe(ID);
  });

  it('refuses a tampered body, a changed id or timestamp, and another secret', () => {
    const headers = signed();
    expect(codeOf(() => verifyWebhook(secret, headers, BODY.replace('13500', '13501'), { now: T0 }))).toBe('webhook-signature-invalid');
    expect(codeOf(() => verifyWebhook(secret, headers, `${BODY} `, { now: T0 }))).toBe('webhook-signature-invalid');
    expect(codeOf(() => verifyWebhook(secret, { ...headers, 'webhook-id': `${ID}x` }, BODY, { now: T0 }))).toBe('webhook-signature-invalid');
    expect(codeOf(() => verifyWebhook(secret, { ...headers, 'webhook-timestamp': String(T0S + 1) }, BODY, { now: T0 }))).toBe('webhook-signature-invalid');
    expect(codeOf(() => verifyWebhook(other, headers, BODY, { now: T0 }))).toBe('webhook-signature-invalid');
    // The library refuses the same, so the two agree.
    expect(() => new Webhook(other).verify(BODY, headers)).toThrow();
  });

  it('refuses a timestamp outside the tolerance, stale or ahead, and honours a custom tolerance', () => {
    const headers = signed();
    expect(codeOf(() => verifyWebhook(secret, headers, BODY, { now: T0 + 300_000 }))).toBe('accepted');
    expect(codeOf(() => verifyWebhook(secret, headers, BODY, { now: T0 + 301_000 }))).toBe('webhook-timestamp-out-of-range');
    expect(codeOf(() => verifyWebhook(secret, headers, BODY, { now: T0 - 301_000 }))).toBe('webhook-timestamp-out-of-range');
    expect(codeOf(() => verifyWebhook(secret, headers, BODY, { now: T0 + 60_000, toleranceSeconds: 30 }))).toBe('webhook-timestamp-out-of-range');
    // A signature over a stale timestamp is still refused by the clock, not accepted.
    expect(codeOf(() => verifyWebhook(secret, signed(BODY, T0 - 3_600_000), BODY, { now: T0 }))).toBe('webhook-timestamp-out-of-range');
  });

  it('accepts a list with one valid v1 signature among others (rotation), skipping other schemes', () => {
    const good = signed()['webhook-signature'];
    const stale = signed(BODY, T0, other)['webhook-signature'];
    const list = `v1a,${randomBytes(64).toString('base64')} ${stale}  ${good}`;
    expect(verifyWebhook(secret, { ...signed(), 'webhook-signature': list }, BODY, { now: T0 }).id).toBe(ID);
    // A repeated header is a longer list.
    expect(verifyWebhook(secret, { ...signed(), 'webhook-signature': [stale, good] }, BODY, { now: T0 }).id).toBe(ID);
    // The right bytes under another scheme name do not count.
    expect(codeOf(() => verifyWebhook(secret, { ...signed(), 'webhook-signature': `${stale} v2,${good.slice(3)}` }, BODY, { now: T0 }))).toBe('webhook-signature-invalid');
    expect(codeOf(() => verifyWebhook(secret, { ...signed(), 'webhook-signature': good.slice(0, -2) }, BODY, { now: T0 }))).toBe('webhook-signature-invalid');
  });

  it('names what is missing or malformed', () => {
    const headers = signed();
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      expect(codeOf(() => verifyWebhook(secret, { ...headers, [name]: undefined }, BODY, { now: T0 }))).toBe('webhook-headers-missing');
      expect(codeOf(() => verifyWebhook(secret, { ...headers, [name]: '' }, BODY, { now: T0 }))).toBe('webhook-headers-missing');
    }
    expect(codeOf(() => verifyWebhook(secret, { ...headers, 'webhook-timestamp': '1.7e9' }, BODY, { now: T0 }))).toBe('webhook-headers-invalid');
    expect(codeOf(() => verifyWebhook(secret, { ...headers, 'webhook-id': [ID, ID] }, BODY, { now: T0 }))).toBe('webhook-headers-invalid');
    expect(codeOf(() => verifyWebhook('whsec_', headers, BODY, { now: T0 }))).toBe('webhook-secret-invalid');
    expect(codeOf(() => verifyWebhook('whsec_not base64!', headers, BODY, { now: T0 }))).toBe('webhook-secret-invalid');
    // Authentic, but not Rabta's envelope.
    expect(codeOf(() => verifyWebhook(secret, signed('[1]'), '[1]', { now: T0 }))).toBe('webhook-payload-invalid');
    expect(codeOf(() => verifyWebhook(secret, signed('{"type":'), '{"type":', { now: T0 }))).toBe('webhook-payload-invalid');
    const error = (() => {
      try {
        verifyWebhook(other, headers, BODY, { now: T0 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error).toMatchObject({ name: 'WebhookVerificationError', code: 'webhook-signature-invalid' });
  });
});

describe('webhookListener', () => {
  const got: VerifiedWebhook[] = [];
  let failing = false;
  let url = '';
  const server = createServer(
    webhookListener(
      secret,
      (webhook) => {
        if (failing) throw new Error('the database is away');
        got.push(webhook);
      },
      { maxBodyBytes: 4096 },
    ),
  );
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const post = (headers: Record<string, string>, body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('hands a verified delivery to the handler and answers 204; refuses a forgery with 401 and its code', async () => {
    const ok = await post(signed(BODY, Date.now()), BODY);
    expect(ok.status).toBe(204);
    expect(got.map((w) => w.envelope.type)).toEqual(['PK/BANK/HBL/disbursement/payment.credited']);
    const forged = await post(signed(BODY, Date.now(), other), BODY);
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ error: 'webhook-signature-invalid' });
    expect(got).toHaveLength(1);
  });

  it('answers 500 when the handler fails (so Rabta retries), 413 beyond the size limit, and refuses a bad secret at once', async () => {
    failing = true;
    expect((await post(signed(BODY, Date.now()), BODY)).status).toBe(500);
    failing = false;
    const large = `{"type":"t","timestamp":"t","data":"${'x'.repeat(5000)}"}`;
    expect((await post(signed(large, Date.now()), large)).status).toBe(413);
    expect(() => webhookListener('whsec_', () => undefined)).toThrow(WebhookVerificationError);
  });
});
