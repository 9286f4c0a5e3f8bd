import { tokens } from './normalize.js';

/**
 * Hashed sparse features of a grievance: word unigrams and bigrams, and
 * character n-grams of 2–5 inside each word (padded with < and >), which carry
 * the meaning across misspellings ("bijlee", "bjli") and inflections
 * ("ہسپتال", "ہسپتالوں"). Hashing keeps the model a fixed size whatever the
 * vocabulary; collisions at 2^18 buckets cost little for ten labels.
 */

export interface FeatureOptions {
  /** log2 of the number of buckets */
  readonly bits: number;
  readonly minN: number;
  readonly maxN: number;
  readonly wordBigrams: boolean;
}

export const DEFAULT_FEATURES: FeatureOptions = { bits: 18, minN: 2, maxN: 5, wordBigrams: true };

/** A sparse vector: parallel arrays, indices ascending and unique, L2 norm 1. */
export interface SparseVector {
  readonly index: Uint32Array;
  readonly value: Float32Array;
}

/** FNV-1a over UTF-16 code units: fast, stable across platforms and Node versions. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function featurize(text: string, options: FeatureOptions = DEFAULT_FEATURES): SparseVector {
  const mask = (1 << options.bits) - 1;
  const counts = new Map<number, number>();
  const add = (key: string) => {
    const i = fnv1a(key) & mask;
    counts.set(i, (counts.get(i) ?? 0) + 1);
  };
  const words = tokens(text);
  let previous = '<s>';
  for (const word of words) {
    add(`w ${word}`);
    if (options.wordBigrams) add(`b ${previous} ${word}`);
    previous = word;
    const padded = `<${word}>`;
    // Code points, not code units, so that an n-gram never splits a surrogate pair.
    const chars = Array.from(padded);
    for (let n = options.minN; n <= options.maxN; n++) {
      for (let start = 0; start + n <= chars.length; start++) {
        // The bare "<x>" of a one-letter word is already the unigram.
        if (n === chars.length && n <= 3) continue;
        add(`c ${chars.slice(start, start + n).join('')}`);
      }
    }
  }
  if (options.wordBigrams && words.length > 0) add(`b ${previous} </s>`);
  const index = Uint32Array.from([...counts.keys()].sort((a, b) => a - b));
  const value = new Float32Array(index.length);
  let norm = 0;
  for (let j = 0; j < index.length; j++) {
    // Sublinear counts: a word said five times is not five times the evidence.
    const v = 1 + Math.log(counts.get(index[j] as number) as number);
    value[j] = v;
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  for (let j = 0; j < value.length; j++) value[j] = (value[j] as number) / norm;
  return { index, value };
}
