/**
 * RFC 9162 §2.1 Merkle Tree Hash, inclusion proofs (§2.1.3.1) and consistency
 * proofs (§2.1.4.1), computed over a *hash source* instead of an in-memory tree.
 *
 * Why a source: the ledger is stored as C2SP tiles, which hold exactly the hashes
 * of complete ("perfect") subtrees. Every hash a proof or root needs is either such
 * a subtree or a right-edge range that folds out of a few of them, so proofs can be
 * answered from tiles without ever rebuilding the tree. See README.md in this folder
 * for how storage plugs in.
 *
 * Coordinates: the node (level, index) is the perfect subtree over leaves
 * [index·2^level, (index+1)·2^level); level 0 are leaf hashes. Sizes and indexes
 * are JS numbers limited to 2^53 − 1, so every computation here uses arithmetic,
 * never the 32-bit bitwise operators.
 */
import { emptyRoot, HASH_SIZE, nodeHash } from './hash.js';
import { assertUint } from './encoding.js';

/** A perfect subtree of the log: leaves [index·2^level, (index+1)·2^level). */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/**
 * Returns the hash of a perfect subtree. It is only ever asked for nodes whose
 * leaves all exist in the tree the caller is working on, so an implementation
 * backed by immutable storage (tiles) can answer every call without knowing the
 * tree size. It must return 32 bytes or throw; it is called synchronously, so an
 * asynchronous store first fetches what `*Nodes()` lists (see hashSourceFrom).
 */
export type HashSource = (level: number, index: number) => Uint8Array;

/** A half-open leaf range [start, end) whose Merkle Tree Hash appears in a proof. */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

/** 2^level as a number, exact up to 2^53. */
export function pow2(level: number): number {
  return 2 ** level;
}

/** The largest power of two strictly less than n (n ≥ 2): RFC 9162's split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function log2Exact(n: number): number {
  let level = 0;
  let v = n;
  while (v > 1) {
    v /= 2;
    level++;
  }
  return level;
}

/**
 * The perfect subtrees, left to right, whose hashes fold into MTH(D[start:end]).
 * Each piece is the largest power-of-two block aligned at its start that still
 * fits, which for the ranges RFC 9162 trees contain is exactly the recursive
 * split of §2.1.1.
 */
export function rangeNodes(range: LeafRange): NodeId[] {
  const { start, end } = range;
  assertUint(start, 'start');
  assertUint(end, 'end');
  if (end <= start) throw new RangeError(`empty leaf range [${start}, ${end})`);
  const nodes: NodeId[] = [];
  let pos = start;
  while (pos < end) {
    let size = 1;
    while (pos % (size * 2) === 0 && pos + size * 2 <= end) size *= 2;
    nodes.push({ level: log2Exact(size), index: pos / size });
    pos += size;
  }
  return nodes;
}

function readNode(source: HashSource, node: NodeId): Uint8Array {
  const h = source(node.level, node.index);
  if (h.length !== HASH_SIZE) {
    throw new RangeError(`hash source returned ${h.length} bytes for node (${node.level}, ${node.index})`);
  }
  return h;
}

/** MTH(D[start:end]) for a range that is a node of some RFC 9162 tree, folded from the right. */
export function hashRange(range: LeafRange, source: HashSource): Uint8Array {
  const nodes = rangeNodes(range);
  let i = nodes.length - 1;
  let hash = readNode(source, nodes[i] as NodeId);
  while (--i >= 0) hash = nodeHash(readNode(source, nodes[i] as NodeId), hash);
  return hash;
}

/** The root over a power-of-two count of consecutive sibling hashes (e.g. a full tile). */
export function perfectSubtreeRoot(hashes: readonly Uint8Array[]): Uint8Array {
  const n = hashes.length;
  if (n === 0 || pow2(log2Exact(n)) !== n) throw new RangeError('a perfect subtree has a power-of-two number of hashes');
  let level: readonly Uint8Array[] = hashes;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(nodeHash(level[i] as Uint8Array, level[i + 1] as Uint8Array));
    level = next;
  }
  return level[0] as Uint8Array;
}

/** MTH(D[0:size]), the root a checkpoint of this size commits to. */
export function rootHash(size: number, source: HashSource): Uint8Array {
  assertUint(size, 'size');
  if (size === 0) return emptyRoot();
  return hashRange({ start: 0, end: size }, source);
}

/** The ranges whose hashes form PATH(index, D[0:size]), leaf's sibling first (RFC 9162 §2.1.3.1). */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  assertUint(index, 'index');
  assertUint(size, 'size');
  if (index >= size) throw new RangeError(`index ${index} is not in a tree of size ${size}`);
  const out: LeafRange[] = [];
  const walk = (start: number, end: number): void => {
    const n = end - start;
    if (n === 1) return;
    const k = splitPoint(n);
    if (index < start + k) {
      walk(start, start + k);
      out.push({ start: start + k, end });
    } else {
      walk(start + k, end);
      out.push({ start, end: start + k });
    }
  };
  walk(0, size);
  return out;
}

