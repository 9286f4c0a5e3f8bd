import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { SYSTEM_ACTOR } from '../../core/index.js';
import { signSmsRequest, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../notify/index.js';
import { startTestInstance } from '../../platform/testing.js';
import type { TestInstance } from '../../platform/testing.js';
import { testDialects } from '../../store/testing.js';

const postgresUrl = inject('postgresUrl');

/** An HTTP SMS gateway instead of SMPP: outbound through the egress policy, inbound signed. */
for (const dialect of testDialects(postgresUrl)) {
  describe(`HTTP SMS gateway on ${dialect}`, () => {
    let t: TestInstance;
    const posted: Array<{ to: string; text: string }> = [];
    const gateway = createServer((request, response) => {
      let body = '';
      request.on('data', (c: Buffer) => (body += c.toString()));
      request.on('end', () => {
        posted.push(JSON.parse(body) as { to: string; text: string });
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ messageIds: ['m1'] }));
      });
    });
    const secret = 'gateway-secret-0123456789';

    beforeAll(async () => {
      await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/send`;
      t = await startTestInstance(dialect, postgresUrl, { env: { RABTA_SMS_HTTP_URL: url, RABTA_SMS_HTTP_SECRET: secret } });
      await t.platform.citizens.registerCitizen(SYSTEM_ACTOR, { cnic: '35202-1234567-1', mobile: '+923001234567', language: 'en' });
    });
    afterAll(async () => {
      await t?.close();
      gateway.close();
    });

    it('sends sign-in codes to the gateway', async () => {
      expect((await t.app.inject({ method: 'POST', url: '/citizen/otp', payload: { cnic: '35202-1234567-1' } })).statusCode).toBe(202);
      await vi.waitFor(() => expect(posted).toHaveLength(1), { timeout: 5000 });
      expect(posted[0]?.to).toBe('+923001234567');
      expect(posted[0]?.text).toMatch(/\d{6}/);
    });

    it('acts on a signed reply and refuses an unsigned one', async () => {
      const body = JSON.stringify({ from: '+923001234567', text: 'hello?' });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const before = posted.length;
      const signed = await t.app.inject({ method: 'POST', url: '/sms/inbound', headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signSmsRequest(secret, timestamp, body) }, payload: body });
      expect(signed.statusCode).toBe(204);
      // Unknown text gets the help message, in the sender's language.
      await vi.waitFor(() => expect(posted.length).toBeGreaterThan(before), { timeout: 5000 });
      expect(posted[before]?.to).toBe('+923001234567');
      const forged = await t.app.inject({ method: 'POST', url: '/sms/inbound', headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: 'sha256=00' }, payload: body });
      expect(forged.statusCode).toBe(401);
      expect(forged.headers['content-type']).toContain('application/problem+json');
    });
  });
}
