import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { Egress } from '../egress/index.js';
import { attemptDelivery } from './delivery.js';

/**
 * Deliveries are signed with node:crypto, not the standardwebhooks package
 * (which the demo's receivers verify with): its HMAC is pure JavaScript, about
 * six times slower per signature, and the worker signs every attempt. This
 * pins the hand-written signature to the library's, byte for byte.
 */
describe('webhook signatures against the standardwebhooks library', () => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;

  async function sent(body: string, at: number) {
    let headers: Record<string, string> = {};
    const egress = {
      call: async (request: { headers?: Record<string, string> }) => {
        headers = request.headers ?? {};
        return { status: 204, headers: {}, body: new Uint8Array() };
      },
    } as unknown as Egress;
    const outcome = await attemptDelivery(egress, { url: 'https://subscriber.example/hook', secret, messageId: '0190b5d2-7c1e-7000-8000-000000000001', body, timeoutMs: 1000, now: () => at });
    expect(outcome.ok).toBe(true);
    return headers;
  }

  it('signs exactly what the library signs, and the library verifies it', async () => {
    const at = Date.UTC(2026, 0, 15, 9, 30, 12, 345);
    // Non-ASCII text and a number beyond 2^53: the bytes, not a re-serialisation, are signed.
    const body = '{"type":"PK/BANK/HBL/disbursement/payment.credited","timestamp":"2026-01-15T09:30:12Z","data":{"amount":12345678901234567890,"name":"بینظیر"}}';
    const headers = await sent(body, at);
    const library = new Webhook(secret);
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(at / 1000)));
    expect(headers['webhook-signature']).toBe(library.sign(headers['webhook-id'] as string, new Date(Math.floor(at / 1000) * 1000), body));
    const realNow = Date.now;
    Date.now = () => at;
    try {
      expect(() => library.verify(body, headers)).not.toThrow();
      expect(() => library.verify(body.replace('بینظیر', 'بینظیز'), headers)).toThrow();
    } finally {
      Date.now = realNow;
    }
  });
});
