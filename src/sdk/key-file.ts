import { readFile } from 'node:fs/promises';
import type { KeyObject } from 'node:crypto';
import { isCode } from '../core/index.js';
import { keyIdOf, privateKeyFrom, publicJwkOf } from './keys.js';
import type { Ed25519PublicJwk } from './keys.js';

/**
 * The demo key file handed to an institution:
 * `{"client": "PK/BANK/HBL/branch-app", "keyId": "…", "privateKeyPem": "…",
 *   "example": {"method": "GET", "path": "/x/PK/GOV/BISP/…"}}`.
 * It is checked completely on load, so a wrong file fails here with a message
 * naming the field, not later as an opaque `bad-signature` from the gateway.
 */
export interface KeyFile {
  client: string;
  keyId: string;
  privateKey: KeyObject;
  publicJwk: Ed25519PublicJwk;
  example?: { method: string; path: string };
}

export async function loadKeyFile(path: string): Promise<KeyFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`key file ${path}: cannot be read (${(error as Error).message})`, { cause: error });
  }
  return parseKeyFile(text, path);
}

export async function parseKeyFile(text: string, name = 'key file'): Promise<KeyFile> {
  // An annotated never-function narrows the fields after each check.
  const fail: (why: string) => never = (why) => {
    throw new Error(`${name}: ${why}`);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return fail(`is not JSON (${(error as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return fail('must be a JSON object');
  const { client, keyId, privateKeyPem, example } = doc as Record<string, unknown>;

  if (typeof client !== 'string' || client.split('/').length !== 4 || !client.split('/').every(isCode)) {
    fail('"client" must be a subsystem id such as PK/BANK/HBL/branch-app');
  }
  if (typeof keyId !== 'string' || keyId === '') fail('"keyId" must be the key\'s RFC 7638 thumbprint');
  if (typeof privateKeyPem !== 'string') fail('"privateKeyPem" must be a PKCS#8 PEM string');
  let privateKey: KeyObject;
  try {
    privateKey = privateKeyFrom(privateKeyPem);
  } catch (error) {
    return fail(`"privateKeyPem": ${(error as Error).message}`);
  }
  const publicJwk = publicJwkOf(privateKey);
  const actual = await keyIdOf(publicJwk);
  if (actual !== keyId) fail(`"keyId" ${keyId} is not the thumbprint of the private key (${actual}); the file mixes two keys`);

  const result: KeyFile = { client, keyId, privateKey, publicJwk };
  if (example !== undefined) {
    const e = (typeof example === 'object' && example !== null ? example : {}) as Record<string, unknown>;
    if (typeof e.method !== 'string' || typeof e.path !== 'string' || !e.path.startsWith('/')) {
      fail('"example" must be {"method": "GET", "path": "/x/…"} (or another signed path, such as /subscriptions)');
    }
    result.example = { method: e.method, path: e.path };
  }
  return result;
}
