import { describe, expect, it } from 'vitest';
import { readCorpus, splitCorpus } from './corpus.js';
import { DEFAULT_FEATURES } from './features.js';
import { decodeModel } from './model.js';
import { route } from './router.js';
import { chooseThreshold, trainRouter } from './train.js';

// A small, fixed subset so that training twice stays quick: every 8th training line.
const subset = splitCorpus(readCorpus()).train.filter((_, i) => i % 8 === 0);
// 2^14 buckets instead of 2^18: the same code paths, a sixteenth of the memory to fill.
const settings = { features: { ...DEFAULT_FEATURES, bits: 14 }, linear: { epochs: 3, learningRate: 2, l2: 1e-6, seed: 7 }, folds: 3 } as const;

describe('training', () => {
  it('gives the same bytes for the same corpus and seed', () => {
    const a = trainRouter(subset, settings);
    const b = trainRouter(subset, settings);
    expect(Buffer.compare(a, b)).toBe(0);
    const model = decodeModel(a);
    expect(model.header.trainExamples).toBe(subset.length);
    expect(model.header.threshold).toBeGreaterThan(0);
    expect(model.header.threshold).toBeLessThanOrEqual(1);
    // and the model it wrote is a working router
    const decision = route(model, 'bijli nahi 3 din se');
    expect(decision.alternatives).toHaveLength(2);
  });

  it('gives other bytes for another seed', () => {
    const a = trainRouter(subset, settings);
    const c = trainRouter(subset, { ...settings, linear: { ...settings.linear, seed: 8 } });
    expect(Buffer.compare(a, c)).not.toBe(0);
  });

  it('chooses the lowest threshold at which the routed share is right often enough', () => {
    // confidences sorted: 0.99 ✓, 0.9 ✓, 0.8 ✗, 0.7 ✓, 0.6 ✗
    const c = { confidence: [0.6, 0.9, 0.7, 0.99, 0.8], correct: [false, true, true, true, false] };
    expect(chooseThreshold(c, 0.75)).toEqual({ threshold: 0.7, routedShare: 0.8, routedAccuracy: 0.75 });
    expect(chooseThreshold(c, 0.95).threshold).toBe(0.9);
    expect(chooseThreshold({ confidence: [0.5], correct: [false] }, 0.9).threshold).toBe(1);
  });
});
