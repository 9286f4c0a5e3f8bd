import { parseDay } from './days.js';
import type { AnomalyKind, PlantedAnomaly } from './generate.js';
import type { FlaggedPoint } from './types.js';

/**
 * Matching flags with planted anomalies. A flag is true if it falls inside a
 * planted anomaly's window in the same district and metric (a spike's day, a
 * burst's days, a level shift's first week); precision is over flagged
 * points. An anomaly is detected if any flag lands in its window; recall is
 * over planted anomalies.
 */
export interface Evaluation {
  readonly flagged: number;
  readonly truePoints: number;
  readonly precision: number;
  readonly planted: number;
  readonly detected: number;
  readonly recall: number;
  readonly byKind: Readonly<Record<AnomalyKind, { planted: number; detected: number; recall: number }>>;
  /** the false flags, for looking at */
  readonly falseFlags: readonly FlaggedPoint[];
  /** the anomalies no flag found */
  readonly missed: readonly PlantedAnomaly[];
}

export function evaluate(flags: readonly FlaggedPoint[], truth: readonly PlantedAnomaly[]): Evaluation {
  const windows = new Map<string, { from: number; to: number; index: number }[]>();
  truth.forEach((a, index) => {
    const key = `${a.district}\u0000${a.metric}`;
    const list = windows.get(key) ?? [];
    list.push({ from: parseDay(a.start)!, to: parseDay(a.end)!, index });
    windows.set(key, list);
  });
  const found = new Uint8Array(truth.length);
  const falseFlags: FlaggedPoint[] = [];
  let truePoints = 0;
  for (const f of flags) {
    const day = parseDay(f.date)!;
    const hits = (windows.get(`${f.district}\u0000${f.metric}`) ?? []).filter((w) => day >= w.from && day <= w.to);
    if (hits.length === 0) falseFlags.push(f);
    else {
      truePoints++;
      for (const h of hits) found[h.index] = 1;
    }
  }
  const kinds: AnomalyKind[] = ['spike', 'burst', 'shift'];
  const byKind = Object.fromEntries(
    kinds.map((kind) => {
      const idx = truth.map((a, i) => (a.kind === kind ? i : -1)).filter((i) => i >= 0);
      const detected = idx.filter((i) => found[i] === 1).length;
      return [kind, { planted: idx.length, detected, recall: idx.length > 0 ? detected / idx.length : 1 }];
    }),
  ) as Record<AnomalyKind, { planted: number; detected: number; recall: number }>;
  const detected = found.reduce((a, b) => a + b, 0);
  return {
    flagged: flags.length,
    truePoints,
    precision: flags.length > 0 ? truePoints / flags.length : 1,
    planted: truth.length,
    detected,
    recall: truth.length > 0 ? detected / truth.length : 1,
    byKind,
    falseFlags,
    missed: truth.filter((_, i) => found[i] === 0),
  };
}
