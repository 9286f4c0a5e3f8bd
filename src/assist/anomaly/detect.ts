import { formatDay, weekday } from './days.js';
import { buildPanels, type Panel } from './series.js';
import { MAD_TO_SD, medianInPlace, poissonZ, weightedMedian } from './stats.js';
import { DEFAULT_OPTIONS, type DailyCount, type DetectorOptions, type FlaggedPoint } from './types.js';

/**
 * The detector (the method and why it was chosen: README.md beside this file).
 *
 * Model, multiplicative: count ≈ level(district, day) × weekday(district) × common(metric, day) × noise.
 *  - common: the day's weighted median, across districts, of count ÷ the district's own
 *    expectation. A holiday or any shock every district shares moves it; one district
 *    in trouble does not.
 *  - weekday: each district's rhythm against the common one, shrunk towards none as
 *    far as its counts are too few to tell (empirical Bayes).
 *  - level: median of the trailing window of the district's de-seasonalised counts,
 *    plus a damped robust slope; flagged days are kept out of it; a shift that lasts
 *    longer than any burst re-bases it.
 * Residuals are Anscombe residuals (variance-stabilised for Poisson counts), scaled by
 * the series' own MAD but never below Poisson noise, then by the day's spread across
 * districts when that is wider than usual (districts reacting unevenly to a holiday).
 */
