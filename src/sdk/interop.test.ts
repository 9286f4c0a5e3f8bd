import { sign, verify } from 'node:crypto';
import { component, createSignature, verifySignature } from 'http-message-sig';
import type { RequestDescriptor, SignatureParameters } from 'http-message-sig';
import { describe, expect, it } from 'vitest';
import { contentDigest } from './digest.js';
import { signRequest, signResponse } from './sign.js';
import { T0, T0S, codeOf, testKey } from './testing.js';
import { verifyRequest, verifyResponse } from './verify.js';

/*
 * Interoperability with an independent RFC 9421 implementation,
 * Cloudflare's http-message-sig: what one signs, the other verifies.
 */

const key = await testKey();
const URI = 'https://rabta.example.pk/x/PK/NADRA/GOV/identity/verify/v2/person?fields=name,dob';
const BODY = Buffer.from('{"cnic":"35202-1234567-1"}');
const signer = { algorithm: 'ed25519', sign: (data: Uint8Array) => new Uint8Array(sign(null, data, key.privateKey)) };
const verifier = { algorithm: 'ed25519', verify: (data: Uint8Array, signature: Uint8Array) => verify(null, data, key.publicKey, signature) };
const resolveKey = async () => key.publicKey;

const cases: { name: string; method: string; headers: Record<string, string>; body: Buffer | undefined }[] = [
  { name: 'GET without body', method: 'GET', headers: { 'rabta-client': 'PK/BANK/HBL/branch-app' }, body: undefined },
  {
    name: 'POST with body, purpose and subject',
    method: 'POST',
    headers: { 'rabta-client': 'PK/BANK/HBL/branch-app', 'rabta-purpose': 'kyc', 'rabta-subject': '35202-1234567-1', 'content-type': 'application/json' },
    body: BODY,
  },
  { name: 'GET with purpose only', method: 'GET', headers: { 'rabta-client': 'PK/TELCO/JAZZ/sim', 'rabta-purpose': 'sim-verification' }, body: undefined },
];

const componentsOf = (headers: Record<string, string>, hasBody: boolean) =>
  ['@method', '@target-uri', 'rabta-client', hasBody && 'content-digest', 'rabta-purpose' in headers && 'rabta-purpose', 'rabta-subject' in headers && 'rabta-subject'].filter(
    (c): c is string => typeof c === 'string',
  );

const descriptor = (method: string, headers: Record<string, string>): RequestDescriptor => ({
  kind: 'request',
  method,
  targetUri: URI,
  fields: Object.entries(headers).map(([name, value]) => ({ name, value })),
});

describe.each(cases)('interop: $name', ({ method, headers: base, body }) => {
  const headers: Record<string, string> = body ? { ...base, 'content-digest': contentDigest(body) } : { ...base };
  const components = componentsOf(headers, body !== undefined);

  it('Cloudflare signs → Rabta verifies (parameters in another order too)', async () => {
    const parameterOrders: SignatureParameters[] = [
      { created: T0S, expires: T0S + 60, nonce: 'cf-nonce-0123456789abcdef', keyid: key.keyId, alg: 'ed25519', tag: 'rabta-request' },
      { tag: 'rabta-request', alg: 'ed25519', keyid: key.keyId, nonce: 'cf-nonce-0123456789abcdef', expires: T0S + 60, created: T0S },
    ];
    for (const parameters of parameterOrders) {
      const fields = await createSignature(descriptor(method, headers), { label: 'sig1', components, parameters, signer });
      const signed = { ...headers, signature: fields.signature, 'signature-input': fields.signatureInput };
      const verified = await verifyRequest({ method, targetUri: URI, headers: signed, hasBody: body !== undefined, tag: 'rabta-request', now: T0, resolveKey });
      expect(verified).toMatchObject({ keyId: key.keyId, nonce: 'cf-nonce-0123456789abcdef', components });
      // and the same signature fails once a covered value changes
      const tampered = { ...signed, 'rabta-client': 'PK/BANK/MCB/app' };
      expect(await codeOf(verifyRequest({ method, targetUri: URI, headers: tampered, hasBody: body !== undefined, tag: 'rabta-request', now: T0, resolveKey }))).toBe('bad-signature');
    }
  });

  it('Rabta signs → Cloudflare verifies', async () => {
    const added = await signRequest({ method, targetUri: URI, headers: base, body, keyId: key.keyId, privateKey: key.privateKey, tag: 'rabta-request', created: T0 });
    const signed = { ...base, ...added } as Record<string, string>;
    expect(signed['content-digest']).toBe(headers['content-digest']);
    const policy = { algorithms: ['ed25519'], requiredComponents: components, requiredParameters: ['created', 'expires', 'nonce', 'keyid', 'alg', 'tag'], now: T0S, clockSkew: 60 };
    const verified = await verifySignature(descriptor(method, signed), { label: 'sig1', policy, resolveVerifier: () => verifier });
    expect(verified.components.map((c) => c.name)).toEqual(components);
    expect(verified.parameters).toMatchObject({ keyid: key.keyId, alg: 'ed25519', tag: 'rabta-request', created: T0S, expires: T0S + 60 });
    const tampered = descriptor(method === 'GET' ? 'HEAD' : 'PUT', signed);
    await expect(verifySignature(tampered, { label: 'sig1', policy, resolveVerifier: () => verifier })).rejects.toThrow(/verification failed/i);
  });
});

