import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_DIR, readCorpus, readExamples, splitCorpus } from './corpus.js';
import { evaluateRouter } from './evaluate.js';
import { LABELS } from './labels.js';
import { route, routeGrievance, shippedRouter } from './router.js';

const evaluation = readExamples(join(DATA_DIR, 'eval.jsonl'));

describe('the shipped router', () => {
  it('is evaluated on exactly the corpus lines the split rule holds out', () => {
    const { eval: held, train } = splitCorpus(readCorpus());
    expect(evaluation).toEqual(held);
    const trained = new Set(train.map((e) => e.text.trim()));
    expect(evaluation.some((e) => trained.has(e.text.trim()))).toBe(false);
    expect(shippedRouter().header.trainExamples).toBe(train.length);
  });

  it('reaches macro-F1 0.90 on the evaluation split, 0.85 in each way of writing', () => {
    const result = evaluateRouter(shippedRouter(), evaluation);
    expect(result.n).toBeGreaterThanOrEqual(600);
    expect(result.macroF1).toBeGreaterThanOrEqual(0.9);
    for (const lang of ['en', 'roman', 'ur'] as const) expect(result.perLang[lang]?.macroF1).toBeGreaterThanOrEqual(0.85);
  });

  it('is right at least 95% of the time on what it routes by itself, routing at least 80%', () => {
    const result = evaluateRouter(shippedRouter(), evaluation);
    expect(result.routedAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(result.routedShare).toBeGreaterThanOrEqual(0.8);
  });

  it('answers with the best label, a confidence, the next two, and the model version', () => {
    const d = routeGrievance('ATM se paise nahi nikle lekin account se 20000 kat gaye');
    expect(d.label).toBe('BANK');
    expect(LABELS).toContain(d.label);
    expect(d.alternatives.map((a) => a.label)).not.toContain(d.label);
    expect(new Set(d.alternatives.map((a) => a.label)).size).toBe(2);
    expect(d.confidence).toBeGreaterThanOrEqual(d.alternatives[0]?.confidence as number);
    expect(d.alternatives[0]?.confidence).toBeGreaterThanOrEqual(d.alternatives[1]?.confidence as number);
    expect(d.routed).toBe(d.confidence >= shippedRouter().header.threshold);
    expect(d.modelVersion).toMatch(/^router-[0-9a-f]{12}$/);
    // a threshold of 1 sends everything to a person; of 0, nothing
    expect(route(shippedRouter(), 'bijli nahi 3 din se', 1.01).routed).toBe(false);
    expect(route(shippedRouter(), 'bijli nahi 3 din se', 0).routed).toBe(true);
  });

  it('is under the size limit and has its settings stored with it', () => {
    const bytes = readFileSync(join(DATA_DIR, 'router.model'));
    expect(bytes.length).toBeLessThan(20 * 1024 * 1024);
    const h = shippedRouter().header;
    expect(h.labels).toEqual(LABELS);
    expect(h.temperature).toBeGreaterThan(0);
    expect(h.cv.routedAccuracy).toBeGreaterThanOrEqual(0.95);
  });
});
