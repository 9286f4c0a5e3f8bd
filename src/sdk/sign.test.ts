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
