import type { SparseVector } from './features.js';

/**
 * Multinomial logistic regression over hashed sparse features, trained by
 * plain SGD with L2 decay. The decay is kept as one scale factor for all
 * weights (w = scale · v), so an update touches only the features of the
 * example, not all 2^18 × 10 weights. Deterministic: the order of examples
 * comes from a seeded generator, and there is one thread.
 */

export interface LinearOptions {
  readonly epochs: number;
  readonly learningRate: number;
  readonly l2: number;
  readonly seed: number;
}

/** Chosen by 5-fold cross-validation on the training split (`rabta assist tune`). */
export const DEFAULT_LINEAR: LinearOptions = { epochs: 20, learningRate: 2, l2: 1e-6, seed: 13 };

export interface LinearWeights {
  readonly dim: number;
  readonly classes: number;
  /** row-major: feature f, class k at f * classes + k */
  readonly weights: Float32Array;
  readonly bias: Float32Array;
}

/** mulberry32: a small seeded generator, the same sequence on every platform. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled(n: number, random: () => number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return order;
}

export function scores(model: LinearWeights, x: SparseVector, out: Float64Array = new Float64Array(model.classes)): Float64Array {
  const K = model.classes;
  for (let k = 0; k < K; k++) out[k] = model.bias[k] as number;
  for (let j = 0; j < x.index.length; j++) {
    const base = (x.index[j] as number) * K;
    const v = x.value[j] as number;
    for (let k = 0; k < K; k++) out[k] = (out[k] as number) + v * (model.weights[base + k] as number);
  }
  return out;
}

export function softmax(z: Float64Array, temperature = 1): Float64Array {
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v / temperature);
  const p = new Float64Array(z.length);
  let sum = 0;
  for (let k = 0; k < z.length; k++) {
    const e = Math.exp((z[k] as number) / temperature - max);
    p[k] = e;
    sum += e;
  }
  for (let k = 0; k < z.length; k++) p[k] = (p[k] as number) / sum;
  return p;
}

export function trainLinear(
  xs: readonly SparseVector[],
  ys: readonly number[],
  dim: number,
  classes: number,
  options: LinearOptions = DEFAULT_LINEAR,
  onEpoch?: (epoch: number, loss: number) => void,
): LinearWeights {
  const K = classes;
  const v = new Float64Array(dim * K);
  const bias = new Float64Array(K);
  let scale = 1;
  const random = rng(options.seed);
  const z = new Float64Array(K);
  const n = xs.length;
  let step = 0;
  const total = options.epochs * n;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const order = shuffled(n, random);
    let loss = 0;
    for (let o = 0; o < n; o++) {
      const i = order[o] as number;
      const x = xs[i] as SparseVector;
      const y = ys[i] as number;
      // Linear decay to a tenth of the rate: large steps early, settling at the end.
      const lr = options.learningRate * (1 - (0.9 * step) / total);
      step++;
      for (let k = 0; k < K; k++) z[k] = bias[k] as number;
      for (let j = 0; j < x.index.length; j++) {
        const base = (x.index[j] as number) * K;
        const xv = (x.value[j] as number) * scale;
        for (let k = 0; k < K; k++) z[k] = (z[k] as number) + xv * (v[base + k] as number);
      }
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, z[k] as number);
      let sum = 0;
      for (let k = 0; k < K; k++) {
        z[k] = Math.exp((z[k] as number) - max);
        sum += z[k] as number;
      }
      for (let k = 0; k < K; k++) z[k] = (z[k] as number) / sum;
      loss -= Math.log(Math.max(z[y] as number, 1e-12));
      // L2 decay first, as the shrinking of the scale.
      scale *= 1 - lr * options.l2;
      for (let k = 0; k < K; k++) {
        const g = (z[k] as number) - (k === y ? 1 : 0);
        bias[k] = (bias[k] as number) - lr * g;
      }
      for (let j = 0; j < x.index.length; j++) {
        const base = (x.index[j] as number) * K;
        const step_ = (lr * (x.value[j] as number)) / scale;
        for (let k = 0; k < K; k++) {
          const g = (z[k] as number) - (k === y ? 1 : 0);
          v[base + k] = (v[base + k] as number) - step_ * g;
        }
      }
      if (scale < 1e-6) {
        for (let q = 0; q < v.length; q++) v[q] = (v[q] as number) * scale;
        scale = 1;
      }
    }
    onEpoch?.(epoch + 1, loss / Math.max(n, 1));
  }
  const weights = new Float32Array(dim * K);
  for (let q = 0; q < v.length; q++) weights[q] = (v[q] as number) * scale;
  return { dim, classes: K, weights, bias: Float32Array.from(bias) };
}

/**
 * Multinomial naive Bayes over the same features, the baseline the linear
 * model has to beat. Expressed as linear weights (log-probabilities), so the
 * same scoring and calibration apply.
 */
export function trainNaiveBayes(xs: readonly SparseVector[], ys: readonly number[], dim: number, classes: number, alpha = 0.1): LinearWeights {
  const K = classes;
  const counts = new Float64Array(dim * K);
  const totals = new Float64Array(K);
  const docs = new Float64Array(K);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] as SparseVector;
    const y = ys[i] as number;
    docs[y] = (docs[y] as number) + 1;
    for (let j = 0; j < x.index.length; j++) {
      const q = (x.index[j] as number) * K + y;
      counts[q] = (counts[q] as number) + (x.value[j] as number);
      totals[y] = (totals[y] as number) + (x.value[j] as number);
    }
  }
  const weights = new Float32Array(dim * K);
  for (let f = 0; f < dim; f++) {
    for (let k = 0; k < K; k++) {
      weights[f * K + k] = Math.log(((counts[f * K + k] as number) + alpha) / ((totals[k] as number) + alpha * dim));
    }
  }
  const bias = new Float32Array(K);
  for (let k = 0; k < K; k++) bias[k] = Math.log(((docs[k] as number) + 1) / (xs.length + K));
  return { dim, classes: K, weights, bias };
}
