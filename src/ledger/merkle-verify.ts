/**
 * Verification of RFC 9162 inclusion (§2.1.3.2) and consistency (§2.1.4.2)
 * proofs. These run on untrusted input (receipts, witness requests), so every
 * length and bound is checked before any hashing, and they answer with a Verdict
 * rather than throwing.
 *
 * All hashes must be exactly 32 bytes, roots included. transparency-dev/merkle
 * accepts mismatched-length roots when nothing needs hashing (equal sizes); we
 * do not, so a malformed root can never be "consistent" with anything.
 */
import { equalBytes } from './encoding.js';
import { fail, OK, type Verdict } from './errors.js';
import { HASH_SIZE, nodeHash } from './hash.js';

function isOdd(n: number): boolean {
  return n % 2 === 1;
}

function half(n: number): number {
  return Math.floor(n / 2);
}

function checkUint(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

function badHash(hashes: readonly Uint8Array[]): number {
  return hashes.findIndex((h) => h.length !== HASH_SIZE);
}

/** Does `proof` show that the leaf with hash `leaf` is at `index` in the tree of `size` with `root`? */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Verdict {
  if (!checkUint(index) || !checkUint(size)) return fail('index and size must be safe non-negative integers');
  if (index >= size) return fail(`index ${index} is not in a tree of size ${size}`);
  if (leaf.length !== HASH_SIZE) return fail('leaf hash is not 32 bytes');
  if (root.length !== HASH_SIZE) return fail('root hash is not 32 bytes');
  const bad = badHash(proof);
  if (bad >= 0) return fail(`proof hash ${bad} is not 32 bytes`);

  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return fail('proof is longer than the tree is deep');
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return fail('proof is shorter than the tree is deep');
  if (!equalBytes(r, root)) return fail('computed root does not match');
  return OK;
}

/**
 * Does `proof` show that the tree of `size1` with `root1` is a prefix of the tree
 * of `size2` with `root2`? Equal sizes need an empty proof and equal roots;
 * size1 = 0 is refused, since every tree extends the empty one and no proof can
 * say so (tlog-witness handles "old 0" before it gets here).
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): Verdict {
  if (!checkUint(size1) || !checkUint(size2)) return fail('sizes must be safe non-negative integers');
  if (size1 > size2) return fail(`size1 ${size1} is larger than size2 ${size2}`);
  if (root1.length !== HASH_SIZE || root2.length !== HASH_SIZE) return fail('roots must be 32 bytes');
  const bad = badHash(proof);
  if (bad >= 0) return fail(`proof hash ${bad} is not 32 bytes`);
  if (size1 === size2) {
    if (proof.length !== 0) return fail('equal sizes need an empty proof');
    return equalBytes(root1, root2) ? OK : fail('equal sizes but different roots');
  }
  if (size1 === 0) return fail('consistency with the empty tree is meaningless');
  if (proof.length === 0) return fail('empty proof');

  // §2.1.4.2 step 2: when size1 is a power of two, its root is itself a node of
  // the larger tree and the proof omits it.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return fail('proof is longer than needed');
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return fail('proof is shorter than needed');
  if (!equalBytes(fr, root1)) return fail('proof does not reproduce root1');
  if (!equalBytes(sr, root2)) return fail('proof does not reproduce root2');
  return OK;
}

function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  let v = n;
  while (v % 2 === 0) v /= 2;
  return v === 1;
}