export function detectPanel(panel: Panel, options: DetectorOptions = DEFAULT_OPTIONS): FlaggedPoint[] {
  const { levelWindow: W, scaleWindow: S, spikeZ, runZ, shiftZ, shiftDays, trendWeight, minPeers } = options;
  const D = panel.districts.length;
  const T = panel.days;
  const Y = panel.values;
  const dow = new Uint8Array(T);
  for (let t = 0; t < T; t++) dow[t] = weekday(panel.firstDay + t);

  const ratio = new Float64Array(D);
  const weight = new Float64Array(D);
  const scratch = new Float64Array(Math.max(2 * W, S, D, 64));
  const common = (n: number): number => (n >= minPeers ? clamp(weightedMedian(ratio, weight, n), 0.01, 100) : 1);

  // 1. Rough common factor from each district's mean: only to estimate weekday factors and a cold start.
  const size = new Float64Array(D);
  for (let d = 0; d < D; d++) {
    let sum = 0;
    let n = 0;
    for (const y of Y[d]!) if (!Number.isNaN(y)) (sum += y), n++;
    size[d] = n > 0 ? sum / n : 0;
  }
  const c0 = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let n = 0;
    for (let d = 0; d < D; d++) {
      const y = Y[d]![t]!;
      if (Number.isNaN(y) || !(size[d]! > 0)) continue;
      ratio[n] = y / size[d]!;
      weight[n] = size[d]!;
      n++;
    }
    c0[t] = common(n);
  }

  // 2. Weekday factors per district, shrunk by their estimation noise.
  const wk = weekdayFactors(Y, c0, dow, D, T);

  // Cold start: the level and noise scale a series has before it has history of its own.
  const a0 = Y.map((series, d) => {
    const out = new Float64Array(T);
    for (let t = 0; t < T; t++) out[t] = series[t]! / (c0[t]! * wk[d]![dow[t]!]!);
    return out;
  });
  const phi0 = new Float64Array(D);
  for (let d = 0; d < D; d++) {
    const l0 = windowMean(a0[d]!, 0, Math.min(T, W), -1);
    let n = 0;
    const u0 = new Float64Array(Math.min(T, 2 * W));
    for (let t = 0; t < u0.length; t++) {
      const y = Y[d]![t]!;
      if (Number.isNaN(y) || Number.isNaN(l0)) continue;
      u0[n++] = anscombe(y) - anscombe(l0 * c0[t]! * wk[d]![dow[t]!]!);
    }
    phi0[d] = n >= 5 ? dispersion(u0, n, scratch) : 1;
  }

  // 3. Day by day, all districts of the metric together.
  const rawA = Y.map(() => new Float64Array(T).fill(Number.NaN));
  const cleanA = Y.map(() => new Float64Array(T).fill(Number.NaN));
  const resid = Y.map(() => new Float64Array(T).fill(Number.NaN));
  const breakAt = new Int32Array(D);
  const phi = new Float64Array(D).fill(1);
  const phiAt = new Int32Array(D).fill(-1_000_000);
  const runSign = new Int8Array(D);
  const runStart = new Int32Array(D);
  const runCount = new Int32Array(D);
  const runMiss = new Int32Array(D);
  const prevZ = new Float64Array(D).fill(Number.NaN);
  const prevFlagged = new Uint8Array(D);
  const prevE = new Float64Array(D);
  const level = new Float64Array(D);
  const e0 = new Float64Array(D);
  const z = new Float64Array(D);
  const exact = new Float64Array(D);
  const zs = new Float64Array(D);
  const flags: FlaggedPoint[] = [];
  const dates: string[] = [];
  for (let t = 0; t < T; t++) dates.push(formatDay(panel.firstDay + t));
  const flag = (d: number, t: number, expected: number, score: number) =>
    flags.push({ date: dates[t]!, district: panel.districts[d]!, metric: panel.metric, value: Y[d]![t]!, expected: round2(expected), score: round2(score) });

  for (let t = 0; t < T; t++) {
    const k = dow[t]!;
    let n = 0;
    for (let d = 0; d < D; d++) {
      const y = Y[d]![t]!;
      if (Number.isNaN(y)) continue;
      let l = levelAt(cleanA[d]!, breakAt[d]!, t, W, trendWeight);
      if (Number.isNaN(l)) l = windowMean(a0[d]!, breakAt[d]!, Math.min(T, breakAt[d]! + W), t);
      if (Number.isNaN(l)) l = 0;
      level[d] = l;
      e0[d] = l * wk[d]![k]!;
      if (e0[d]! > 0) {
        ratio[n] = y / e0[d]!;
        weight[n] = e0[d]!;
        n++;
      }
    }
    const c = common(n);

    let m = 0;
    for (let d = 0; d < D; d++) {
      const y = Y[d]![t]!;
      if (Number.isNaN(y)) continue;
      const e = e0[d]! * c;
      const u = anscombe(y) - anscombe(e);
      resid[d]![t] = u;
      if (t - phiAt[d]! >= (t < S ? 2 : 7)) {
        const lo = Math.max(0, t - S);
        let h = 0;
        for (let i = lo; i < t; i++) {
          const v = resid[d]![i]!;
          if (!Number.isNaN(v)) scratch[h++] = v;
        }
        phi[d] = h >= 10 ? dispersion(scratch, h, scratch) : phi0[d]!;
        phiAt[d] = t;
      }
      z[d] = u / Math.sqrt(phi[d]!);
      // For small counts the normal approximation understates how rare a high count is: take the exact tail.
      if (Math.abs(z[d]!) >= 1.5 && e / phi[d]! < 100) exact[d] = poissonZ(y, e, phi[d]!);
      else exact[d] = z[d]!;
      // Below one expected count the residual is too discrete to say how spread the day is.
      if (e >= 1) zs[m++] = z[d]!;
    }
    // Districts that react unevenly to a common shock widen the day's spread: widen the yardstick with it.
    let deflate = 1;
    if (m >= minPeers) {
      const med = medianInPlace(zs, m);
      for (let i = 0; i < m; i++) zs[i] = Math.abs(zs[i]! - med);
      deflate = Math.max(1, MAD_TO_SD * medianInPlace(zs, m));
    }

    for (let d = 0; d < D; d++) {
      const y = Y[d]![t]!;
      const w = wk[d]![k]!;
      if (Number.isNaN(y)) {
        prevZ[d] = Number.NaN;
        prevFlagged[d] = 0;
        continue;
      }
      const score = exact[d]! / deflate;
      const sign = score > 0 ? 1 : -1;
      const az = Math.abs(score);
      const e = e0[d]! * c;
      rawA[d]![t] = y / (c * w);
      cleanA[d]![t] = az >= runZ ? level[d]! : rawA[d]![t]!;

      let flagged = az >= spikeZ;
      const pz = prevZ[d]!;
      if (!flagged && az >= runZ && !Number.isNaN(pz) && Math.abs(pz) >= runZ && pz * score > 0) {
        flagged = true;
        if (prevFlagged[d] === 0) flag(d, t - 1, prevE[d]!, pz);
      }
      if (flagged) flag(d, t, e, score);
      prevZ[d] = score;
      prevE[d] = e;
      prevFlagged[d] = flagged ? 1 : 0;

      // Level shift: more elevated days than any burst has, one gap allowed; then re-base on them.
      if (az >= shiftZ) {
        if (runCount[d]! > 0 && runSign[d] === sign) runCount[d]!++;
        else {
          runSign[d] = sign;
          runStart[d] = t;
          runCount[d] = 1;
          runMiss[d] = 0;
        }
        if (runCount[d]! >= shiftDays) {
          const from = runStart[d]!;
          for (let i = from; i <= t; i++) cleanA[d]![i] = rawA[d]![i]!;
          breakAt[d] = from;
          runCount[d] = 0;
        }
      } else if (runCount[d]! > 0 && ++runMiss[d]! > 1) runCount[d] = 0;
    }
  }
  return flags;
}

