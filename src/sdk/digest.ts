import { createHash, timingSafeEqual } from 'node:crypto';
import { parseDictionary, serializeDictionary, item, fieldValue } from './sfv.js';

/**
 * RFC 9530 `Content-Digest` with sha-256, the only algorithm of the Rabta
 * profile. Verification takes the raw hash, not the body, because the gateway
 * hashes large bodies while spooling them to disk and never holds them whole.
 */

export function sha256(data: Uint8Array): Uint8Array {
  return createHash('sha256').update(data).digest();
}

/** `sha-256=:<base64>:` for a hash already computed (e.g. while streaming). */
export function contentDigestOfHash(hash: Uint8Array): string {
  if (hash.byteLength !== 32) throw new TypeError('a sha-256 hash is 32 bytes');
  return serializeDictionary(new Map([['sha-256', item(hash)]]));
}

export function contentDigest(body: Uint8Array): string {
  return contentDigestOfHash(sha256(body));
}

/**
 * Whether a Content-Digest field holds a sha-256 member equal to `hash`.
 * Other algorithms in the field are ignored (RFC 9530 lets a sender list
 * several); without sha-256, or unparsable, it does not match.
 */
export function digestMatches(headerValue: string | readonly string[] | undefined, hash: Uint8Array): boolean {
  if (headerValue === undefined || hash.byteLength !== 32) return false;
  let member;
  try {
    member = parseDictionary(fieldValue(headerValue)).get('sha-256');
  } catch {
    return false;
  }
  if (member?.kind !== 'item' || !(member.value instanceof Uint8Array) || member.value.byteLength !== 32) return false;
  return timingSafeEqual(member.value, hash);
}

/** Hashes a body chunk by chunk; `header()` is the Content-Digest value once the body has ended. */
export interface BodyHasher {
  update(chunk: Uint8Array): BodyHasher;
  /** bytes seen so far */
  readonly size: number;
  /** the raw sha-256; after the last chunk (later updates are refused) */
  digest(): Uint8Array;
  /** the Content-Digest value; after the last chunk */
  header(): string;
}

export function createBodyHasher(): BodyHasher {
  const hash = createHash('sha256');
  let size = 0;
  let result: Uint8Array | undefined;
  const finish = (): Uint8Array => (result ??= hash.digest());
  const hasher: BodyHasher = {
    update(chunk) {
      if (result) throw new Error('the body hash is already final');
      hash.update(chunk);
      size += chunk.byteLength;
      return hasher;
    },
    get size() {
      return size;
    },
    digest: finish,
    header: () => contentDigestOfHash(finish()),
  };
  return hasher;
}
