import { formatDay, parseDay, weekday } from './days.js';
import { generatorDistricts } from './districts.js';
import { Random } from './random.js';
import type { DailyCount } from './types.js';

/**
 * Synthetic daily counts with planted anomalies and their ground truth, to
 * measure the detector. Everything random comes from one seed.
 *
 * What is normal here: district sizes from the census (plus a per-district
 * propensity), a weekly rhythm per metric (Sunday closed, Friday prayers,
 * Monday backlog) with a little district variation, a slow trend per district
 * and metric, a gentle annual cycle, national holidays (Eid, Ashura,
 * national days; the eve of Eid ul-Fitr raises cash-related counts), a few
 * unannounced common shocks (a nationwide outage), and negative-binomial
 * noise (Poisson for small counts, overdispersed for large ones).
 *
 * Anomaly strength is in noise units on the variance-stabilised scale:
 * √(λ′+3/8) = √(λ+3/8) + m·√φ/2 with φ = 1 + λ/k the NB variance ratio, so
 * "m = 6" is equally (im)plausible as noise in a district of 100,000 and one
 * of 13 million. Smaller departures are not trouble a detector could tell
 * from chance among 584,000 points.
 */
export type AnomalyKind = 'spike' | 'burst' | 'shift';

export interface PlantedAnomaly {
  readonly kind: AnomalyKind;
  readonly district: string;
  readonly metric: string;
  /** first day of the anomaly */
  readonly start: string;
  /** last day of its matching window (inclusive): a spike's day, a burst's last day, a shift's first SHIFT_WINDOW days */
  readonly end: string;
  /** days the anomaly itself lasts (a shift: to the end of the series) */
  readonly days: number;
  /** signed strength in noise units */
  readonly strength: number;
}

/** A level shift counts as found if flagged in its first week; flags later than that are false. */
export const SHIFT_WINDOW = 7;

export interface GeneratorParams {
  readonly seed: number;
  readonly start: string;
  readonly days: number;
  readonly districts: number;
  readonly metrics: number;
  readonly spikes: number;
  readonly bursts: number;
  readonly shifts: number;
  readonly spikeStrength: readonly [number, number];
  readonly burstStrength: readonly [number, number];
  readonly shiftStrength: readonly [number, number];
  /** NB size k per metric is drawn from this range (smaller: noisier large counts) */
  readonly nbSize: readonly [number, number];
  /** sd of each series' log-trend per year */
  readonly trendSd: number;
  /** sd of a district's log-deviation from its metric's weekday profile */
  readonly weeklyJitter: number;
  /** how far holidays take a closed-office metric (multiplier range) */
  readonly holidayDepth: readonly [number, number];
  /** sd of a district's log-deviation from the national holiday effect */
  readonly holidayJitter: number;
  /** unannounced days when a metric moves in every district */
  readonly commonShocks: number;
  /** amplitude of the annual cycle (log scale) */
  readonly seasonalAmplitude: number;
}

export const DEFAULT_PARAMS: GeneratorParams = {
  seed: 1,
  start: '2025-01-01',
  days: 365,
  districts: 160,
  metrics: 10,
  spikes: 40,
  bursts: 40,
  shifts: 40,
  spikeStrength: [6, 10],
  burstStrength: [4.5, 8],
  shiftStrength: [4.5, 8],
  nbSize: [30, 300],
  trendSd: 0.15,
  weeklyJitter: 0.04,
  holidayDepth: [0.25, 0.6],
  holidayJitter: 0.05,
  commonShocks: 3,
  seasonalAmplitude: 0.1,
};

/**
 * Parameters for held-out measurement: another year, other noise, steeper
 * trends, districts less alike, weaker anomalies at the low end. Drawn from
 * the seed so that a held-out set is reproducible too.
 */
export function heldOutParams(seed: number): GeneratorParams {
  const r = new Random(seed ^ 0x5eed);
  return {
    ...DEFAULT_PARAMS,
    seed,
    start: r.pick(['2024-01-01', '2026-01-01', '2025-03-01', '2023-07-01']),
    spikeStrength: [r.uniform(5.5, 6.5), r.uniform(9, 12)],
    burstStrength: [r.uniform(4, 5), r.uniform(7, 9)],
    shiftStrength: [r.uniform(4, 5), r.uniform(7, 9)],
    nbSize: [r.uniform(10, 40), r.uniform(100, 1000)],
    trendSd: r.uniform(0.1, 0.35),
    weeklyJitter: r.uniform(0.02, 0.08),
    holidayDepth: [r.uniform(0.15, 0.35), r.uniform(0.5, 0.8)],
    holidayJitter: r.uniform(0.03, 0.08),
    commonShocks: r.int(1, 6),
    seasonalAmplitude: r.uniform(0, 0.2),
  };
}

