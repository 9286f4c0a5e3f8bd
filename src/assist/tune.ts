import type { Example } from './corpus.js';
import { featurize, type FeatureOptions } from './features.js';
import { LABELS } from './labels.js';
import { trainNaiveBayes, type LinearOptions } from './linear.js';
import { macroF1 } from './metrics.js';
import { crossValidate, labelIndex } from './train.js';

/**
 * Choosing settings by cross-validation on the training split only: each
 * candidate's out-of-fold macro-F1. `rabta assist tune` prints the table; the
 * defaults in train.ts are the winner, chosen this way.
 */
export interface Candidate {
  readonly name: string;
  readonly features: FeatureOptions;
  readonly linear: LinearOptions;
  readonly naiveBayes?: boolean;
}

/** The settings the first candidates were written against (char n-grams 2–5); the winner is DEFAULT_FEATURES. */
const BASE: FeatureOptions = { bits: 18, minN: 2, maxN: 5, wordBigrams: true, lexicon: true };

export const CANDIDATES: readonly Candidate[] = [
  { name: 'LR 12 epochs lr 0.5 l2 1e-5', features: BASE, linear: { epochs: 12, learningRate: 0.5, l2: 1e-5, seed: 13 } },
  { name: 'LR 20 epochs lr 2 l2 1e-6', features: BASE, linear: { epochs: 20, learningRate: 2, l2: 1e-6, seed: 13 } },
  { name: 'LR 20 epochs lr 4 l2 1e-5', features: BASE, linear: { epochs: 20, learningRate: 4, l2: 1e-5, seed: 13 } },
  { name: 'LR 30 epochs lr 2 l2 1e-6', features: BASE, linear: { epochs: 30, learningRate: 2, l2: 1e-6, seed: 13 } },
  { name: 'LR 20/2 without lexicon', features: { ...BASE, lexicon: false }, linear: { epochs: 20, learningRate: 2, l2: 1e-6, seed: 13 } },
  { name: 'LR 20/2 without word bigrams', features: { ...BASE, wordBigrams: false }, linear: { epochs: 20, learningRate: 2, l2: 1e-6, seed: 13 } },
  { name: 'LR 20/2 char 3-5', features: { ...BASE, minN: 3 }, linear: { epochs: 20, learningRate: 2, l2: 1e-6, seed: 13 } },
  { name: 'naive Bayes (same features)', features: BASE, linear: { epochs: 0, learningRate: 0, l2: 0, seed: 13 }, naiveBayes: true },
];

export function tune(train: readonly Example[], candidates: readonly Candidate[] = CANDIDATES, onResult?: (name: string, f1: number) => void): { name: string; macroF1: number }[] {
  const ys = labelIndex(train);
  const truth = train.map((e) => e.label);
  const out: { name: string; macroF1: number }[] = [];
  for (const c of candidates) {
    const dim = 2 ** c.features.bits;
    const xs = train.map((e) => featurize(e.text, c.features));
    const oof = crossValidate(xs, ys, dim, { linear: c.linear, folds: 5, ...(c.naiveBayes ? { fit: (x, y) => trainNaiveBayes(x, y, dim, LABELS.length) } : {}) });
    const predicted = oof.raw.map((z) => {
      let best = 0;
      for (let k = 1; k < z.length; k++) if ((z[k] as number) > (z[best] as number)) best = k;
      return LABELS[best] as (typeof LABELS)[number];
    });
    const f1 = macroF1(truth, predicted);
    out.push({ name: c.name, macroF1: f1 });
    onResult?.(c.name, f1);
  }
  return out;
}
