import { LABELS, LANGS, type Label, type Lang } from './labels.js';

/** What `rabta assist evaluate` reports. */
export interface Evaluation {
  readonly n: number;
  readonly accuracy: number;
  readonly macroF1: number;
  readonly perLang: Partial<Record<Lang, { n: number; macroF1: number; accuracy: number }>>;
  readonly perLabel: Record<Label, { precision: number; recall: number; f1: number; support: number }>;
  readonly routedShare: number;
  readonly routedAccuracy: number;
  /** rows: true label, columns: predicted, in LABELS order */
  readonly confusion: number[][];
}

export interface Scored {
  readonly label: Label;
  readonly lang: Lang;
  readonly predicted: Label;
  readonly routed: boolean;
}

export function macroF1(truth: readonly Label[], predicted: readonly Label[]): number {
  return perLabel(truth, predicted).macro;
}

function perLabel(truth: readonly Label[], predicted: readonly Label[]) {
  const stats = {} as Record<Label, { precision: number; recall: number; f1: number; support: number }>;
  let sum = 0;
  let present = 0;
  for (const label of LABELS) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < truth.length; i++) {
      const t = truth[i] === label;
      const p = predicted[i] === label;
      if (t && p) tp++;
      else if (p) fp++;
      else if (t) fn++;
    }
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    stats[label] = { precision, recall, f1, support: tp + fn };
    // A label absent from both truth and predictions says nothing about the model.
    if (tp + fp + fn > 0) {
      sum += f1;
      present++;
    }
  }
  return { stats, macro: present === 0 ? 0 : sum / present };
}

export function evaluate(scored: readonly Scored[]): Evaluation {
  const truth = scored.map((s) => s.label);
  const predicted = scored.map((s) => s.predicted);
  const { stats, macro } = perLabel(truth, predicted);
  const perLang: Evaluation['perLang'] = {};
  for (const lang of LANGS) {
    const subset = scored.filter((s) => s.lang === lang);
    if (subset.length === 0) continue;
    perLang[lang] = {
      n: subset.length,
      macroF1: perLabel(subset.map((s) => s.label), subset.map((s) => s.predicted)).macro,
      accuracy: subset.filter((s) => s.label === s.predicted).length / subset.length,
    };
  }
  const routed = scored.filter((s) => s.routed);
  const confusion = LABELS.map(() => LABELS.map(() => 0));
  for (const s of scored) {
    const row = confusion[LABELS.indexOf(s.label)] as number[];
    const col = LABELS.indexOf(s.predicted);
    row[col] = (row[col] as number) + 1;
  }
  return {
    n: scored.length,
    accuracy: scored.length === 0 ? 0 : scored.filter((s) => s.label === s.predicted).length / scored.length,
    macroF1: macro,
    perLang,
    perLabel: stats,
    routedShare: scored.length === 0 ? 0 : routed.length / scored.length,
    routedAccuracy: routed.length === 0 ? 0 : routed.filter((s) => s.label === s.predicted).length / routed.length,
    confusion,
  };
}

const SHORT: Record<Label, string> = {
  BISP: 'BISP',
  BANK: 'BANK',
  NADRA: 'NADR',
  TELCO: 'TELC',
  ELECTRICITY: 'ELEC',
  WATER_SANITATION: 'WATR',
  POLICE: 'POLI',
  HEALTH: 'HLTH',
  EDUCATION: 'EDUC',
  LAND_REVENUE: 'LAND',
};

export function formatEvaluation(e: Evaluation): string[] {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines = [
    `grievances ${e.n}: macro-F1 ${e.macroF1.toFixed(3)}, accuracy ${pct(e.accuracy)}`,
    ...LANGS.filter((l) => e.perLang[l]).map((l) => {
      const s = e.perLang[l] as { n: number; macroF1: number; accuracy: number };
      return `  ${l.padEnd(5)} n=${String(s.n).padStart(4)}  macro-F1 ${s.macroF1.toFixed(3)}  accuracy ${pct(s.accuracy)}`;
    }),
    `routed ${pct(e.routedShare)} of grievances, of which ${pct(e.routedAccuracy)} right; the rest go to triage`,
    '',
    'per label            precision  recall     F1  support',
    ...LABELS.map((l) => {
      const s = e.perLabel[l];
      return `  ${l.padEnd(18)} ${s.precision.toFixed(3).padStart(9)} ${s.recall.toFixed(3).padStart(7)} ${s.f1.toFixed(3).padStart(6)} ${String(s.support).padStart(8)}`;
    }),
    '',
    'confusion (rows: true label, columns: predicted)',
    `  ${''.padEnd(18)}${LABELS.map((l) => SHORT[l].padStart(5)).join('')}`,
    ...LABELS.map((l, i) => `  ${l.padEnd(18)}${(e.confusion[i] as number[]).map((c) => String(c).padStart(5)).join('')}`),
  ];
  return lines;
}
