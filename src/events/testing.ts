import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint } from 'jose';
import { SYSTEM_ACTOR } from '../core/index.js';
import type { TestInstance } from '../platform/testing.js';
import { signRequest } from '../sdk/index.js';

/** Test support for the events module: keys, signed calls, a webhook receiver, waiting. */
export interface ClientKey {
  client: string;
  keyId: string;
  privateKey: KeyObject;
}

/** A subsystem with an approved key. */
export async function approvedKey(t: Pick<TestInstance, 'platform'>, client: string): Promise<ClientKey> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
  const keyId = await calculateJwkThumbprint(jwk, 'sha256');
  await t.platform.registry.registerKey(SYSTEM_ACTOR, client, { jwk });
  await t.platform.registry.approveKey(SYSTEM_ACTOR, keyId);
  return { client, keyId, privateKey };
}

export function signedSender(t: TestInstance) {
  return async (key: ClientKey, method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { 'rabta-client': key.client, ...options.headers };
    const body = options.body === undefined ? undefined : Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
    if (body) headers['content-type'] = 'application/json';
    Object.assign(headers, await signRequest({ method, targetUri: `${t.platform.config.publicUrl}${path}`, headers, body, keyId: key.keyId, privateKey: key.privateKey, tag: 'rabta-request' }));
    const response = await t.app.inject({ method: method as 'GET', url: path, headers, ...(body ? { payload: body } : {}) });
    return { status: response.statusCode, json: () => JSON.parse(response.body) as Record<string, unknown> & { type?: string }, body: response.body };
  };
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A webhook endpoint that records what arrives and answers as `answer` says. */
export async function startReceiver(answer: (request: Received, index: number) => { status: number; headers?: Record<string, string>; delayMs?: number } = () => ({ status: 204 })) {
  const received: Received[] = [];
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const entry = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
    received.push(entry);
    const reply = answer(entry, received.length - 1);
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    response.writeHead(reply.status, reply.headers).end();
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function until<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
