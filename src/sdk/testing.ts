import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createSigner, httpbis } from 'http-message-signatures';
import { RabtaError } from '../core/index.js';
import type { ProblemCode } from '../core/index.js';
import { keyIdOf, publicJwkOf } from './keys.js';
import type { HeaderBag } from './profile.js';

/** Test helpers of the SDK (not part of its public interface). */

export interface TestKey {
  keyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export async function testKey(): Promise<TestKey> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { keyId: await keyIdOf(publicJwkOf(publicKey)), privateKey, publicKey };
}

/** A fixed instant: 2025-01-01T00:00:00Z, in epoch ms. */
export const T0 = Date.UTC(2025, 0, 1);
export const T0S = T0 / 1000;

export const lower = (headers: HeaderBag): Record<string, string | string[]> => {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = typeof v === 'string' ? v : [...v];
  return out;
};

/** The problem code a promise rejects with, or `resolved`. */
export async function codeOf(promise: Promise<unknown>): Promise<ProblemCode | 'resolved'> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    if (error instanceof RabtaError) return error.code;
    throw error;
  }
}

/**
 * Signs with the library directly, bypassing the profile, to build signatures
 * that the profile's signer refuses to make (wrong coverage, no expires, …).
 */
export async function rawSign(options: {
  key: TestKey;
  message: { method: string; url: string; headers: Record<string, string | string[]> };
  fields: string[];
  params: Record<string, string | number | undefined>;
  name?: string;
}): Promise<{ 'signature-input': string; signature: string }> {
  const paramValues = Object.fromEntries(
    Object.entries(options.params).map(([k, v]) => [k, k === 'created' || k === 'expires' ? new Date(Number(v) * 1000) : v]),
  );
  const signed = await httpbis.signMessage(
    {
      key: createSigner(options.key.privateKey, 'ed25519', options.key.keyId),
      name: options.name ?? 'sig1',
      fields: options.fields,
      // a parameter given as undefined is left out, not filled with the library's default
      params: Object.keys(options.params).filter((k) => options.params[k] !== undefined),
      paramValues: { created: null, ...paramValues },
    },
    options.message,
  );
  return { 'signature-input': String(signed.headers['Signature-Input']), signature: String(signed.headers['Signature']) };
}
