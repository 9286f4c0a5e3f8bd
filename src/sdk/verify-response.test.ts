import { createSigner, httpbis } from 'http-message-signatures';
import { describe, expect, it } from 'vitest';
import { contentDigest } from './digest.js';
import { signRequest, signResponse } from './sign.js';
import { T0, T0S, codeOf, testKey } from './testing.js';
import { verifyResponse } from './verify.js';
import type { VerifyResponseInput } from './verify.js';

const client = await testKey();
const exchange = await testKey();
const URI = 'https://rabta.example.pk/x/PK/GOV/BISP/payments/beneficiary-status/v1/s';

async function request() {
  return signRequest({ method: 'GET', targetUri: URI, headers: { 'rabta-client': 'PK/BANK/HBL/branch-app' }, keyId: client.keyId, privateKey: client.privateKey, tag: 'rabta-request', created: T0 });
}

async function response(body: Uint8Array, status = 200): Promise<VerifyResponseInput & { requestSignature: string }> {
  const req = await request();
  const headers = { 'rabta-exchange-id': '01JEXCHANGE', 'content-type': 'application/json' };
  const added = await signResponse({ status, headers, body, request: { signature: req.signature, signatureInput: req['signature-input'] }, keyId: exchange.keyId, privateKey: exchange.privateKey, created: T0 });
  return { status, headers: { ...headers, ...added }, body, request: { signature: req.signature }, now: T0, resolveKey: async () => exchange.publicKey, requestSignature: req.signature };
}

describe('response signatures', () => {
  it('cover @status, content-digest, rabta-exchange-id and the request signature', async () => {
    const r = await response(Buffer.from('{"ok":true}'));
    expect(r.headers['signature-input']).toMatch(/^sig1=\("@status" "content-digest" "rabta-exchange-id" "signature";req;key="sig1"\);created=\d+;expires=\d+;nonce="[^"]+";keyid="[^"]+";alg="ed25519";tag="rabta-response"$/);
    expect(await verifyResponse(r)).toMatchObject({ keyId: exchange.keyId, created: T0S });
  });

  it('carry a Content-Digest even for an empty body', async () => {
    const r = await response(new Uint8Array(), 204);
    expect(r.headers['content-digest']).toBe(contentDigest(new Uint8Array()));
    await expect(verifyResponse(r)).resolves.toBeDefined();
  });

  it('do not verify against another request’s signature', async () => {
    const r = await response(Buffer.from('x'));
    const other = await request();
    expect(other.signature).not.toBe(r.requestSignature);
    expect(await codeOf(verifyResponse({ ...r, request: { signature: other.signature } }))).toBe('bad-signature');
  });

  it('fail when status, exchange id or body change', async () => {
    const r = await response(Buffer.from('{"amount":5000}'));
    expect(await codeOf(verifyResponse({ ...r, status: 201 }))).toBe('bad-signature');
    expect(await codeOf(verifyResponse({ ...r, headers: { ...r.headers, 'rabta-exchange-id': 'other' } }))).toBe('bad-signature');
    expect(await codeOf(verifyResponse({ ...r, body: Buffer.from('{"amount":9000}') }))).toBe('digest-mismatch');
    expect(await codeOf(verifyResponse({ ...r, resolveKey: async () => client.publicKey }))).toBe('bad-signature');
  });

  it('need their headers, their tag, their coverage and their time', async () => {
    const r = await response(Buffer.from('x'));
    for (const name of ['rabta-exchange-id', 'content-digest', 'signature', 'signature-input']) {
      const { [name]: _gone, ...rest } = r.headers as Record<string, string>;
      await expect(verifyResponse({ ...r, headers: rest })).rejects.toMatchObject({ code: 'missing-header', message: name });
    }
    expect(await codeOf(verifyResponse({ ...r, now: T0 + 61_000 }))).toBe('signature-expired');

    // a request-tagged signature, and one that leaves out the binding, made with the library directly
    const craft = async (fields: string[], tag: string) => {
      const signed = await httpbis.signMessage(
        {
          key: createSigner(exchange.privateKey, 'ed25519', exchange.keyId),
          name: 'sig1',
          fields,
          params: ['created', 'expires', 'nonce', 'keyid', 'alg', 'tag'],
          paramValues: { created: new Date(T0), expires: new Date(T0 + 60_000), nonce: 'AAAAAAAAAAAAAAAAAAAAAA', tag },
        },
        { status: 200, headers: <Record<string, string>>{ 'rabta-exchange-id': 'e', 'content-digest': contentDigest(r.body) } },
        { method: 'GET', url: URI, headers: { signature: r.requestSignature } },
      );
      return { ...r, headers: { 'rabta-exchange-id': 'e', 'content-digest': contentDigest(r.body), signature: String(signed.headers['Signature']), 'signature-input': String(signed.headers['Signature-Input']) } };
    };
    expect(await codeOf(verifyResponse(await craft(['@status', 'content-digest', 'rabta-exchange-id', 'signature;req;key="sig1"'], 'rabta-response')))).toBe('resolved');
    expect(await codeOf(verifyResponse(await craft(['@status', 'content-digest', 'rabta-exchange-id', 'signature;req;key="sig1"'], 'rabta-request')))).toBe('signature-wrong-tag');
    expect(await codeOf(verifyResponse(await craft(['@status', 'content-digest', 'rabta-exchange-id'], 'rabta-response')))).toBe('signature-coverage');
    expect(await codeOf(verifyResponse(await craft(['@status', 'content-digest', 'rabta-exchange-id', 'signature;req'], 'rabta-response')))).toBe('signature-coverage');
  });

  it('cannot be made without a digest or a request signature', async () => {
    const req = await request();
    const base = { status: 200, keyId: exchange.keyId, privateKey: exchange.privateKey };
    await expect(signResponse({ ...base, headers: { 'rabta-exchange-id': 'e' }, request: { signature: req.signature } })).rejects.toThrow(/content-digest/);
    await expect(signResponse({ ...base, headers: { 'rabta-exchange-id': 'e' }, body: new Uint8Array(), request: { signature: '' } })).rejects.toThrow(/Signature/);
    await expect(signResponse({ ...base, headers: {}, body: new Uint8Array(), request: { signature: req.signature } })).rejects.toThrow(/rabta-exchange-id/);
  });
});
