import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { RabtaError } from '../core/index.js';

/**
 * Ed25519 key helpers. A subsystem key is registered as a JWK and named by its
 * RFC 7638 thumbprint (DESIGN.md "Keys"), so the keyid in a signature can be
 * recomputed from the public key by anyone.
 */

export interface Ed25519PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
}

export interface GeneratedKey {
  privateKeyPem: string;
  publicJwk: Ed25519PublicJwk;
  keyId: string;
}

/** Only the members RFC 7638 hashes, so a `kid`, `alg` or `use` never changes the id. */
export function checkPublicJwk(jwk: unknown): Ed25519PublicJwk {
  const j = (jwk ?? {}) as Record<string, unknown>;
  if (j.kty !== 'OKP' || j.crv !== 'Ed25519') throw new RabtaError('bad-request', 'the key must be an Ed25519 JWK (kty OKP, crv Ed25519)');
  if ('d' in j) throw new RabtaError('bad-request', 'the JWK holds a private key (d); only the public half is expected');
  if (typeof j.x !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(j.x) || Buffer.from(j.x, 'base64url').length !== 32) {
    throw new RabtaError('bad-request', 'the JWK x must be 32 bytes in base64url');
  }
  return { kty: 'OKP', crv: 'Ed25519', x: j.x };
}

/** RFC 7638 thumbprint (SHA-256, base64url): the keyid of a subsystem or exchange key. */
export async function keyIdOf(jwk: unknown): Promise<string> {
  return calculateJwkThumbprint(checkPublicJwk(jwk), 'sha256');
}

export function publicKeyFromJwk(jwk: unknown): KeyObject {
  return createPublicKey({ key: { ...checkPublicJwk(jwk) }, format: 'jwk' });
}

export function publicJwkOf(key: KeyObject): Ed25519PublicJwk {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return checkPublicJwk(publicKey.export({ format: 'jwk' }));
}

/** Accepts a KeyObject or a PKCS#8 PEM; refuses anything that is not an Ed25519 private key. */
export function privateKeyFrom(key: KeyObject | string): KeyObject {
  let object: KeyObject;
  try {
    object = typeof key === 'string' ? createPrivateKey(key) : key;
  } catch (error) {
    throw new TypeError('the private key is not a readable PEM', { cause: error });
  }
  if (object.type !== 'private' || object.asymmetricKeyType !== 'ed25519') throw new TypeError('the private key must be an Ed25519 private key');
  return object;
}

export async function generateSubsystemKey(): Promise<GeneratedKey> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicJwk = publicJwkOf(publicKey);
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicJwk,
    keyId: await keyIdOf(publicJwk),
  };
}