interface MetricSpec {
  readonly name: string;
  /** events per 100,000 people per day */
  readonly rate: number;
  /** Sunday … Saturday */
  readonly week: readonly number[];
  /** offices: drops on holidays; cash: also rises on the eve of Eid ul-Fitr */
  readonly holiday: 'office' | 'cash' | 'steady';
}

const OFFICE_WEEK = [0.35, 1.2, 1.05, 1, 1, 0.8, 0.7];
const CASH_WEEK = [0.85, 1.15, 1.05, 1, 1, 0.9, 1];
const FLAT_WEEK = [0.95, 1.02, 1, 1, 1, 0.98, 1];
const METRICS: readonly MetricSpec[] = [
  { name: 'withdrawal_failed', rate: 2, week: CASH_WEEK, holiday: 'cash' },
  { name: 'biometric_failed', rate: 6, week: CASH_WEEK, holiday: 'cash' },
  { name: 'grievance_bisp', rate: 1.5, week: OFFICE_WEEK, holiday: 'office' },
  { name: 'grievance_bank', rate: 0.8, week: OFFICE_WEEK, holiday: 'office' },
  { name: 'grievance_nadra', rate: 0.6, week: OFFICE_WEEK, holiday: 'office' },
  { name: 'grievance_electricity', rate: 3, week: FLAT_WEEK, holiday: 'steady' },
  { name: 'grievance_water', rate: 1, week: FLAT_WEEK, holiday: 'steady' },
  { name: 'sms_undelivered', rate: 25, week: FLAT_WEEK, holiday: 'steady' },
  { name: 'exchange_errors', rate: 4, week: OFFICE_WEEK, holiday: 'office' },
  { name: 'dead_letters', rate: 0.4, week: OFFICE_WEEK, holiday: 'office' },
];

/** Pakistan's national holidays; Islamic ones move about 11 days earlier each Gregorian year. */
function holidays(firstDay: number, days: number): { day: number; eveOfEid: boolean }[] {
  const out: { day: number; eveOfEid: boolean }[] = [];
  const firstYear = Number(formatDay(firstDay).slice(0, 4));
  const lastYear = Number(formatDay(firstDay + days - 1).slice(0, 4));
  for (let year = firstYear; year <= lastYear; year++) {
    for (const md of ['02-05', '03-23', '05-01', '05-28', '08-14', '11-09', '12-25']) out.push({ day: parseDay(`${year}-${md}`)!, eveOfEid: false });
    // 2025: Eid ul-Fitr 31 Mar–2 Apr, Eid ul-Adha 7–9 Jun, Ashura 5–6 Jul, Eid Milad un-Nabi 6 Sep
    const shift = Math.round(-10.875 * (year - 2025));
    const islamic = (md: string, n: number, eve: boolean) => {
      const start = parseDay(`2025-${md}`)! + shift;
      if (eve) out.push({ day: start - 1, eveOfEid: true });
      for (let i = 0; i < n; i++) out.push({ day: start + i, eveOfEid: false });
    };
    islamic('03-31', 3, true);
    islamic('06-07', 3, false);
    islamic('07-05', 2, false);
    islamic('09-06', 1, false);
  }
  return out.filter((h) => h.day >= firstDay && h.day < firstDay + days);
}

export interface GeneratedSeries {
  readonly rows: DailyCount[];
  readonly truth: PlantedAnomaly[];
  readonly params: GeneratorParams;
}