/** 2√(x + 3/8): Anscombe's transform, under which Poisson noise has variance ≈ 1 (floor of the scale). */
function anscombe(x: number): number {
  return 2 * Math.sqrt(x + 0.375);
}

/** Squared robust scale of residuals, never below Poisson's 1. */
function dispersion(values: Float64Array, n: number, scratch: Float64Array): number {
  if (values !== scratch) scratch.set(values.subarray(0, n));
  const med = medianInPlace(scratch, n);
  for (let i = 0; i < n; i++) scratch[i] = Math.abs(scratch[i]! - med);
  const sd = MAD_TO_SD * medianInPlace(scratch, n);
  return Math.max(1, sd * sd);
}

/** Median of the finite values of a[lo..hi), skipping index `skip`; NaN if fewer than 5. */
function windowMedian(a: Float64Array, lo: number, hi: number, skip: number, scratch: Float64Array): number {
  let n = 0;
  for (let i = Math.max(0, lo); i < hi; i++) {
    if (i === skip) continue;
    const v = a[i]!;
    if (!Number.isNaN(v)) scratch[n++] = v;
  }
  return n >= 5 ? medianInPlace(scratch, n) : Number.NaN;
}

/**
 * Mean of the finite values of a[lo..hi), skipping index `skip`, with half a
 * count of prior (so a series that has always been zero still expects a
 * little); NaN if fewer than 5. A mean, not a median: medians of small counts
 * stick at whole numbers (often 0). Outliers are kept out upstream: flagged
 * days enter the history as the level they departed from.
 */
function windowMean(a: Float64Array, lo: number, hi: number, skip: number): number {
  let n = 0;
  let sum = 0;
  for (let i = Math.max(0, lo); i < hi; i++) {
    if (i === skip) continue;
    const v = a[i]!;
    if (!Number.isNaN(v)) (sum += v), n++;
  }
  return n >= 5 ? (sum + 0.5) / (n + 0.5) : Number.NaN;
}

/**
 * The level expected at t: the mean of the last W clean values since the
 * last break, moved along the slope between it and the mean of the W before
 * (when both lie after the break), damped by trendWeight.
 */
function levelAt(clean: Float64Array, breakAt: number, t: number, W: number, trendWeight: number): number {
  const recent = windowMean(clean, Math.max(breakAt, t - W), t, -1);
  if (Number.isNaN(recent) || trendWeight === 0 || t - 2 * W < breakAt) return recent;
  const before = windowMean(clean, t - 2 * W, t - W, -1);
  if (Number.isNaN(before)) return recent;
  return Math.max(0, recent + (trendWeight * (recent - before) * (W + 1)) / (2 * W));
}

