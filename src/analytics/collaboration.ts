import type { RollupRow } from './tables.js';

/**
 * The collaboration index, published like the OECD Digital Government Index
 * and the UN EGDI publish theirs: components, normalisation, weights and a
 * worked example that a test recomputes (collaboration.test.ts).
 */
export const COLLABORATION_METHOD = {
  name: 'Rabta collaboration index',
  version: '1',
  scale: '0–100 per pair of institutions (unordered) and per institution; higher is better',
  components: [
    {
      id: 'volume',
      weight: 0.4,
      measures: ['exchange.call', 'event.delivered', 'case.joint'],
      definition:
        'How much the pair does together: the mean of three log-normalised volumes — exchanges (either direction), event deliveries (either direction) and joint cases — each log(1 + x) / log(1 + max x), the max taken over all pairs in the period (0 when no pair has any).',
    },
    { id: 'reliability', weight: 0.3, measures: ['exchange.call', 'event.delivered', 'event.dead'], definition: '(successful exchanges + deliveries) / (exchanges + deliveries + dead letters).' },
    { id: 'responsiveness', weight: 0.15, measures: ['case.joint.resolved'], definition: 'Share of resolutions on the pair’s joint cases made within the deadline.' },
    { id: 'confirmation', weight: 0.15, measures: ['case.joint.closed'], definition: 'Share of the pair’s closed joint cases whose citizen confirmed the resolution (silence counts as not confirmed).' },
  ],
  aggregation:
    'score = 100 × Σ wᵢ·cᵢ / Σ wᵢ over the components that have data (a pair without cases is scored on volume and reliability alone); one decimal. A pair with no activity has no score. An institution’s score is the mean of its pairs’ scores weighted by each pair’s raw volume (exchanges + deliveries + joint cases).',
  workedExample: {
    pairs: [
      { a: 'PK/GOV/A', b: 'PK/BANK/B', exchanges: 1000, exchangesOk: 980, delivered: 500, dead: 20, jointCases: 10, resolved: 8, resolvedInTime: 6, closed: 5, confirmed: 4 },
      { a: 'PK/GOV/A', b: 'PK/TELCO/C', exchanges: 100, exchangesOk: 90, delivered: 0, dead: 0, jointCases: 0, resolved: 0, resolvedInTime: 0, closed: 0, confirmed: 0 },
    ],
    steps: [
      'maxima over pairs: exchanges 1000, deliveries 500, joint cases 10',
      'A–B: volume = mean(log 1001/log 1001, log 501/log 501, log 11/log 11) = 1; reliability = (980 + 500) / (1000 + 500 + 20) = 0.9737; responsiveness = 6/8 = 0.75; confirmation = 4/5 = 0.8',
      'A–B: score = 100 × (0.4·1 + 0.3·0.9737 + 0.15·0.75 + 0.15·0.8) / 1 = 92.5',
      'A–C: volume = mean(log 101/log 1001, 0, 0) = 0.2227; reliability = 90/100 = 0.9; no joint cases',
      'A–C: score = 100 × (0.4·0.2227 + 0.3·0.9) / 0.7 = 51.3',
      'A: (92.46 × 1510 + 51.30 × 100) / 1610 = 89.9; B: 92.5; C: 51.3',
    ],
    expected: { pairs: { 'PK/BANK/B|PK/GOV/A': 92.5, 'PK/GOV/A|PK/TELCO/C': 51.3 }, institutions: { 'PK/GOV/A': 89.9, 'PK/BANK/B': 92.5, 'PK/TELCO/C': 51.3 } },
  },
} as const;

export interface PairInputs {
  a: string;
  b: string;
  exchanges: number;
  exchangesOk: number;
  delivered: number;
  dead: number;
  jointCases: number;
  resolved: number;
  resolvedInTime: number;
  closed: number;
  confirmed: number;
}

export interface PairScore {
  a: string;
  b: string;
  volume: number;
  score: number;
  components: { volume: number; reliability: number | null; responsiveness: number | null; confirmation: number | null };
  inputs: PairInputs;
}

export interface InstitutionScore {
  member: string;
  score: number;
  volume: number;
  pairs: number;
}

const pairKey = (x: string, y: string) => (x < y ? `${x}|${y}` : `${y}|${x}`);

