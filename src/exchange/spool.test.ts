import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SYSTEM_ACTOR } from '../core/index.js';
import { startTestInstance } from '../platform/testing.js';
import type { TestInstance } from '../platform/testing.js';
import { signRequest } from '../sdk/index.js';
import { testDialects } from '../store/testing.js';
import type { ExchangeTables } from './tables.js';

const postgresUrl = inject('postgresUrl');
const CHUNK = 64 * 1024;
const BATCHES = '/x/PK/GOV/BISP/payments/batches/in';

/**
 * Interrupted and oversized uploads over a real socket: the body is spooled to
 * disk past 256 KiB, and however it ends the gateway must go on serving and
 * leave no spool file behind.
 */
for (const dialect of testDialects(postgresUrl)) {
  describe(`spooled uploads on ${dialect}`, () => {
    let t: TestInstance;
    let provider: Server;
    let base: string;
    let key: { keyId: string; privateKey: KeyObject };
    const client = 'PK/BANK/HBL/branch-app';
    const spoolDir = () => join(t.platform.config.dataDir, 'spool');
    const spooled = () => {
      try {
        return readdirSync(spoolDir());
      } catch {
        return [];
      }
    };

    beforeAll(async () => {
      t = await startTestInstance(dialect, postgresUrl);
      provider = createServer((request, response) => {
        request.resume();
        request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
      });
      await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
      const r = t.platform.registry;
      const a = SYSTEM_ACTOR;
      await r.createMember(a, { memberClass: 'GOV', code: 'BISP', nameEn: 'BISP', nameUr: 'BISP' });
      await r.createMember(a, { memberClass: 'BANK', code: 'HBL', nameEn: 'HBL', nameUr: 'HBL' });
      await r.createSubsystem(a, 'PK/GOV/BISP', { code: 'payments', name: 'payments' });
      await r.createSubsystem(a, 'PK/BANK/HBL', { code: 'branch-app', name: 'branch' });
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
      key = { keyId: await calculateJwkThumbprint(jwk, 'sha256'), privateKey };
      await r.registerKey(a, client, { jwk });
      await r.approveKey(a, key.keyId);
      await r.createPurpose(a, { code: 'disbursement', nameEn: 'd', nameUr: 'd', legalBasis: 'statute', statute: 'BISP Act 2010' });
      const upstream = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
      await r.createService(a, 'PK/GOV/BISP/payments', { code: 'batches', title: 'batches', upstreamUrl: upstream, bodyLimit: 2 * 1024 * 1024 });
      await r.createService(a, 'PK/GOV/BISP/payments', { code: 'small', title: 'small', upstreamUrl: upstream, bodyLimit: 512 * 1024 });
      for (const code of ['batches', 'small']) await r.grantAccess(a, { serviceId: `PK/GOV/BISP/payments/${code}`, clientId: client, purposes: ['disbursement'] });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await t?.close();
      provider?.close();
    });

    /** Signed headers for a chunked POST of `body`, as a raw request head. */
    const head = async (path: string, body: Buffer) => {
      const headers: Record<string, string> = { 'rabta-client': client, 'rabta-purpose': 'disbursement', 'content-type': 'application/octet-stream' };
      Object.assign(headers, await signRequest({ method: 'POST', targetUri: `${t.platform.config.publicUrl}${path}`, headers, body, keyId: key.keyId, privateKey: key.privateKey, tag: 'rabta-request' }));
      const lines = [`POST ${path} HTTP/1.1`, `host: 127.0.0.1`, 'transfer-encoding: chunked', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      return lines.join('\r\n') + '\r\n\r\n';
    };

    /** Sends `chunks` chunks of 64 KiB of a body declared bigger, then destroys the socket once they are all written (or once the server has closed it). */
    const abortedUpload = async (path: string, chunks: number, declaredChunks: number, options: { waitForClose?: boolean } = {}) => {
      const body = Buffer.alloc(CHUNK * declaredChunks, 0x61);
      const socket = connect((t.app.server.address() as AddressInfo).port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      socket.on('error', () => undefined); // the server may reset first; the point is what the server does
      const answer: Buffer[] = [];
      socket.on('data', (d: Buffer) => answer.push(d));
      socket.write(await head(path, body));
      for (let i = 0; i < chunks && !socket.destroyed; i++) {
        const written = socket.write(`${CHUNK.toString(16)}\r\n`) && socket.write(body.subarray(i * CHUNK, (i + 1) * CHUNK)) && socket.write('\r\n');
        if (!written) await new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('drain', resolve).once('close', resolve)));
      }
      if (options.waitForClose) await new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
      socket.destroy();
      return Buffer.concat(answer).toString('latin1');
    };

    const waitForEmptySpool = async () => {
      // the server removes the file once it has seen the connection go: wait for that condition
      await expect.poll(spooled, { timeout: 5000, interval: 20 }).toEqual([]);
    };

    it('survives ten uploads of 16 × 64 KiB dropped before their end, and removes every spool file', async () => {
      for (let i = 0; i < 10; i++) {
        await abortedUpload(BATCHES, 16, 17);
        const health = await fetch(`${base}/healthz`);
        expect(health.status).toBe(200);
      }
      await waitForEmptySpool();
      // each is recorded as what it was, not as an internal error
      const outcomes = async () => (await t.platform.store.tables<ExchangeTables>().selectFrom('exchanges').select('outcome').execute()).map((r) => r.outcome);
      await expect.poll(outcomes, { timeout: 5000, interval: 20 }).toEqual(Array.from({ length: 10 }, () => 'body-incomplete'));
      // and a complete upload of the same size still goes through
      const body = Buffer.alloc(CHUNK * 16, 0x62);
      const headers: Record<string, string> = { 'rabta-client': client, 'rabta-purpose': 'disbursement', 'content-type': 'application/octet-stream' };
      Object.assign(headers, await signRequest({ method: 'POST', targetUri: `${t.platform.config.publicUrl}${BATCHES}`, headers, body, keyId: key.keyId, privateKey: key.privateKey, tag: 'rabta-request' }));
      const ok = await fetch(`${base}${BATCHES}`, { method: 'POST', headers, body });
      expect(ok.status).toBe(200);
      await waitForEmptySpool();
    });

    it('survives chunked uploads that pass the service’s limit after spooling, answering 413', async () => {
      for (let i = 0; i < 10; i++) {
        // the body never ends: the server refuses it once past 512 KiB and closes the connection
        const answer = await abortedUpload('/x/PK/GOV/BISP/payments/small/in', 16, 17, { waitForClose: true });
        expect(answer).toMatch(/^HTTP\/1\.1 413 [\s\S]*content-type: application\/problem\+json[\s\S]*body-too-large/i);
        expect((await fetch(`${base}/healthz`)).status).toBe(200);
      }
      await waitForEmptySpool();
    });
  });
}