/**
 * The ranges whose hashes form PROOF(size1, D[0:size2]) (RFC 9162 §2.1.4.1).
 * Equal sizes and size1 = 0 give an empty proof: tlog-witness sends exactly that
 * for a first checkpoint ("old 0"), although an empty tree proves nothing, which
 * is why verifyConsistency refuses size1 = 0.
 */
export function consistencyProofRanges(size1: number, size2: number): LeafRange[] {
  assertUint(size1, 'size1');
  assertUint(size2, 'size2');
  if (size1 > size2) throw new RangeError(`size1 ${size1} is larger than size2 ${size2}`);
  const out: LeafRange[] = [];
  if (size1 === 0 || size1 === size2) return out;
  const sub = (m: number, start: number, end: number, whole: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!whole) out.push({ start, end });
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      sub(m, start, start + k, whole);
      out.push({ start: start + k, end });
    } else {
      sub(m - k, start + k, end, false);
      out.push({ start, end: start + k });
    }
  };
  sub(size1, 0, size2, true);
  return out;
}

function uniqueNodes(ranges: readonly LeafRange[]): NodeId[] {
  const seen = new Set<string>();
  const out: NodeId[] = [];
  for (const r of ranges) {
    for (const n of rangeNodes(r)) {
      const key = nodeKey(n.level, n.index);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(n);
      }
    }
  }
  return out;
}

/** Every perfect subtree `inclusionProof(index, size, ·)` will read: fetch these, then call it. */
export function inclusionProofNodes(index: number, size: number): NodeId[] {
  return uniqueNodes(inclusionProofRanges(index, size));
}

/** Every perfect subtree `consistencyProof(size1, size2, ·)` will read. */
export function consistencyProofNodes(size1: number, size2: number): NodeId[] {
  return uniqueNodes(consistencyProofRanges(size1, size2));
}

/** Every perfect subtree `rootHash(size, ·)` will read (at most one per set bit of size). */
export function rootNodes(size: number): NodeId[] {
  assertUint(size, 'size');
  return size === 0 ? [] : rangeNodes({ start: 0, end: size });
}

export function inclusionProof(index: number, size: number, source: HashSource): Uint8Array[] {
  return inclusionProofRanges(index, size).map((r) => hashRange(r, source));
}

export function consistencyProof(size1: number, size2: number, source: HashSource): Uint8Array[] {
  return consistencyProofRanges(size1, size2).map((r) => hashRange(r, source));
}

/** A stable map key for a node. */
export function nodeKey(level: number, index: number): string {
  return `${level}/${index}`;
}

/**
 * A source over hashes fetched in advance, typically by an asynchronous store:
 * `const nodes = inclusionProofNodes(i, n); const hashes = await store.read(nodes);
 * inclusionProof(i, n, hashSourceFrom(nodes, hashes))`. Asking for a node that
 * was not fetched throws, which surfaces planning bugs instead of hiding them.
 */
export function hashSourceFrom(nodes: readonly NodeId[], hashes: readonly Uint8Array[]): HashSource {
  if (nodes.length !== hashes.length) throw new RangeError('one hash per node is needed');
  const map = new Map<string, Uint8Array>();
  nodes.forEach((n, i) => map.set(nodeKey(n.level, n.index), hashes[i] as Uint8Array));
  return (level, index) => {
    const h = map.get(nodeKey(level, index));
    if (h === undefined) throw new RangeError(`node (${level}, ${index}) was not fetched`);
    return h;
  };
}

/**
 * A source over leaf hashes held in memory, computing and caching interior
 * nodes on demand. Meant for tests, for small trees and for a batch of new
 * leaves before they are written as tiles.
 */
export function memoryHashSource(leafHashes: readonly Uint8Array[]): HashSource {
  const cache = new Map<string, Uint8Array>();
  const size = leafHashes.length;
  const node = (level: number, index: number): Uint8Array => {
    assertUint(level, 'level');
    assertUint(index, 'index');
    if ((index + 1) * pow2(level) > size) {
      throw new RangeError(`node (${level}, ${index}) is not complete in a tree of size ${size}`);
    }
    if (level === 0) return leafHashes[index] as Uint8Array;
    const key = nodeKey(level, index);
    let h = cache.get(key);
    if (h === undefined) {
      h = nodeHash(node(level - 1, index * 2), node(level - 1, index * 2 + 1));
      cache.set(key, h);
    }
    return h;
  };
  return node;
}
