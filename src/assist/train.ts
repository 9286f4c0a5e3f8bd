import { createHash } from 'node:crypto';
import type { Example } from './corpus.js';
import { DEFAULT_FEATURES, featurize, type FeatureOptions, type SparseVector } from './features.js';
import { LABELS } from './labels.js';
import { DEFAULT_LINEAR, rng, scores, shuffled, softmax, trainLinear, type LinearOptions, type LinearWeights } from './linear.js';
import { macroF1 } from './metrics.js';
import { encodeModel, quantize } from './model.js';

/**
 * Training the shipped router: cross-validation on the training split gives
 * out-of-fold scores for every training line; on those the softmax temperature
 * and the routing threshold are fitted, so neither is chosen by looking at the
 * evaluation split. Then one fit on the whole training split.
 */

export interface TrainOptions {
  readonly features?: FeatureOptions;
  readonly linear?: LinearOptions;
  readonly folds?: number;
  /** accuracy the routed share must reach on out-of-fold predictions */
  readonly routedTarget?: number;
  readonly onProgress?: (stage: string, done: number, total: number) => void;
}

export const ROUTED_TARGET = 0.97;

export interface OutOfFold {
  readonly raw: Float64Array[];
  readonly ys: number[];
}

export function labelIndex(examples: readonly Example[]): number[] {
  return examples.map((e) => LABELS.indexOf(e.label));
}

/** Fold of each example: a seeded permutation dealt round-robin, so folds are the same size. */
export function foldsOf(n: number, folds: number, seed: number): Uint8Array {
  const order = shuffled(n, rng(seed ^ 0x5f3759df));
  const fold = new Uint8Array(n);
  for (let i = 0; i < n; i++) fold[order[i] as number] = i % folds;
  return fold;
}

export function crossValidate(
  xs: readonly SparseVector[],
  ys: readonly number[],
  dim: number,
  options: { linear: LinearOptions; folds: number; fit?: (xs: SparseVector[], ys: number[]) => LinearWeights },
  onFold?: (done: number) => void,
): OutOfFold {
  const fold = foldsOf(xs.length, options.folds, options.linear.seed);
  const raw: Float64Array[] = new Array<Float64Array>(xs.length);
  for (let f = 0; f < options.folds; f++) {
    const trainX: SparseVector[] = [];
    const trainY: number[] = [];
    for (let i = 0; i < xs.length; i++) {
      if (fold[i] === f) continue;
      trainX.push(xs[i] as SparseVector);
      trainY.push(ys[i] as number);
    }
    const fitted = options.fit ? options.fit(trainX, trainY) : quantize(trainLinear(trainX, trainY, dim, LABELS.length, options.linear)).weights;
    for (let i = 0; i < xs.length; i++) if (fold[i] === f) raw[i] = scores(fitted, xs[i] as SparseVector);
    onFold?.(f + 1);
  }
  return { raw, ys: [...ys] };
}

function nll(oof: OutOfFold, temperature: number): number {
  let loss = 0;
  for (let i = 0; i < oof.raw.length; i++) loss -= Math.log(Math.max(softmax(oof.raw[i] as Float64Array, temperature)[oof.ys[i] as number] as number, 1e-12));
  return loss / oof.raw.length;
}

/** Temperature minimising the out-of-fold log loss: golden-section search on log T. */
export function fitTemperature(oof: OutOfFold): number {
  let lo = Math.log(0.05);
  let hi = Math.log(20);
  const g = (Math.sqrt(5) - 1) / 2;
  let a = hi - g * (hi - lo);
  let b = lo + g * (hi - lo);
  let fa = nll(oof, Math.exp(a));
  let fb = nll(oof, Math.exp(b));
  for (let i = 0; i < 60; i++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - g * (hi - lo);
      fa = nll(oof, Math.exp(a));
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + g * (hi - lo);
      fb = nll(oof, Math.exp(b));
    }
  }
  // Rounded so that the stored value does not carry float noise.
  return Number(Math.exp((lo + hi) / 2).toFixed(4));
}

