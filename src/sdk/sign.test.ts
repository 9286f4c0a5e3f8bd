import { describe, expect, it } from 'vitest';
import { createBodyHasher } from './digest.js';
import { signRequest } from './sign.js';
import { T0, T0S, testKey } from './testing.js';

const key = await testKey();
const URI = 'https://rabta.example.pk/x/PK/GOV/BISP/payments/s';
const base = { targetUri: URI, keyId: key.keyId, privateKey: key.privateKey, tag: 'rabta-request' as const, created: T0 };

const covered = (signatureInput: string) => /\(([^)]*)\)/.exec(signatureInput)?.[1];

describe('signRequest', () => {
  it('states the profile parameters, in order, with the given nonce and lifetime', async () => {
    const s = await signRequest({ ...base, method: 'get', headers: { 'Rabta-Client': 'PK/A/B/c' }, nonce: 'n'.repeat(22), expiresIn: 120 });
    expect(s['signature-input']).toBe(`sig1=("@method" "@target-uri" "rabta-client");created=${T0S};expires=${T0S + 120};nonce="${'n'.repeat(22)}";keyid="${key.keyId}";alg="ed25519";tag="rabta-request"`);
    expect(s.signature).toMatch(/^sig1=:[A-Za-z0-9+/]{86}==:$/);
  });

  it('accepts the private key as PEM', async () => {
    const pem = key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const a = await signRequest({ ...base, method: 'GET', headers: { 'rabta-client': 'PK/A/B/c' }, nonce: 'n'.repeat(22) });
    const b = await signRequest({ ...base, privateKey: pem, method: 'GET', headers: { 'rabta-client': 'PK/A/B/c' }, nonce: 'n'.repeat(22) });
    expect(b).toEqual(a);
  });

  it('treats an empty body as none, and a given Content-Digest as a streamed body', async () => {
    const empty = await signRequest({ ...base, method: 'POST', headers: { 'rabta-client': 'PK/A/B/c' }, body: new Uint8Array() });
    expect(empty['content-digest']).toBeUndefined();
    expect(covered(empty['signature-input'])).toBe('"@method" "@target-uri" "rabta-client"');

    const digest = createBodyHasher().update(Buffer.from('chunk 1')).update(Buffer.from('chunk 2')).header();
    const streamed = await signRequest({ ...base, method: 'POST', headers: { 'rabta-client': 'PK/A/B/c', 'content-digest': digest } });
    expect(streamed['content-digest']).toBeUndefined(); // already there
    expect(covered(streamed['signature-input'])).toBe('"@method" "@target-uri" "rabta-client" "content-digest"');
  });

  it('refuses what could never verify or exceeds the profile', async () => {
    const ok = { ...base, method: 'GET', headers: { 'rabta-client': 'PK/A/B/c' } };
    for (const expiresIn of [0, 301, 1.5]) await expect(signRequest({ ...ok, expiresIn })).rejects.toThrow(RangeError);
    await expect(signRequest({ ...ok, headers: {} })).rejects.toThrow(/rabta-client header is required/);
    await expect(signRequest({ ...ok, headers: { 'rabta-client': 'PK/A/B/c', 'rabta-purpose': 'زکوٰۃ' } })).rejects.toThrow(/printable ASCII/);
    await expect(signRequest({ ...ok, tag: 'rabta-forward' })).rejects.toThrow(/rabta-exchange-id/);
    await expect(signRequest({ ...ok, privateKey: 'nope' })).rejects.toThrow(/PEM/);
  });
});

describe('the lean signer', () => {
  it('emits byte for byte what http-message-signatures emits', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { signWithLibrary, signRequest, signResponse } = await import('./sign.js');
    const { requestComponents, RESPONSE_COMPONENTS } = await import('./profile.js');
    const { privateKey } = generateKeyPairSync('ed25519');
    const common = { keyId: 'k1', privateKey, created: 1_790_000_000_000, nonce: 'n-0123456789abcdefghijkl' };
    const headers = { 'rabta-client': 'PK/BANK/HBL/branch-app', 'rabta-purpose': 'kyc', 'rabta-subject': '35202-1234567-1', 'content-digest': 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:' };
    const targetUri = 'https://rabta.example.pk/x/PK/GOV/BISP/payments/status/a?b=1';
    const lean = await signRequest({ method: 'post', targetUri, headers, tag: 'rabta-request', ...common });
    const fields = requestComponents({ tag: 'rabta-request', hasBody: true, hasPurpose: true, hasSubject: true });
    const library = await signWithLibrary(fields, common, 'rabta-request', { method: 'POST', url: targetUri, headers });
    expect(lean).toEqual(library);
    const responseHeaders = { 'rabta-exchange-id': 'e-1', 'content-digest': headers['content-digest'] };
    const leanResponse = await signResponse({ status: 201, headers: responseHeaders, request: { signature: lean.signature }, ...common });
    const libraryResponse = await signWithLibrary(RESPONSE_COMPONENTS, common, 'rabta-response', { status: 201, headers: responseHeaders }, { method: 'GET', url: 'http://x/', headers: { signature: lean.signature } });
    expect(leanResponse).toEqual(libraryResponse);
  });
});
