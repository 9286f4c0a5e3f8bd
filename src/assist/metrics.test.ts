import { describe, expect, it } from 'vitest';
import { evaluate, formatEvaluation, macroF1 } from './metrics.js';

describe('metrics', () => {
  it('computes macro-F1 over the labels that occur', () => {
    expect(macroF1(['BISP', 'BANK'], ['BISP', 'BANK'])).toBe(1);
    // BISP: P 1/2 R 1 → 2/3; BANK: P 0 R 0 → 0; mean 1/3
    expect(macroF1(['BISP', 'BANK'], ['BISP', 'BISP'])).toBeCloseTo(1 / 3, 10);
  });

  it('reports per language, routed share and accuracy, and the confusion matrix', () => {
    const e = evaluate([
      { label: 'BISP', lang: 'ur', predicted: 'BISP', routed: true },
      { label: 'BANK', lang: 'ur', predicted: 'BISP', routed: true },
      { label: 'POLICE', lang: 'en', predicted: 'POLICE', routed: false },
      { label: 'POLICE', lang: 'en', predicted: 'POLICE', routed: true },
    ]);
    expect(e.routedShare).toBe(0.75);
    expect(e.routedAccuracy).toBeCloseTo(2 / 3, 10);
    expect(e.perLang.en?.macroF1).toBe(1);
    expect(e.perLang.roman).toBeUndefined();
    expect(e.confusion[1]?.[0]).toBe(1); // a BANK grievance predicted BISP
    const report = formatEvaluation(e).join('\n');
    expect(report).toContain('macro-F1');
    expect(report).toMatch(/routed 75\.0% of grievances, of which 66\.7% right/);
  });
});