export interface Calibrated {
  readonly confidence: number[];
  readonly correct: boolean[];
}

export function calibrated(oof: OutOfFold, temperature: number): Calibrated {
  const confidence: number[] = [];
  const correct: boolean[] = [];
  for (let i = 0; i < oof.raw.length; i++) {
    const p = softmax(oof.raw[i] as Float64Array, temperature);
    let best = 0;
    for (let k = 1; k < p.length; k++) if ((p[k] as number) > (p[best] as number)) best = k;
    confidence.push(p[best] as number);
    correct.push(best === oof.ys[i]);
  }
  return { confidence, correct };
}

/**
 * The lowest threshold at which what is routed is right at least `target` of
 * the time, among out-of-fold predictions: routing as much as the target
 * allows. Rounded up to 0.01 so that it reads as a setting.
 */
export function chooseThreshold(c: Calibrated, target: number): { threshold: number; routedShare: number; routedAccuracy: number } {
  const order = c.confidence.map((_, i) => i).sort((a, b) => (c.confidence[b] as number) - (c.confidence[a] as number));
  let right = 0;
  let bestCount = 0;
  for (let r = 0; r < order.length; r++) {
    if (c.correct[order[r] as number]) right++;
    const count = r + 1;
    const nextSame = r + 1 < order.length && c.confidence[order[r + 1] as number] === c.confidence[order[r] as number];
    if (!nextSame && right / count >= target) bestCount = count;
  }
  const raw = bestCount === 0 ? 1 : (c.confidence[order[bestCount - 1] as number] as number);
  const threshold = Math.min(1, Math.ceil(raw * 100) / 100);
  return { threshold, ...routedAt(c, threshold) };
}

export function routedAt(c: Calibrated, threshold: number): { routedShare: number; routedAccuracy: number } {
  let routed = 0;
  let right = 0;
  for (let i = 0; i < c.confidence.length; i++) {
    if ((c.confidence[i] as number) < threshold) continue;
    routed++;
    if (c.correct[i]) right++;
  }
  return { routedShare: routed / Math.max(c.confidence.length, 1), routedAccuracy: routed === 0 ? 0 : right / routed };
}

export function corpusDigest(examples: readonly Example[]): string {
  const hash = createHash('sha256');
  for (const e of examples) hash.update(`${e.label}\t${e.lang}\t${e.text}\n`);
  return hash.digest('hex');
}

export function trainRouter(examples: readonly Example[], options: TrainOptions = {}): Buffer {
  const features = options.features ?? DEFAULT_FEATURES;
  const linear = options.linear ?? DEFAULT_LINEAR;
  const folds = options.folds ?? 5;
  const progress = options.onProgress ?? (() => {});
  const dim = 2 ** features.bits;
  const xs = examples.map((e) => featurize(e.text, features));
  const ys = labelIndex(examples);
  progress('cross-validation', 0, folds + 1);
  const oof = crossValidate(xs, ys, dim, { linear, folds }, (done) => progress('cross-validation', done, folds + 1));
  const temperature = fitTemperature(oof);
  const cal = calibrated(oof, temperature);
  const { threshold, routedShare, routedAccuracy } = chooseThreshold(cal, options.routedTarget ?? ROUTED_TARGET);
  const predicted = oof.raw.map((z) => {
    let best = 0;
    for (let k = 1; k < z.length; k++) if ((z[k] as number) > (z[best] as number)) best = k;
    return LABELS[best] as (typeof LABELS)[number];
  });
  const cvF1 = macroF1(examples.map((e) => e.label), predicted);
  const weights = trainLinear(xs, ys, dim, LABELS.length, linear);
  progress('final fit', folds + 1, folds + 1);
  return encodeModel(
    {
      labels: LABELS,
      features,
      training: linear,
      temperature,
      threshold,
      corpusDigest: corpusDigest(examples),
      trainExamples: examples.length,
      cv: { macroF1: Number(cvF1.toFixed(4)), routedShare: Number(routedShare.toFixed(4)), routedAccuracy: Number(routedAccuracy.toFixed(4)), folds },
    },
    weights,
  );
}