export function generateSeries(params: GeneratorParams = DEFAULT_PARAMS): GeneratedSeries {
  const r = new Random(params.seed);
  const firstDay = parseDay(params.start);
  if (firstDay === undefined) throw new Error(`start is not a date: ${params.start}`);
  const T = params.days;
  const districts = generatorDistricts(params.districts, r);
  const metrics = Array.from({ length: params.metrics }, (_, i) => {
    const base = METRICS[i % METRICS.length]!;
    return i < METRICS.length ? base : { ...base, name: `${base.name}_${Math.floor(i / METRICS.length) + 1}` };
  });
  const dates = Array.from({ length: T }, (_, t) => formatDay(firstDay + t));
  const dow = Array.from({ length: T }, (_, t) => weekday(firstDay + t));
  const holidayList = holidays(firstDay, T);

  // Per metric: national factor per day (holidays, shocks, annual cycle, national trend), NB size.
  const national = metrics.map((spec) => {
    const f = new Float64Array(T).fill(1);
    const phase = r.uniform(0, 2 * Math.PI);
    const amp = params.seasonalAmplitude * r.uniform(0.3, 1);
    const trend = r.normal() * params.trendSd * 0.5;
    for (let t = 0; t < T; t++) f[t] = Math.exp(amp * Math.sin((2 * Math.PI * t) / 365 + phase) + (trend * t) / 365);
    const depth = r.uniform(params.holidayDepth[0], params.holidayDepth[1]);
    const holidayFactor = new Float64Array(T).fill(1);
    for (const h of holidayList) {
      const t = h.day - firstDay;
      if (h.eveOfEid) holidayFactor[t] = spec.holiday === 'cash' ? r.uniform(1.4, 1.9) : 1;
      else holidayFactor[t] = spec.holiday === 'office' ? depth : spec.holiday === 'cash' ? Math.sqrt(depth) : r.uniform(0.85, 0.95);
    }
    for (let s = 0; s < params.commonShocks; s++) {
      const t = r.int(0, T - 1);
      holidayFactor[t] = holidayFactor[t]! * (r.next() < 0.5 ? r.uniform(0.4, 0.7) : r.uniform(1.4, 2.2));
    }
    const k = Math.exp(r.uniform(Math.log(params.nbSize[0]), Math.log(params.nbSize[1])));
    return { f, holidayFactor, k };
  });

  // Expected counts per series before anomalies.
  const lambda: Float64Array[][] = metrics.map((spec, m) =>
    districts.map((district) => {
      const n = national[m]!;
      const base = (district.population / 100_000) * spec.rate * Math.exp(0.3 * r.normal());
      const week = spec.week.map((w) => w * Math.exp(params.weeklyJitter * r.normal()));
      const trend = r.normal() * params.trendSd;
      const holidayJitter = params.holidayJitter;
      const out = new Float64Array(T);
      for (let t = 0; t < T; t++) {
        const hf = n.holidayFactor[t]!;
        const h = hf === 1 ? 1 : hf * Math.exp(holidayJitter * r.normal());
        out[t] = base * week[dow[t]!]! * n.f[t]! * Math.exp((trend * t) / 365) * h;
      }
      return out;
    }),
  );

  // Plant anomalies, at most one in a series per 6 weeks so that each has a clean baseline before it.
  const truth: PlantedAnomaly[] = [];
  const busy = new Map<string, Array<[number, number]>>();
  const plant = (kind: AnomalyKind, count: number, strength: readonly [number, number]) => {
    for (let placed = 0, tries = 0; placed < count && tries < count * 100; tries++) {
      const m = r.int(0, metrics.length - 1);
      const d = r.int(0, districts.length - 1);
      const len = kind === 'spike' ? 1 : kind === 'burst' ? r.int(2, 5) : T;
      const start = r.int(14, T - (kind === 'shift' ? 14 : 8));
      const key = `${m}/${d}`;
      const span: [number, number] = [start - 21, start + (kind === 'shift' ? 42 : len + 21)];
      const spans = busy.get(key) ?? [];
      if (spans.some(([a, b]) => span[0] < b && a < span[1])) continue;
      spans.push(span);
      busy.set(key, spans);
      const series = lambda[m]![d]!;
      const k = national[m]!.k;
      let s = r.uniform(strength[0], strength[1]);
      if (kind === 'shift' && r.next() < 0.3) {
        const l = series[start]!;
        const root = Math.sqrt(l + 0.375) - (s * Math.sqrt(1 + l / k)) / 2;
        if (root > Math.sqrt(0.3 * l + 0.375)) s = -s;
      }
      const lift = (l: number) => {
        const root = Math.sqrt(l + 0.375) + (s * Math.sqrt(1 + l / k)) / 2;
        return Math.max(0, root * root - 0.375);
      };
      if (kind === 'shift') {
        const factor = lift(series[start]!) / Math.max(series[start]!, 1e-9);
        for (let t = start; t < T; t++) series[t] = series[t]! * factor;
      } else for (let t = start; t < start + len; t++) series[t] = lift(series[t]!);
      const windowEnd = kind === 'shift' ? Math.min(T - 1, start + SHIFT_WINDOW - 1) : start + len - 1;
      truth.push({ kind, district: districts[d]!.code, metric: metrics[m]!.name, start: dates[start]!, end: dates[windowEnd]!, days: kind === 'shift' ? T - start : len, strength: Math.round(s * 100) / 100 });
      placed++;
    }
  };
  plant('shift', params.shifts, params.shiftStrength);
  plant('burst', params.bursts, params.burstStrength);
  plant('spike', params.spikes, params.spikeStrength);

  const rows: DailyCount[] = [];
  for (let t = 0; t < T; t++)
    for (let d = 0; d < districts.length; d++)
      for (let m = 0; m < metrics.length; m++) {
        const l = lambda[m]![d]![t]!;
        rows.push({ date: dates[t]!, district: districts[d]!.code, metric: metrics[m]!.name, value: r.negativeBinomial(l, national[m]!.k) });
      }
  truth.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.district < b.district ? -1 : 1));
  return { rows, truth, params };
}
