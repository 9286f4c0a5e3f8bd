/**
 * RFC 9162 §2.1 Merkle tree hashing with SHA-256. The 0x00 / 0x01 prefixes are
 * the domain separation between leaves and interior nodes: without them a
 * node's 64-byte preimage could be presented as a leaf (second-preimage attack).
 */
import { createHash, hash } from 'node:crypto';

export const HASH_SIZE = 32;

/**
 * Node hashes are most of a sequencer's and a verifier's work: one-shot
 * digests of a reused 65-byte input cost a fraction of a Hash object each.
 * Safe to share because hashing is synchronous.
 */
const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE);
nodeInput[0] = 0x01;

function digest(data: Uint8Array): Uint8Array {
  const out = hash('sha256', data, 'buffer');
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

export function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** MTH({d(0)}) = SHA-256(0x00 ‖ d(0)). */
export function leafHash(entry: Uint8Array): Uint8Array {
  const input = Buffer.allocUnsafe(1 + entry.length);
  input[0] = 0x00;
  input.set(entry, 1);
  return digest(input);
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    throw new RangeError('nodeHash takes two 32-byte hashes');
  }
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return digest(nodeInput);
}

/** MTH({}) = SHA-256(""): a fresh copy each call, since Uint8Arrays are mutable. */
export function emptyRoot(): Uint8Array {
  return sha256();
}

export function isHash(value: Uint8Array): boolean {
  return value.length === HASH_SIZE;
}
