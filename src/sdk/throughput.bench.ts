import { sign, verify } from 'node:crypto';
import { createVerifier, httpbis } from 'http-message-signatures';
import { bench, describe } from 'vitest';
import { signRequest } from './sign.js';
import { testKey } from './testing.js';
import { verifyRequest } from './verify.js';

/*
 * Sign and verify rates of the profile against raw Ed25519 on a base of the
 * same size. Run: npx vitest bench --run src/sdk
 * The gateway's budget: ~5,000 verified requests/s on 2 cores.
 */

const key = await testKey();
const URI = 'https://rabta.example.pk/x/PK/GOV/BISP/payments/beneficiary-status/v1/status?cnic=masked';
const headers = { 'rabta-client': 'PK/BANK/HBL/branch-app', 'rabta-purpose': 'bisp-payment-status', 'rabta-subject': '35202-1234567-1' };
const body = Buffer.from('{"batch":[1,2,3]}');
const signOptions = { method: 'POST', targetUri: URI, headers, body, keyId: key.keyId, privateKey: key.privateKey, tag: 'rabta-request' as const };
const signed = { ...headers, ...(await signRequest(signOptions)) };
const resolveKey = async () => key.publicKey;
const verifyInput = { method: 'POST', targetUri: URI, headers: signed, hasBody: true, tag: 'rabta-request' as const, resolveKey };

// a base of the profile's size, for the raw comparison
const base = Buffer.from('x'.repeat(420));
const rawSignature = sign(null, base, key.privateKey);
const libraryVerifier = { id: key.keyId, algs: ['ed25519'], verify: createVerifier(key.publicKey, 'ed25519') };

describe('sign', () => {
  bench('raw crypto.sign (Ed25519, 420 bytes)', () => {
    sign(null, base, key.privateKey);
  });
  bench('signRequest (http-message-signatures)', async () => {
    await signRequest(signOptions);
  });
});

describe('verify', () => {
  bench('raw crypto.verify (Ed25519, 420 bytes)', () => {
    verify(null, base, key.publicKey, rawSignature);
  });
  bench('verifyRequest (lean profile verifier)', async () => {
    await verifyRequest(verifyInput);
  });
  bench('library verifyMessage (no profile checks)', async () => {
    await httpbis.verifyMessage({ keyLookup: async () => libraryVerifier }, { method: 'POST', url: URI, headers: signed });
  });
});
