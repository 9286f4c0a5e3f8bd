/**
 * The text encodings of C2SP signed-note keys, shared by log keys (type 0x01)
 * and witness cosignature keys (type 0x04):
 *
 *   vkey: <name>+<hex key ID>+<base64(type ‖ public key)>
 *   skey: PRIVATE+KEY+<name>+<hex key ID>+<base64(type ‖ private key)>
 *   key ID = SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], big-endian uint32
 *
 * The type byte is inside the hashed material, so the same public key yields a
 * different key ID per signature type and a signature of one type can never be
 * matched to a verifier of another.
 */
import {
  concatBytes,
  decodeBase64,
  encodeBase64,
  formatKeyId,
  isWellFormed,
  parseKeyId,
  readUint32,
  utf8,
} from './encoding.js';
import { LedgerFormatError } from './errors.js';
import { sha256 } from './hash.js';

/** Signature type identifier bytes (c2sp.org/signed-note#signature-types) that Rabta uses. */
export const SIGNATURE_TYPE = {
  ed25519: 0x01,
  cosignatureV1: 0x04,
} as const;

// Go's unicode.IsSpace, which the reference implementation uses, is exactly the
// White_Space property; control characters can never appear in a note either.
const FORBIDDEN_IN_NAME = /[\p{White_Space}+\u0000-\u001f]/u;

/** Key names are non-empty and contain no Unicode spaces and no plus signs. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && isWellFormed(name) && !FORBIDDEN_IN_NAME.test(name);
}

export function assertKeyName(name: string): void {
  if (!isValidKeyName(name)) throw new LedgerFormatError('key', `invalid key name ${JSON.stringify(name)}`);
}

export function computeKeyId(name: string, type: number, publicKey: Uint8Array): number {
  const digest = sha256(utf8(name), new Uint8Array([0x0a, type]), publicKey);
  return readUint32(digest, 0);
}

export interface DecodedKey {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  /** The key material after the type byte. */
  readonly key: Uint8Array;
}

export function encodeVerifierKey(name: string, type: number, publicKey: Uint8Array): string {
  assertKeyName(name);
  const id = computeKeyId(name, type, publicKey);
  return `${name}+${formatKeyId(id)}+${encodeBase64(concatBytes(new Uint8Array([type]), publicKey))}`;
}

export function encodeSignerKey(name: string, type: number, privateKey: Uint8Array, publicKey: Uint8Array): string {
  assertKeyName(name);
  const id = computeKeyId(name, type, publicKey);
  return `PRIVATE+KEY+${name}+${formatKeyId(id)}+${encodeBase64(concatBytes(new Uint8Array([type]), privateKey))}`;
}

function decodeParts(name: string, hexId: string, material: string): DecodedKey {
  assertKeyName(name);
  const keyId = parseKeyId(hexId);
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(material);
  } catch {
    throw new LedgerFormatError('key', 'key material is not canonical base64');
  }
  if (bytes.length < 2) throw new LedgerFormatError('key', 'key material is empty');
  return { name, keyId, type: bytes[0] as number, key: bytes.subarray(1) };
}

/**
 * Splits a vkey into its parts without interpreting the key. The key ID is not
 * checked here: it can only be recomputed from the public key, which callers
 * do once they know the type (see checkKeyId).
 */
export function decodeVerifierKey(vkey: string): DecodedKey {
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (second < 0) throw new LedgerFormatError('key', 'a verifier key is <name>+<key ID>+<key>');
  return decodeParts(vkey.slice(0, first), vkey.slice(first + 1, second), vkey.slice(second + 1));
}

/** Splits an skey into its parts; `key` is the private key material. */
export function decodeSignerKey(skey: string): DecodedKey {
  if (!skey.startsWith('PRIVATE+KEY+')) throw new LedgerFormatError('key', 'a signer key starts with PRIVATE+KEY+');
  const rest = skey.slice('PRIVATE+KEY+'.length);
  const first = rest.indexOf('+');
  const second = first < 0 ? -1 : rest.indexOf('+', first + 1);
  if (second < 0) throw new LedgerFormatError('key', 'a signer key is PRIVATE+KEY+<name>+<key ID>+<key>');
  return decodeParts(rest.slice(0, first), rest.slice(first + 1, second), rest.slice(second + 1));
}

export function checkKeyId(decoded: DecodedKey, publicKey: Uint8Array): void {
  if (computeKeyId(decoded.name, decoded.type, publicKey) !== decoded.keyId) {
    throw new LedgerFormatError('key', `key ID ${formatKeyId(decoded.keyId)} does not match the key`);
  }
}
