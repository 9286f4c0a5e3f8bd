import { httpbis } from 'http-message-signatures';
import { describe, expect, it, vi } from 'vitest';
import { RabtaError } from '../core/index.js';
import { signatureBase } from './base.js';
import { signRequest } from './sign.js';
import { parseDictionary } from './sfv.js';
import type { InnerList } from './sfv.js';
import { T0, T0S, codeOf, lower, rawSign, testKey } from './testing.js';
import type { TestKey } from './testing.js';
import { verifyRequest } from './verify.js';
import type { VerifyRequestInput } from './verify.js';
import type { RequestTag } from './profile.js';

const URI = 'https://rabta.example.pk/x/PK/GOV/BISP/payments/beneficiary-status/v1/status?cnic=masked&lang=ur';
const BODY = Buffer.from('{"batch":[1,2,3]}');

const key = await testKey();
const otherKey = await testKey();

interface Setup {
  method?: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  tag?: RequestTag;
  created?: number;
  expiresIn?: number;
}

/** Signs a request with the profile signer; returns the verify input for it (lower-case headers, like node:http). */
async function signed(setup: Setup = {}, signer: TestKey = key): Promise<VerifyRequestInput> {
  const headers = setup.headers ?? { 'Rabta-Client': 'PK/BANK/HBL/branch-app' };
  const added = await signRequest({
    method: setup.method ?? 'GET',
    targetUri: URI,
    headers,
    body: setup.body,
    keyId: signer.keyId,
    privateKey: signer.privateKey,
    tag: setup.tag ?? 'rabta-request',
    created: setup.created ?? T0,
    expiresIn: setup.expiresIn,
  });
  return {
    method: (setup.method ?? 'GET').toUpperCase(),
    targetUri: URI,
    headers: lower({ ...headers, ...added }),
    hasBody: (setup.body?.byteLength ?? 0) > 0,
    tag: setup.tag ?? 'rabta-request',
    now: T0 + 1000,
    resolveKey: async (kid) => {
      if (kid !== key.keyId) throw new RabtaError('unknown-key', kid);
      return key.publicKey;
    },
  };
}

const FULL = { 'Rabta-Client': 'PK/BANK/HBL/branch-app', 'Rabta-Purpose': 'bisp-payment-status', 'Rabta-Subject': '35202-1234567-1', 'Content-Type': 'application/json' };

/** A raw (library) signature over `fields` with the profile's parameters, overridable. */
async function crafted(fields: string[], params: Record<string, string | number | undefined> = {}, headers: Record<string, string> = FULL) {
  const input = await signed({ headers, body: BODY, method: 'POST' });
  const base = { created: T0S, expires: T0S + 60, nonce: 'AAAAAAAAAAAAAAAAAAAAAA', keyid: key.keyId, alg: 'ed25519', tag: 'rabta-request' };
  const { signature: _s, 'signature-input': _i, ...unsigned } = input.headers as Record<string, string>;
  const sig = await rawSign({
    key,
    message: { method: 'POST', url: URI, headers: unsigned },
    fields,
    params: { ...base, ...params },
  });
  return { ...input, headers: { ...input.headers, ...sig } };
}
const ALL = ['@method', '@target-uri', 'rabta-client', 'content-digest', 'rabta-purpose', 'rabta-subject'];

describe('verifyRequest accepts what signRequest makes', () => {
  it('a GET without body covers @method, @target-uri and rabta-client', async () => {
    const input = await signed();
    const verified = await verifyRequest(input);
    expect(verified).toEqual({ keyId: key.keyId, created: T0S, expires: T0S + 60, nonce: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), components: ['@method', '@target-uri', 'rabta-client'] });
    expect(input.headers['content-digest']).toBeUndefined();
  });

  it('a POST with body, purpose and subject covers all six, in profile order', async () => {
    const input = await signed({ method: 'post', headers: FULL, body: BODY });
    expect((await verifyRequest(input)).components).toEqual(ALL);
    expect(input.headers['content-digest']).toBe('sha-256=:' + (await import('node:crypto')).createHash('sha256').update(BODY).digest('base64') + ':');
    expect(input.headers['signature-input']).toMatch(/^sig1=\("@method" "@target-uri" "rabta-client" "content-digest" "rabta-purpose" "rabta-subject"\);created=\d+;expires=\d+;nonce="[^"]+";keyid="[^"]+";alg="ed25519";tag="rabta-request"$/);
  });

  it('a forward also covers rabta-exchange-id', async () => {
    const input = await signed({ tag: 'rabta-forward', headers: { ...FULL, 'Rabta-Exchange-Id': 'ex-1' }, body: BODY, method: 'POST' });
    expect((await verifyRequest(input)).components).toEqual([...ALL, 'rabta-exchange-id']);
  });

  it('picks sig1 among several signatures', async () => {
    const input = await signed();
    const h = input.headers as Record<string, string>;
    h['signature-input'] = `proxy=("@method");created=1, ${h['signature-input']}`;
    h['signature'] = `proxy=:AAAA:, ${h['signature']}`;
    await expect(verifyRequest(input)).resolves.toMatchObject({ keyId: key.keyId });
  });

  it('tolerates a client clock up to 60 s ahead, and a 300 s window', async () => {
    await expect(verifyRequest(await signed({ created: T0 + 60_000 }))).resolves.toBeDefined();
    const long = await signed({ expiresIn: 300 });
    await expect(verifyRequest({ ...long, now: T0 + 299_000 })).resolves.toBeDefined();
  });
});

