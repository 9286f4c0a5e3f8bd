import { createHash } from 'node:crypto';
import { LEAF_KIND } from '../core/index.js';
import type { LeafKind } from '../core/index.js';
import { MAX_ENTRY_SIZE } from './bundles.js';

/**
 * What a leaf of Rabta's log holds. The log is public, so anything that may
 * concern a person is a salted commitment — SHA-256(salt ‖ canonical record) —
 * whose record and salt stay in the database for those entitled to them.
 * Registry changes hold no personal data and are logged in clear.
 *
 * Leaf encoding, version 1: 0x01 ‖ type (1 byte) ‖ time (unix ms, 8 bytes BE)
 * ‖ either a 32-byte commitment (types 2–5) or canonical JSON (types 1 and 6).
 */
export const LEAF_VERSION = 0x01;

export { LEAF_KIND };
export type { LeafKind };

/** The kinds whose leaves hold their record in clear: nothing in them concerns a person. */
const CLEAR_KINDS: readonly LeafKind[] = [LEAF_KIND.registryChange, LEAF_KIND.openDataRelease];

const HEADER = 10;

/** JSON with object keys sorted at every depth and no whitespace: one byte string per value. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function commitment(salt: Uint8Array, record: unknown): Uint8Array {
  return commitmentOfJson(salt, canonicalJson(record));
}

/** The commitment to a record already in canonical JSON (the caller stores that text beside it). */
export function commitmentOfJson(salt: Uint8Array, json: string): Uint8Array {
  if (salt.length !== 32) throw new RangeError('a commitment salt is 32 bytes');
  return createHash('sha256').update(salt).update(json, 'utf8').digest();
}

export type LeafContent = { kind: LeafKind; time: number; commitment: Uint8Array } | { kind: LeafKind; time: number; clear: unknown };

export function encodeLeaf(leaf: LeafContent): Uint8Array {
  const body = 'commitment' in leaf ? leaf.commitment : Buffer.from(canonicalJson(leaf.clear), 'utf8');
  if ('commitment' in leaf && body.length !== 32) throw new RangeError('a commitment is 32 bytes');
  const out = Buffer.alloc(HEADER + body.length);
  out[0] = LEAF_VERSION;
  out[1] = leaf.kind;
  out.writeBigUInt64BE(BigInt(leaf.time), 2);
  out.set(body, HEADER);
  if (out.length > MAX_ENTRY_SIZE) throw new RangeError(`a leaf is at most ${MAX_ENTRY_SIZE} bytes`);
  return out;
}

export function decodeLeaf(bytes: Uint8Array): LeafContent {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < HEADER || buffer[0] !== LEAF_VERSION) throw new Error('not a version 1 Rabta leaf');
  const kind = buffer[1] as LeafKind;
  if (!Object.values(LEAF_KIND).includes(kind)) throw new Error(`unknown leaf type ${kind}`);
  const time = Number(buffer.readBigUInt64BE(2));
  const body = buffer.subarray(HEADER);
  if (CLEAR_KINDS.includes(kind)) return { kind, time, clear: JSON.parse(body.toString('utf8')) as unknown };
  if (body.length !== 32) throw new Error('a commitment leaf holds 32 bytes');
  return { kind, time, commitment: new Uint8Array(body) };
}
