import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, inject, it } from 'vitest';
import { startTestInstance } from '../platform/testing.js';
import { testDialects } from '../store/testing.js';
import { maskCnicsIn, requestSerializer } from './redact.js';

const postgresUrl = inject('postgresUrl');

describe('logs', () => {
  for (const dialect of testDialects(postgresUrl)) {
    it(`never hold a CNIC, a header secret or a body (${dialect})`, async () => {
      const lines: string[] = [];
      const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
      const logger = pino({ level: 'info', serializers: { req: requestSerializer, res: (r: { statusCode: number }) => ({ statusCode: r.statusCode }) } }, sink);
      const t = await startTestInstance(dialect, postgresUrl, { server: { logger } });
      try {
        await t.app.inject({
          method: 'POST',
          url: '/x/PK/GOV/BISP/payments/status/beneficiaries/35202-1234567-1?cnic=3520276543211',
          headers: { 'rabta-client': 'PK/BANK/HBL/app', 'rabta-subject': '35202-1234567-1', authorization: 'Bearer rbt_secret', 'content-type': 'application/json' },
          payload: JSON.stringify({ cnic: '35202-1234567-1', note: 'body text' }),
        });
        await t.app.inject({ method: 'GET', url: '/admin/members', headers: { authorization: `Bearer ${t.token}` } });
        const text = lines.join('');
        expect(text).toContain('35202-*****67-1');
        expect(text).not.toMatch(/1234567|7654321/);
        expect(text).not.toContain('rbt_');
        expect(text).not.toContain('body text');
      } finally {
        await t.close();
      }
    });
  }

  it('masks every CNIC spelling in a URL', () => {
    expect(maskCnicsIn('/a/35202-1234567-1/b?x=3520212345671')).toBe('/a/35202-*****67-1/b?x=35202-*****67-1');
  });
});