/**
 * Each district's weekday factors against the common factor: the trimmed mean
 * per weekday over its mean, pulled towards 1 by τ²/(τ² + v), where v is the
 * factor's sampling variance (Poisson or its own spread, whichever is larger)
 * and τ² how much districts of this metric really differ (method of moments).
 */
function weekdayFactors(Y: readonly Float64Array[], c0: Float64Array, dow: Uint8Array, D: number, T: number): Float64Array[] {
  const raw: Float64Array[] = [];
  const vars: Float64Array[] = [];
  let sumSq = 0;
  let sumV = 0;
  let cells = 0;
  const byDay: number[][] = Array.from({ length: 7 }, () => []);
  for (let d = 0; d < D; d++) {
    for (const list of byDay) list.length = 0;
    for (let t = 0; t < T; t++) {
      const y = Y[d]![t]!;
      if (!Number.isNaN(y)) byDay[dow[t]!]!.push(y / c0[t]!);
    }
    const tm = byDay.map((list) => trimmedMean(list));
    const present = tm.filter((v) => !Number.isNaN(v));
    const mean = present.length > 0 ? present.reduce((a, b) => a + b, 0) / present.length : 0;
    const w = new Float64Array(7).fill(1);
    const v = new Float64Array(7).fill(Infinity);
    if (mean > 0) {
      for (let k = 0; k < 7; k++) {
        const list = byDay[k]!;
        if (list.length < 3 || Number.isNaN(tm[k]!)) continue;
        w[k] = tm[k]! / mean;
        const q = Float64Array.from(list, (x) => x / mean);
        const med = medianInPlace(q, q.length);
        for (let i = 0; i < q.length; i++) q[i] = Math.abs(q[i]! - med);
        const sd = MAD_TO_SD * medianInPlace(q, q.length);
        v[k] = Math.max(1 / (list.length * mean), (sd * sd) / list.length);
        sumSq += (w[k]! - 1) ** 2;
        sumV += v[k]!;
        cells++;
      }
    }
    raw.push(w);
    vars.push(v);
  }
  const tau2 = Math.max(1e-4, cells > 0 ? (sumSq - sumV) / cells : 0);
  return raw.map((w, d) => {
    const out = new Float64Array(7);
    let s = 0;
    for (let k = 0; k < 7; k++) {
      const shrink = tau2 / (tau2 + vars[d]![k]!);
      out[k] = 1 + (w[k]! - 1) * shrink;
      s += out[k]!;
    }
    for (let k = 0; k < 7; k++) out[k] = out[k]! / (s / 7);
    return out;
  });
}

/** Mean of the middle 80%: steady for small counts, where a median jumps between integers. */
function trimmedMean(list: number[]): number {
  if (list.length === 0) return Number.NaN;
  const sorted = Float64Array.from(list).sort();
  const cut = Math.floor(sorted.length * 0.1);
  let sum = 0;
  for (let i = cut; i < sorted.length - cut; i++) sum += sorted[i]!;
  return sum / (sorted.length - 2 * cut);
}

function clamp(x: number, lo: number, hi: number): number {
  return Number.isFinite(x) ? Math.min(hi, Math.max(lo, x)) : 1;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Flags in every metric's panel, ordered by date, metric, district. */
export function detectAnomalies(rows: Iterable<DailyCount>, options: DetectorOptions = DEFAULT_OPTIONS): FlaggedPoint[] {
  return detectInPanels(buildPanels(rows), options);
}

export function detectInPanels(panels: readonly Panel[], options: DetectorOptions = DEFAULT_OPTIONS): FlaggedPoint[] {
  const out = panels.flatMap((panel) => detectPanel(panel, options));
  return out.sort((a, b) => compare(a.date, b.date) || compare(a.metric, b.metric) || compare(a.district, b.district));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