/** The pairs' raw inputs from the rollups: every measure between two different institutions. */
export function pairInputs(rows: readonly RollupRow[]): PairInputs[] {
  const pairs = new Map<string, PairInputs>();
  const get = (x: string, y: string) => {
    const key = pairKey(x, y);
    let p = pairs.get(key);
    if (!p) {
      const [a, b] = key.split('|') as [string, string];
      p = { a, b, exchanges: 0, exchangesOk: 0, delivered: 0, dead: 0, jointCases: 0, resolved: 0, resolvedInTime: 0, closed: 0, confirmed: 0 };
      pairs.set(key, p);
    }
    return p;
  };
  for (const r of rows) {
    if (!r.member || !r.peer || r.member === r.peer) continue;
    if (r.measure === 'exchange.call') Object.assign(get(r.member, r.peer), { exchanges: get(r.member, r.peer).exchanges + r.n, exchangesOk: get(r.member, r.peer).exchangesOk + r.good });
    else if (r.measure === 'event.delivered') get(r.member, r.peer).delivered += r.n;
    else if (r.measure === 'event.dead') get(r.member, r.peer).dead += r.n;
    else if (r.measure === 'case.joint') get(r.member, r.peer).jointCases += r.n;
    else if (r.measure === 'case.joint.resolved') Object.assign(get(r.member, r.peer), { resolved: get(r.member, r.peer).resolved + r.n, resolvedInTime: get(r.member, r.peer).resolvedInTime + r.good });
    else if (r.measure === 'case.joint.closed') Object.assign(get(r.member, r.peer), { closed: get(r.member, r.peer).closed + r.n, confirmed: get(r.member, r.peer).confirmed + r.good });
  }
  return [...pairs.values()].sort((x, y) => pairKey(x.a, x.b).localeCompare(pairKey(y.a, y.b)));
}

const logShare = (x: number, max: number) => (max === 0 ? 0 : Math.log1p(x) / Math.log1p(max));
const ratio = (num: number, den: number) => (den === 0 ? null : num / den);
const round1 = (x: number) => Math.round(x * 10) / 10;
const WEIGHTS = Object.fromEntries(COLLABORATION_METHOD.components.map((c) => [c.id, c.weight])) as Record<'volume' | 'reliability' | 'responsiveness' | 'confirmation', number>;

export function scorePairs(inputs: readonly PairInputs[]): PairScore[] {
  const max = {
    exchanges: Math.max(0, ...inputs.map((p) => p.exchanges)),
    delivered: Math.max(0, ...inputs.map((p) => p.delivered)),
    jointCases: Math.max(0, ...inputs.map((p) => p.jointCases)),
  };
  const scored: PairScore[] = [];
  for (const p of inputs) {
    const volume = p.exchanges + p.delivered + p.jointCases;
    if (volume === 0) continue;
    const components = {
      volume: (logShare(p.exchanges, max.exchanges) + logShare(p.delivered, max.delivered) + logShare(p.jointCases, max.jointCases)) / 3,
      reliability: ratio(p.exchangesOk + p.delivered, p.exchanges + p.delivered + p.dead),
      responsiveness: ratio(p.resolvedInTime, p.resolved),
      confirmation: ratio(p.confirmed, p.closed),
    };
    let weighted = 0;
    let weights = 0;
    for (const [id, value] of Object.entries(components) as Array<[keyof typeof WEIGHTS, number | null]>) {
      if (value === null) continue;
      weighted += WEIGHTS[id] * value;
      weights += WEIGHTS[id];
    }
    scored.push({ a: p.a, b: p.b, volume, score: 100 * (weighted / weights), components, inputs: p });
  }
  return scored;
}

export function scoreInstitutions(pairs: readonly PairScore[]): InstitutionScore[] {
  const byMember = new Map<string, { weighted: number; volume: number; pairs: number }>();
  for (const p of pairs) {
    for (const m of [p.a, p.b]) {
      const s = byMember.get(m) ?? { weighted: 0, volume: 0, pairs: 0 };
      s.weighted += p.score * p.volume;
      s.volume += p.volume;
      s.pairs += 1;
      byMember.set(m, s);
    }
  }
  return [...byMember.entries()].map(([member, s]) => ({ member, score: round1(s.weighted / s.volume), volume: s.volume, pairs: s.pairs })).sort((x, y) => y.score - x.score || x.member.localeCompare(y.member));
}

export interface CollaborationIndex {
  method: typeof COLLABORATION_METHOD;
  pairs: PairScore[];
  institutions: InstitutionScore[];
}

export function collaborationIndex(rows: readonly RollupRow[]): CollaborationIndex {
  const pairs = scorePairs(pairInputs(rows));
  const institutions = scoreInstitutions(pairs);
  return { method: COLLABORATION_METHOD, pairs: pairs.map((p) => ({ ...p, score: round1(p.score) })), institutions };
}

/** Every measure the index reads. */
export const COLLABORATION_MEASURES: readonly string[] = [...new Set(COLLABORATION_METHOD.components.flatMap((c) => c.measures))];