describe('interop: responses bound to their request (;req)', () => {
  const requestHeaders = { 'rabta-client': 'PK/BANK/HBL/branch-app' };
  const responseBody = Buffer.from('{"status":"credited"}');

  it('Rabta signs → Cloudflare verifies', async () => {
    const req = await signRequest({ method: 'GET', targetUri: URI, headers: requestHeaders, keyId: key.keyId, privateKey: key.privateKey, tag: 'rabta-request', created: T0 });
    const headers = { 'rabta-exchange-id': '0190-ex', 'content-type': 'application/json' };
    const added = await signResponse({ status: 200, headers, body: responseBody, request: { signature: req.signature }, keyId: key.keyId, privateKey: key.privateKey, created: T0 });
    const response = {
      kind: 'response' as const,
      status: 200,
      fields: Object.entries({ ...headers, ...added }).map(([name, value]) => ({ name, value: String(value) })),
      request: descriptor('GET', { ...requestHeaders, ...req }),
    };
    const policy = { algorithms: ['ed25519'], requiredComponents: ['@status', 'content-digest', 'rabta-exchange-id', component('signature', { req: true, key: 'sig1' })], requiredParameters: ['tag'], now: T0S };
    const verified = await verifySignature(response, { label: 'sig1', policy, resolveVerifier: () => verifier });
    expect(verified.parameters.tag).toBe('rabta-response');
    // bound to that request: another request's signature does not do
    const other = await signRequest({ method: 'GET', targetUri: URI, headers: requestHeaders, keyId: key.keyId, privateKey: key.privateKey, tag: 'rabta-request', created: T0 });
    await expect(verifySignature({ ...response, request: descriptor('GET', { ...requestHeaders, ...other }) }, { label: 'sig1', policy, resolveVerifier: () => verifier })).rejects.toThrow(/verification failed/i);
  });

  it('Cloudflare signs → Rabta verifies', async () => {
    const req = await signRequest({ method: 'GET', targetUri: URI, headers: requestHeaders, keyId: key.keyId, privateKey: key.privateKey, tag: 'rabta-request', created: T0 });
    const headers = { 'rabta-exchange-id': '0190-ex', 'content-digest': contentDigest(responseBody) };
    const fields = await createSignature(
      { kind: 'response', status: 201, fields: Object.entries(headers).map(([name, value]) => ({ name, value })), request: descriptor('GET', { ...requestHeaders, ...req }) },
      {
        label: 'sig1',
        components: ['@status', 'content-digest', 'rabta-exchange-id', component('signature', { req: true, key: 'sig1' })],
        parameters: { created: T0S, expires: T0S + 60, nonce: 'cf-nonce-0123456789abcdef', keyid: key.keyId, alg: 'ed25519', tag: 'rabta-response' },
        signer,
      },
    );
    const signed = { ...headers, signature: fields.signature, 'signature-input': fields.signatureInput };
    const verified = await verifyResponse({ status: 201, headers: signed, body: responseBody, request: { signature: req.signature }, now: T0, resolveKey });
    expect(verified.components).toEqual(['@status', 'content-digest', 'rabta-exchange-id', 'signature;req;key="sig1"']);
    expect(await codeOf(verifyResponse({ status: 200, headers: signed, body: responseBody, request: { signature: req.signature }, now: T0, resolveKey }))).toBe('bad-signature');
  });
});
