import { lexiconHits } from './lexicon.js';
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
  /** add one feature per lexicon hit (lexicon.ts) */
  readonly lexicon: boolean;
}

/** Character 3–5-grams: the best of the candidates in `rabta assist tune` (cross-validation on the training split). */
export const DEFAULT_FEATURES: FeatureOptions = { bits: 18, minN: 3, maxN: 5, wordBigrams: true, lexicon: true };

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

const C_SEED = fnv1a('c ');

export function featurize(text: string, options: FeatureOptions = DEFAULT_FEATURES): SparseVector {
  const mask = (1 << options.bits) - 1;
  const counts = new Map<number, number>();
  const bump = (h: number) => {
    const i = h & mask;
    counts.set(i, (counts.get(i) ?? 0) + 1);
  };
  const words = tokens(text);
  let previous = '<s>';
  for (const word of words) {
    bump(fnv1a(`w ${word}`));
    if (options.wordBigrams) bump(fnv1a(`b ${previous} ${word}`));
    previous = word;
    // Character n-grams of "<word>" hashed incrementally: one pass per start
    // position extends the hash a character at a time. Grievance text is in
    // the Basic Multilingual Plane; an astral character (an emoji) is two code
    // units here, which only makes its n-grams a little different.
    const padded = `<${word}>`;
    const len = padded.length;
    for (let start = 0; start < len - 1; start++) {
      let h = C_SEED;
      for (let end = start; end < len && end - start < options.maxN; end++) {
        h ^= padded.charCodeAt(end);
        h = Math.imul(h, 0x01000193) >>> 0;
        const n = end - start + 1;
        // The whole "<x>" of a one- or two-letter word is already the unigram.
        if (n >= options.minN && !(n === len && n <= 4)) bump(h);
      }
    }
  }
  if (options.wordBigrams && words.length > 0) bump(fnv1a(`b ${previous} </s>`));
  if (options.lexicon) for (const label of lexiconHits(words)) bump(fnv1a(`lex ${label}`));
  const index = Uint32Array.from(counts.keys()).sort();
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
