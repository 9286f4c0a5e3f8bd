import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { FeatureOptions } from './features.js';
import type { Label } from './labels.js';
import type { LinearOptions, LinearWeights } from './linear.js';

/**
 * The shipped model file: a gzip of a small JSON header and the weights
 * quantised to int8, stored only for the features that have any weight left
 * (most of the 2^18 buckets are empty or rounded to zero). Everything in it is
 * a function of the corpus and the settings, so the same input gives the same
 * bytes; gzip's output is fixed for fixed input and level.
 */

const MAGIC = 'RABTA-ROUTER-1\n';

export interface ModelHeader {
  readonly labels: readonly Label[];
  readonly features: FeatureOptions;
  readonly training: LinearOptions;
  /** softmax temperature fitted on out-of-fold scores of the training split */
  readonly temperature: number;
  /** confidence at or above which a grievance is routed without a person */
  readonly threshold: number;
  /** sha256 of the training lines, so a model can be traced to its data */
  readonly corpusDigest: string;
  readonly trainExamples: number;
  /** what cross-validation on the training split measured, for the record */
  readonly cv: { readonly macroF1: number; readonly routedShare: number; readonly routedAccuracy: number; readonly folds: number };
  readonly weightScale: number;
  readonly bias: readonly number[];
}

export interface RouterModel {
  readonly header: ModelHeader;
  readonly weights: LinearWeights;
  /** a short content hash of the file: stored with each routing decision */
  readonly version: string;
}

/** int8 with one scale for the whole matrix: the largest weight maps to ±127. */
export function quantize(w: LinearWeights): { weights: LinearWeights; scale: number } {
  let max = 0;
  for (const v of w.weights) max = Math.max(max, Math.abs(v));
  const scale = max === 0 ? 1 : max / 127;
  const q = new Float32Array(w.weights.length);
  for (let i = 0; i < q.length; i++) q[i] = Math.round((w.weights[i] as number) / scale) * scale;
  return { weights: { ...w, weights: q }, scale };
}

export function encodeModel(header: Omit<ModelHeader, 'weightScale' | 'bias'>, w: LinearWeights): Buffer {
  const { scale } = quantize(w);
  const K = w.classes;
  const rows: number[] = [];
  for (let f = 0; f < w.dim; f++) {
    for (let k = 0; k < K; k++) {
      if (Math.round((w.weights[f * K + k] as number) / scale) !== 0) {
        rows.push(f);
        break;
      }
    }
  }
  const index = new Uint32Array(rows.length);
  const values = new Int8Array(rows.length * K);
  rows.forEach((f, r) => {
    index[r] = f;
    for (let k = 0; k < K; k++) values[r * K + k] = Math.round((w.weights[f * K + k] as number) / scale);
  });
  const full: ModelHeader = { ...header, weightScale: Math.fround(scale), bias: Array.from(w.bias) };
  const head = Buffer.from(`${MAGIC}${JSON.stringify(full)}\n`, 'utf8');
  const count = Buffer.alloc(4);
  count.writeUInt32LE(rows.length);
  const body = Buffer.concat([head, count, Buffer.from(index.buffer), Buffer.from(values.buffer)]);
  return gzipSync(body, { level: 9 });
}

export class ModelFormatError extends Error {
  override name = 'ModelFormatError';
}

export function decodeModel(file: Buffer): RouterModel {
  let body: Buffer;
  try {
    body = gunzipSync(file);
  } catch {
    throw new ModelFormatError('the model file is not gzip');
  }
  if (body.subarray(0, MAGIC.length).toString('utf8') !== MAGIC) throw new ModelFormatError('not a Rabta router model');
  const end = body.indexOf(0x0a, MAGIC.length);
  const header = JSON.parse(body.subarray(MAGIC.length, end).toString('utf8')) as ModelHeader;
  let at = end + 1;
  const rows = body.readUInt32LE(at);
  at += 4;
  const K = header.labels.length;
  const dim = 2 ** header.features.bits;
  // Copy out: the buffer's offset need not be 4-aligned for a Uint32Array view.
  const index = new Uint32Array(body.buffer.slice(body.byteOffset + at, body.byteOffset + at + 4 * rows));
  at += 4 * rows;
  const values = new Int8Array(body.buffer.slice(body.byteOffset + at, body.byteOffset + at + rows * K));
  if (index.length !== rows || values.length !== rows * K) throw new ModelFormatError('the model file is truncated');
  const weights = new Float32Array(dim * K);
  for (let r = 0; r < rows; r++) {
    const base = (index[r] as number) * K;
    for (let k = 0; k < K; k++) weights[base + k] = (values[r * K + k] as number) * header.weightScale;
  }
  return {
    header,
    weights: { dim, classes: K, weights, bias: Float32Array.from(header.bias) },
    version: `router-${createHash('sha256').update(file).digest('hex').slice(0, 12)}`,
  };
}
