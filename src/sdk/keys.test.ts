import { sign, verify } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RabtaError } from '../core/index.js';
import { loadKeyFile } from './key-file.js';
import { checkPublicJwk, generateSubsystemKey, keyIdOf, privateKeyFrom, publicJwkOf, publicKeyFromJwk } from './keys.js';

// RFC 8037 Appendix A.1 (Ed25519 key) and A.3 (its RFC 7638 thumbprint).
const RFC8037_JWK = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
const RFC8037_THUMBPRINT = 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k';

describe('Ed25519 key helpers', () => {
  it('names a key by its RFC 7638 thumbprint (RFC 8037 A.3)', async () => {
    expect(await keyIdOf(RFC8037_JWK)).toBe(RFC8037_THUMBPRINT);
    // kid, alg and use are not hashed
    expect(await keyIdOf({ ...RFC8037_JWK, kid: 'x', alg: 'EdDSA', use: 'sig' })).toBe(RFC8037_THUMBPRINT);
  });

  it('generates a key whose id, JWK and PEM belong together', async () => {
    const key = await generateSubsystemKey();
    expect(key.publicJwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(key.keyId).toBe(await keyIdOf(key.publicJwk));
    const privateKey = privateKeyFrom(key.privateKeyPem);
    const signature = sign(null, Buffer.from('hello'), privateKey);
    expect(verify(null, Buffer.from('hello'), publicKeyFromJwk(key.publicJwk), signature)).toBe(true);
    expect(publicJwkOf(privateKey)).toEqual(key.publicJwk);
  });

  it('refuses JWKs that are not public Ed25519 keys', () => {
    expect(() => checkPublicJwk({ kty: 'EC', crv: 'P-256', x: RFC8037_JWK.x })).toThrow(RabtaError);
    expect(() => checkPublicJwk({ ...RFC8037_JWK, d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A' })).toThrow(/private/);
    expect(() => checkPublicJwk({ ...RFC8037_JWK, x: 'abc' })).toThrow(/32 bytes/);
    expect(() => checkPublicJwk(null)).toThrow(RabtaError);
  });

  it('refuses private keys that are not Ed25519', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => privateKeyFrom(privateKey)).toThrow(/Ed25519/);
    expect(() => privateKeyFrom('not a pem')).toThrow(/PEM/);
  });
});

describe('loadKeyFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rabta-keyfile-'));
  const write = (name: string, content: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };

  it('loads the demo key-file format', async () => {
    const key = await generateSubsystemKey();
    const file = write('ok.json', {
      client: 'PK/BANK/HBL/branch-app',
      keyId: key.keyId,
      privateKeyPem: key.privateKeyPem,
      example: { method: 'GET', path: '/x/PK/GOV/BISP/payments/beneficiary-status/v1/x' },
    });
    const loaded = await loadKeyFile(file);
    expect(loaded.client).toBe('PK/BANK/HBL/branch-app');
    expect(loaded.keyId).toBe(key.keyId);
    expect(loaded.publicJwk).toEqual(key.publicJwk);
    expect(loaded.privateKey.asymmetricKeyType).toBe('ed25519');
    expect(loaded.example?.path).toMatch(/^\/x\//);
  });

  it('names what is wrong', async () => {
    const key = await generateSubsystemKey();
    const other = await generateSubsystemKey();
    const good = { client: 'PK/BANK/HBL/branch-app', keyId: key.keyId, privateKeyPem: key.privateKeyPem };
    await expect(loadKeyFile(join(dir, 'absent.json'))).rejects.toThrow(/cannot be read/);
    await expect(loadKeyFile(write('a.json', '{nope'))).rejects.toThrow(/is not JSON/);
    await expect(loadKeyFile(write('b.json', [1]))).rejects.toThrow(/JSON object/);
    await expect(loadKeyFile(write('c.json', { ...good, client: 'PK/BANK/HBL' }))).rejects.toThrow(/"client"/);
    await expect(loadKeyFile(write('d.json', { ...good, keyId: other.keyId }))).rejects.toThrow(/not the thumbprint/);
    await expect(loadKeyFile(write('e.json', { ...good, privateKeyPem: 'x' }))).rejects.toThrow(/"privateKeyPem"/);
    await expect(loadKeyFile(write('f.json', { ...good, keyId: undefined }))).rejects.toThrow(/"keyId"/);
    await expect(loadKeyFile(write('g.json', { ...good, example: { method: 'GET', path: 'admin' } }))).rejects.toThrow(/"example"/);
  });
});
