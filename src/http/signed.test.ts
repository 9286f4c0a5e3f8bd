import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SYSTEM_ACTOR, PROBLEM_BASE } from '../core/index.js';
import { approvedKey } from '../events/testing.js';
import type { ClientKey } from '../events/testing.js';
import { startTestInstance } from '../platform/testing.js';
import type { TestInstance } from '../platform/testing.js';
import { signRequest } from '../sdk/index.js';
import { testDialects } from '../store/testing.js';

const postgresUrl = inject('postgresUrl');
const DECLARED = 30 * 1024 * 1024;
const SENT = 64 * 1024;

/** What a raw client sees: the status line, the head and whether the server closed the connection. */
interface RawAnswer {
  status: number;
  head: string;
  body: string;
  closedByServer: boolean;
}

/**
 * Sends the head of a request declaring a 30 MiB body and only its first 64 KiB,
 * then waits — for the answer and for the server to close. A server that read
 * the body before the signature would wait for the rest and never answer.
 */
function partialUpload(port: number, head: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('error', reject);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [headPart = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headPart)?.[1]), head: headPart, body, closedByServer: true });
      socket.destroy();
    });
    socket.write(head);
    socket.write(Buffer.alloc(SENT, 0x7b));
  });
}

for (const dialect of testDialects(postgresUrl)) {
  describe(`signed routes check the signature before the body on ${dialect}`, () => {
    let t: TestInstance;
    let hbl: ClientKey;
    let stranger: ClientKey;
    let port: number;

    beforeAll(async () => {
      t = await startTestInstance(dialect, postgresUrl);
      const r = t.platform.registry;
      await r.createMember(SYSTEM_ACTOR, { memberClass: 'BANK', code: 'HBL', nameEn: 'HBL', nameUr: 'HBL' });
      await r.createSubsystem(SYSTEM_ACTOR, 'PK/BANK/HBL', { code: 'disbursement', name: 'disbursement' });
      await r.createSubsystem(SYSTEM_ACTOR, 'PK/BANK/HBL', { code: 'complaints', name: 'complaints' });
      hbl = await approvedKey(t, 'PK/BANK/HBL/disbursement');
      // a key of another subsystem: a well-formed signature, by the wrong key for Rabta-Client
      stranger = await approvedKey(t, 'PK/BANK/HBL/complaints');
      await t.platform.events.createTopic(SYSTEM_ACTOR, 'PK/BANK/HBL/disbursement', { code: 'credited', title: 'credited', schema: {} });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      port = (t.app.server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      await t?.close();
    });

    const rawHead = (method: string, path: string, headers: Record<string, string>) =>
      [`${method} ${path} HTTP/1.1`, 'host: 127.0.0.1', `content-length: ${DECLARED}`, 'content-type: application/json', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join('\r\n') + '\r\n\r\n';
    const badlySigned = async (method: string, path: string) => {
      const headers: Record<string, string> = { 'rabta-client': hbl.client, 'content-type': 'application/json', 'content-digest': 'sha-256=:' + Buffer.alloc(32).toString('base64') + ':' };
      Object.assign(headers, await signRequest({ method, targetUri: `${t.platform.config.publicUrl}${path}`, headers, keyId: stranger.keyId, privateKey: stranger.privateKey, tag: 'rabta-request' }));
      delete headers['content-type'];
      return headers;
    };

    const routes: Array<[string, string]> = [
      ['POST', '/events/PK/BANK/HBL/disbursement/credited/batch'],
      ['POST', '/events/PK/BANK/HBL/disbursement/credited'],
      ['POST', '/subscriptions'],
      ['POST', '/subscriptions/0195b3c4-0000-7000-8000-000000000000/ack'],
      ['POST', '/consents'],
      ['GET', '/ledger/receipts/exchanges/0195b3c4-0000-7000-8000-000000000000'],
    ];
    for (const [method, path] of routes) {
      it(`${method} ${path}: an unsigned or badly signed 30 MiB body is refused after its first 64 KiB, and the connection closed`, async () => {
        const unsigned = await partialUpload(port, rawHead(method, path, {}));
        expect({ status: unsigned.status, closed: unsigned.closedByServer }).toEqual({ status: 400, closed: true });
        expect(unsigned.head).toMatch(/content-type: application\/problem\+json/i);
        expect(JSON.parse(unsigned.body).type).toBe(PROBLEM_BASE + 'missing-header');
        const wrongKey = await partialUpload(port, rawHead(method, path, await badlySigned(method, path)));
        expect({ status: wrongKey.status, closed: wrongKey.closedByServer }).toEqual({ status: 401, closed: true });
        expect(JSON.parse(wrongKey.body).type).toBe(PROBLEM_BASE + 'key-not-of-client');
      });
    }

    it('still takes a well-signed body, and the server keeps answering', async () => {
      const path = '/events/PK/BANK/HBL/disbursement/credited/batch';
      const body = JSON.stringify({ events: Array.from({ length: 200 }, (_, i) => ({ i, note: 'x'.repeat(200) })) });
      const headers: Record<string, string> = { 'rabta-client': hbl.client, 'content-type': 'application/json' };
      Object.assign(headers, await signRequest({ method: 'POST', targetUri: `${t.platform.config.publicUrl}${path}`, headers, body: Buffer.from(body), keyId: hbl.keyId, privateKey: hbl.privateKey, tag: 'rabta-request' }));
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers, body });
      expect(response.status).toBe(201);
      expect(((await response.json()) as { events: unknown[] }).events).toHaveLength(200);
    });

    describe('a signed /consents body must be JSON in UTF-8', () => {
      const consent = async (contentType: string, body: Buffer) => {
        const headers: Record<string, string> = { 'rabta-client': hbl.client, 'content-type': contentType };
        Object.assign(headers, await signRequest({ method: 'POST', targetUri: `${t.platform.config.publicUrl}/consents`, headers, body, keyId: hbl.keyId, privateKey: hbl.privateKey, tag: 'rabta-request' }));
        const response = await t.app.inject({ method: 'POST', url: '/consents', headers, payload: body });
        return { status: response.statusCode, type: (JSON.parse(response.body) as { type: string }).type, contentType: response.headers['content-type'] };
      };
      const request = { cnic: '35202-1234567-1', services: ['PK/GOV/NADRA/identity/verify'], purpose: 'kyc', validUntil: '2030-01-01T00:00:00Z', dataLifeDays: 30, frequency: { count: 1, per: 'day' } };

      it('answers text/plain with 415, not digest-mismatch', async () => {
        const answer = await consent('text/plain', Buffer.from(JSON.stringify(request)));
        expect(answer).toMatchObject({ status: 415, type: PROBLEM_BASE + 'unsupported-media-type' });
        expect(answer.contentType).toContain('application/problem+json');
      });

      it('answers application/json; charset=utf-16 with 415 instead of reading it as UTF-8', async () => {
        const utf16 = Buffer.from(JSON.stringify(request), 'utf16le');
        expect(await consent('application/json; charset=utf-16', utf16)).toMatchObject({ status: 415, type: PROBLEM_BASE + 'unsupported-media-type' });
        expect(await consent('application/json; charset="UTF-16LE"', utf16)).toMatchObject({ status: 415, type: PROBLEM_BASE + 'unsupported-media-type' });
      });

      it('reads application/json with charset=utf-8 or none past the media type check', async () => {
        for (const type of ['application/json', 'application/json; charset=utf-8', 'application/json;charset=UTF-8']) {
          const answer = await consent(type, Buffer.from(JSON.stringify(request)));
          expect(answer.type, type).not.toBe(PROBLEM_BASE + 'unsupported-media-type');
          expect(answer.type, type).not.toBe(PROBLEM_BASE + 'digest-mismatch');
        }
      });
    });
  });
}
