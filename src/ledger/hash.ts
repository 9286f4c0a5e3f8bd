/**
 * RFC 9162 §2.1 Merkle tree hashing with SHA-256. The 0x00 / 0x01 prefixes are
 * the domain separation between leaves and interior nodes: without them a
 * node's 64-byte preimage could be presented as a leaf (second-preimage attack).
 */
import { createHash } from 'node:crypto';

export const HASH_SIZE = 32;

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

export function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** MTH({d(0)}) = SHA-256(0x00 ‖ d(0)). */
export function leafHash(entry: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, entry);
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    throw new RangeError('nodeHash takes two 32-byte hashes');
  }
  return sha256(NODE_PREFIX, left, right);
}

/** MTH({}) = SHA-256(""): a fresh copy each call, since Uint8Arrays are mutable. */
export function emptyRoot(): Uint8Array {
  return sha256();
}

export function isHash(value: Uint8Array): boolean {
  return value.length === HASH_SIZE;
}
