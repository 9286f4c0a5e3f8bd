import { createPublicKey, verify } from 'node:crypto';
import { createSigner, httpbis } from 'http-message-signatures';
import { describe, expect, it } from 'vitest';
import { signatureBase } from './base.js';
import { privateKeyFrom, publicJwkOf } from './keys.js';
import { parseDictionary } from './sfv.js';
import type { InnerList, Item } from './sfv.js';

/*
 * RFC 9421 (HTTP Message Signatures), test vectors:
 *   B.1.4 "Example Ed25519 Test Key" (test-key-ed25519),
 *   B.2   the "test-request" message,
 *   B.2.6 "Signing a Request Using ed25519": its signature base, Signature-Input and Signature.
 * https://www.rfc-editor.org/rfc/rfc9421.html#appendix-B.2.6
 * Ed25519 is deterministic, so the published signature must come out byte for byte.
 */
const TEST_KEY_ED25519_PRIVATE = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF
-----END PRIVATE KEY-----
`;
const TEST_KEY_ED25519_PUBLIC = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=
-----END PUBLIC KEY-----
`;
const TEST_REQUEST = {
  method: 'POST',
  url: 'https://example.com/foo?param=Value&Pet=dog',
  headers: <Record<string, string>>{
    Host: 'example.com',
    Date: 'Tue, 20 Apr 2021 02:07:55 GMT',
    'Content-Type': 'application/json',
    'Content-Digest': 'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
    'Content-Length': '18',
  },
};
const B26_BASE = [
  '"date": Tue, 20 Apr 2021 02:07:55 GMT',
  '"@method": POST',
  '"@path": /foo',
  '"@authority": example.com',
  '"content-type": application/json',
  '"content-length": 18',
  '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
].join('\n');
const B26_SIGNATURE_INPUT = 'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"';
const B26_SIGNATURE = 'sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:';

describe('RFC 9421 Appendix B.2.6 (ed25519)', () => {
  it('is reproduced byte for byte by the signing library with our key loading', async () => {
    const signed = await httpbis.signMessage(
      {
        key: createSigner(privateKeyFrom(TEST_KEY_ED25519_PRIVATE), 'ed25519', 'test-key-ed25519'),
        name: 'sig-b26',
        fields: ['date', '@method', '@path', '@authority', 'content-type', 'content-length'],
        params: ['created', 'keyid'],
        paramValues: { created: new Date(1618884473 * 1000) },
      },
      TEST_REQUEST,
    );
    expect(signed.headers['Signature-Input']).toBe(B26_SIGNATURE_INPUT);
    expect(signed.headers['Signature']).toBe(B26_SIGNATURE);
  });

  it('has its signature base rebuilt exactly by the lean verifier', () => {
    const input = parseDictionary(B26_SIGNATURE_INPUT).get('sig-b26') as InnerList;
    const headers = Object.fromEntries(Object.entries(TEST_REQUEST.headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(signatureBase(input, { method: 'POST', targetUri: TEST_REQUEST.url, headers })).toBe(B26_BASE);
  });

  it('has its published signature verify under the test key, and fail on a changed base', () => {
    const signature = (parseDictionary(B26_SIGNATURE).get('sig-b26') as Item).value as Uint8Array;
    const publicKey = createPublicKey(TEST_KEY_ED25519_PUBLIC);
    expect(verify(null, Buffer.from(B26_BASE), publicKey, signature)).toBe(true);
    expect(verify(null, Buffer.from(B26_BASE.replace('POST', 'PUT')), publicKey, signature)).toBe(false);
    // the private and public halves of B.1.4 belong together
    expect(publicJwkOf(privateKeyFrom(TEST_KEY_ED25519_PRIVATE))).toEqual(publicJwkOf(publicKey));
  });
});