describe('verifyRequest refuses', () => {
  const expectCode = async (input: VerifyRequestInput | Promise<VerifyRequestInput>, code: string) => expect(await codeOf(verifyRequest(await input))).toBe(code);

  it('missing headers, naming the header', async () => {
    for (const name of ['signature', 'signature-input', 'rabta-client']) {
      const input = await signed();
      delete (input.headers as Record<string, string>)[name];
      await expect(verifyRequest(input)).rejects.toMatchObject({ code: 'missing-header', message: name });
    }
    const withBody = await signed({ body: BODY, method: 'POST' });
    delete (withBody.headers as Record<string, string>)['content-digest'];
    await expect(verifyRequest(withBody)).rejects.toMatchObject({ code: 'missing-header', message: 'content-digest' });
    const forward = await signed({ tag: 'rabta-forward', headers: { 'Rabta-Client': 'PK/X/Y/z', 'Rabta-Exchange-Id': 'e' } });
    delete (forward.headers as Record<string, string>)['rabta-exchange-id'];
    await expect(verifyRequest(forward)).rejects.toMatchObject({ code: 'missing-header', message: 'rabta-exchange-id' });
  });

  it('unparsable or incomplete signature fields as malformed', async () => {
    const input = await signed();
    const h = input.headers as Record<string, string>;
    await expectCode({ ...input, headers: { ...h, 'signature-input': 'sig1=("@method"' } }, 'malformed-signature');
    await expectCode({ ...input, headers: { ...h, signature: 'sig1=abc' } }, 'malformed-signature');
    await expectCode({ ...input, headers: { ...h, signature: 'sig1=:' } }, 'malformed-signature');
    await expectCode({ ...input, headers: { ...h, 'signature-input': h['signature-input']!.replace('sig1=', 'sig2=') } }, 'malformed-signature');
    await expectCode({ ...input, headers: { ...h, signature: h['signature']!.replace('sig1=', 'sig2=') } }, 'malformed-signature');
  });

  it('a signature without expires, created, nonce or keyid as malformed', async () => {
    for (const drop of ['expires', 'created', 'nonce', 'keyid']) {
      await expectCode(crafted(ALL, { [drop]: undefined }), 'malformed-signature');
    }
    await expectCode(crafted(ALL, { nonce: 'short' }), 'malformed-signature');
    await expectCode(crafted(ALL, { expires: T0S }), 'malformed-signature');
  });

  it('a wrong tag, before looking at anything else', async () => {
    await expectCode(crafted(ALL, { tag: 'rabta-forward', expires: T0S - 1000, created: T0S - 1060 }), 'signature-wrong-tag');
    await expectCode(crafted(ALL, { tag: undefined }), 'malformed-signature');
    const forward = await signed({ tag: 'rabta-forward', headers: { 'Rabta-Client': 'PK/X/Y/z', 'Rabta-Exchange-Id': 'e' } });
    await expectCode({ ...forward, tag: 'rabta-request' }, 'signature-wrong-tag');
    const request = await signed({ headers: { 'Rabta-Client': 'PK/X/Y/z', 'Rabta-Exchange-Id': 'e' } });
    await expectCode({ ...request, tag: 'rabta-forward' }, 'signature-wrong-tag');
  });

  it('an algorithm other than ed25519', async () => {
    await expectCode(crafted(ALL, { alg: 'rsa-pss-sha512' }), 'signature-algorithm-unsupported');
    await expectCode(crafted(ALL, { alg: undefined }), 'malformed-signature');
  });

  it('coverage other than the profile requires', async () => {
    await expectCode(crafted(ALL.filter((c) => c !== 'content-digest')), 'signature-coverage');
    await expectCode(crafted(ALL.filter((c) => c !== 'rabta-purpose')), 'signature-coverage');
    await expectCode(crafted(ALL.filter((c) => c !== 'rabta-subject')), 'signature-coverage');
    await expectCode(crafted(ALL.filter((c) => c !== '@target-uri')), 'signature-coverage');
    await expectCode(crafted([...ALL, 'content-type']), 'signature-coverage');
    await expectCode(crafted(['rabta-client', '@target-uri', 'rabta-subject', '@method', 'content-digest', 'rabta-purpose']), 'resolved');
    await expectCode(crafted([...ALL, '@method']), 'malformed-signature');
    // covering content-digest of a request that has no body
    const noBody = await crafted(ALL);
    await expectCode({ ...noBody, hasBody: false }, 'signature-coverage');
    const err = await verifyRequest(await crafted(ALL.filter((c) => c !== 'content-digest'))).catch((e: RabtaError) => e);
    expect((err as RabtaError).message).toMatch(/content-digest \(the message has a body\)/);
  });

  it('expired, not yet valid and too long signatures', async () => {
    const input = await signed();
    await expectCode({ ...input, now: T0 + 61_000 }, 'signature-expired');
    await expectCode({ ...input, now: T0 + 60_999 }, 'resolved');
    await expectCode({ ...input, now: T0 - 61_000 }, 'signature-not-yet-valid');
    await expectCode({ ...input, now: T0 - 60_000 }, 'resolved');
    await expectCode(crafted(ALL, { expires: T0S + 301 }), 'signature-window-too-long');
    await expectCode(crafted(ALL, { expires: T0S + 300 }), 'resolved');
  });

  it('tampering with method, target URI, a covered header or the signature', async () => {
    const input = await signed({ method: 'POST', headers: FULL, body: BODY });
    const h = input.headers as Record<string, string>;
    await expectCode({ ...input, method: 'DELETE' }, 'bad-signature');
    await expectCode({ ...input, targetUri: URI.replace('lang=ur', 'lang=en') }, 'bad-signature');
    await expectCode({ ...input, targetUri: URI.replace('rabta.example.pk', 'evil.example.pk') }, 'bad-signature');
    await expectCode({ ...input, headers: { ...h, 'rabta-subject': '35202-1234567-2' } }, 'bad-signature');
    await expectCode({ ...input, headers: { ...h, 'rabta-client': 'PK/BANK/UBL/branch-app' } }, 'bad-signature');
    await expectCode({ ...input, headers: { ...h, 'content-digest': 'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:' } }, 'bad-signature');
    await expectCode({ ...input, headers: { ...h, 'signature-input': h['signature-input']!.replace(/nonce="[^"]+"/, 'nonce="BBBBBBBBBBBBBBBBBBBBBB"') } }, 'bad-signature');
    const sig = Buffer.from(h['signature']!.slice(6, -1), 'base64');
    sig[10]! ^= 1;
    await expectCode({ ...input, headers: { ...h, signature: `sig1=:${sig.toString('base64')}:` } }, 'bad-signature');
  });

  it('a signature by another key than the one resolved', async () => {
    const input = await signed({}, otherKey);
    await expectCode({ ...input, resolveKey: async () => key.publicKey }, 'bad-signature');
  });

  it('without calling the key lookup when an earlier check fails, and passes the lookup’s own refusal on', async () => {
    const input = await signed();
    const resolveKey = vi.fn(async () => key.publicKey);
    await expectCode({ ...input, resolveKey, now: T0 + 120_000 }, 'signature-expired');
    await expectCode({ ...input, resolveKey, tag: 'rabta-forward', headers: { ...input.headers, 'rabta-exchange-id': 'x' } }, 'signature-wrong-tag');
    expect(resolveKey).not.toHaveBeenCalled();
    await expectCode({ ...input, resolveKey: async () => Promise.reject(new RabtaError('key-revoked')) }, 'key-revoked');
  });
});

describe('the lean signature base agrees with the library’s', () => {
  it.each([
    ['GET, no body', { 'rabta-client': 'PK/BANK/HBL/branch-app' }, ['@method', '@target-uri', 'rabta-client']],
    ['all components', lower({ ...FULL, 'content-digest': 'sha-256=:AAAA:' }), ALL],
    ['a repeated field and padding', { 'rabta-client': '  PK/A/B/c ', 'rabta-purpose': ['a', ' b '] }, ['@method', '@target-uri', 'rabta-client', 'rabta-purpose']],
  ])('%s', async (_name, headers, fields) => {
    const sig = await rawSign({ key, message: { method: 'POST', url: URI, headers }, fields, params: { created: T0S, expires: T0S + 60, keyid: key.keyId, tag: 'rabta-request' } });
    const inputText = sig['signature-input'].slice('sig1='.length);
    const library = httpbis.formatSignatureBase([...httpbis.createSignatureBase({ fields }, { method: 'POST', url: URI, headers }), ['"@signature-params"', [inputText]]]);
    const lean = signatureBase(parseDictionary(sig['signature-input']).get('sig1') as InnerList, { method: 'POST', targetUri: URI, headers });
    expect(lean).toBe(library);
  });
});
