import { formatDay, weekday } from './days.js';
import { buildPanels, type Panel } from './series.js';
import { MAD_TO_SD, medianInPlace, negativeBinomialZ, weightedMedian } from './stats.js';
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
export function detectPanel(panel: Panel, options: DetectorOptions = DEFAULT_OPTIONS, onShift?: (district: string, date: string) => void): FlaggedPoint[] {
  const { levelWindow: W, scaleWindow: S, spikeZ, runZ, shiftZ, shiftDays, trendWeight, minPeers } = options;
  const D = panel.districts.length;
  const T = panel.days;
  const Y = panel.values;
  const dow = new Uint8Array(T);
  for (let t = 0; t < T; t++) dow[t] = weekday(panel.firstDay + t);

  const ratio = new Float64Array(D);
  const weight = new Float64Array(D);
  const scratch = new Float64Array(Math.max(2 * W, S, D, 64));
  // Weights are expected counts (a ratio's precision), capped at 4× the day's median so that no
  // district, however large, carries the day's common factor alone.
  const common = (n: number): number => {
    if (n < minPeers) return 1;
    scratch.set(weight.subarray(0, n));
    const cap = 4 * medianInPlace(scratch, n);
    for (let i = 0; i < n; i++) if (weight[i]! > cap) weight[i] = cap;
    return clamp(weightedMedian(ratio, weight, n), 0.01, 100);
  };

  // 1. Rough common factor from each district's mean: only to estimate weekday factors and a cold start.
  const meanOf = new Float64Array(D);
  for (let d = 0; d < D; d++) {
    let sum = 0;
    let n = 0;
    for (const y of Y[d]!) if (!Number.isNaN(y)) (sum += y), n++;
    meanOf[d] = n > 0 ? sum / n : 0;
  }
  const c0 = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let n = 0;
    for (let d = 0; d < D; d++) {
      const y = Y[d]![t]!;
      if (Number.isNaN(y) || !(meanOf[d]! > 0)) continue;
      ratio[n] = y / meanOf[d]!;
      weight[n] = meanOf[d]!;
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
  const size0 = new Float64Array(D);
  for (let d = 0; d < D; d++) {
    const l0 = windowMean(a0[d]!, 0, Math.min(T, W), -1);
    let excess = 0;
    let square = 0;
    let n = 0;
    for (let t = 0; t < Math.min(T, 2 * W); t++) {
      const y = Y[d]![t]!;
      if (Number.isNaN(y) || Number.isNaN(l0)) continue;
      const e = l0 * c0[t]! * wk[d]![dow[t]!]!;
      excess += (y - e) * (y - e) - y;
      square += e * e;
      n++;
    }
    size0[d] = n >= 5 && excess > 0 ? square / excess : Infinity;
  }

  // 3. Day by day, all districts of the metric together.
  const rawA = Y.map(() => new Float64Array(T).fill(Number.NaN));
  const cleanA = Y.map(() => new Float64Array(T).fill(Number.NaN));
  // Running sums of each clean series: the level's windows cost O(1) a day, not O(W).
  const cleanSums = cleanA.map((a) => new RunningSums(a));
  // per day of each series, for its NB size: (y − e)² − y and e², NaN on flagged days
  const excess = Y.map(() => new Float64Array(T).fill(Number.NaN));
  const square = Y.map(() => new Float64Array(T).fill(Number.NaN));
  const scores = Y.map(() => new Float64Array(T).fill(Number.NaN));
  const expect = Y.map(() => new Float64Array(T).fill(Number.NaN));
  const epFlags = new Int32Array(D);
  const breakAt = new Int32Array(D);
  const size = new Float64Array(D).fill(Infinity); // NB size k of each series; ∞: Poisson
  const phiAt = new Int32Array(D).fill(-1_000_000);
  // the current episode of same-sign elevated days (a shift in the making)
  const epSign = new Int8Array(D);
  const epStart = new Int32Array(D);
  const epElevated = new Int32Array(D);
  const epMisses = new Int32Array(D);
  // after a re-base, a few days to undo it if the counts go straight back (it was a burst)
  const revUntil = new Int32Array(D).fill(-1);
  const revLevel = new Float64Array(D);
  const revBreak = new Int32Array(D);
  const revFrom = new Int32Array(D);
  const prevScore = new Float64Array(D).fill(Number.NaN);
  const prevFlagged = new Uint8Array(D);
  const prevE = new Float64Array(D);
  const level = new Float64Array(D);
  const e0 = new Float64Array(D);
  const zA = new Float64Array(D);
  const zs = new Float64Array(D);
  const spreads = new Float64Array(T).fill(Number.NaN);
  const flags: FlaggedPoint[] = [];
  const dates: string[] = [];
  for (let t = 0; t < T; t++) dates.push(formatDay(panel.firstDay + t));
  const flag = (d: number, t: number, expected: number, score: number) =>
    flags.push({ date: dates[t]!, district: panel.districts[d]!, metric: panel.metric, value: Y[d]![t]!, expected: round2(expected), score: round2(score) });
  const flagLimit = shiftDays;
  const cRaw = new Float64Array(T).fill(Number.NaN);
  const dev = new Float64Array(D);
  /**
   * The day's common factor, or its usual value for that weekday (median of the
   * last eight) when the day's departure from it is within 3 standard errors:
   * on an ordinary day the factor is noise from the peers, and multiplying a
   * large district's expectation by it would add the peers' noise to its own.
   */
  function commonFactor(t: number, n: number): number {
    const c = common(n);
    if (n < minPeers) return c;
    cRaw[t] = c;
    for (let i = 0; i < n; i++) dev[i] = Math.abs(ratio[i]! - c);
    let sw = 0;
    let sw2 = 0;
    for (let i = 0; i < n; i++) (sw += weight[i]!), (sw2 += weight[i]! * weight[i]!);
    const se = (1.2533 * MAD_TO_SD * weightedMedian(dev, weight, n)) / Math.sqrt((sw * sw) / sw2);
    let h = 0;
    for (let back = t - 7; back >= 0 && back >= t - 56; back -= 7) if (!Number.isNaN(cRaw[back]!)) scratch[h++] = cRaw[back]!;
    if (h < 3) return c;
    const usual = medianInPlace(scratch, h);
    return Math.abs(c - usual) <= 3 * se ? usual : c;
  }

  for (let t = 0; t < T; t++) {
    const k = dow[t]!;
    let n = 0;
    for (let d = 0; d < D; d++) {
      const y = Y[d]![t]!;
      if (Number.isNaN(y)) continue;
      let l = levelAt(cleanSums[d]!, breakAt[d]!, t, W, trendWeight);
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
    const c = commonFactor(t, n);

    let m = 0;
    for (let d = 0; d < D; d++) {
      const y = Y[d]![t]!;
      if (Number.isNaN(y)) continue;
      const e = e0[d]! * c;
      if (t - phiAt[d]! >= (t < S ? 2 : 7)) {
        size[d] = estimateSize(excess[d]!, square[d]!, Math.max(0, t - S), t, size0[d]!);
        phiAt[d] = t;
      }
      zA[d] = (anscombe(y) - anscombe(e)) / Math.sqrt(1 + e / size[d]!);
      // Below one expected count the residual is too discrete to say how spread the day is.
      if (e >= 1) zs[m++] = zA[d]!;
    }
    // Districts that react unevenly to a common shock widen the day's spread: widen the yardstick with it.
    // Only a day wider than the metric's usual spread (its median over recent days) counts: on an
    // ordinary day the spread of 160 residuals is itself noisy and would blunt every score.
    let deflate = 1;
    if (m >= minPeers) {
      const med = medianInPlace(zs, m);
      for (let i = 0; i < m; i++) zs[i] = Math.abs(zs[i]! - med);
      spreads[t] = MAD_TO_SD * medianInPlace(zs, m);
      const usual = windowMedianOf(spreads, Math.max(0, t - W), t, scratch);
      deflate = Math.max(1, spreads[t]! / (SPREAD_MARGIN * (Number.isNaN(usual) ? 1 : Math.max(usual, 1))));
    }
    // The normal approximation misjudges the tails of counts: where it matters, take the exact NB tail.
    const scoreOf = (d: number, y: number, e: number, approx: number): number =>
      (Math.abs(approx) >= 1.5 ? negativeBinomialZ(y, e, size[d]!) : approx) / deflate;

    for (let d = 0; d < D; d++) {
      const y = Y[d]![t]!;
      if (Number.isNaN(y)) {
        prevScore[d] = Number.NaN;
        prevFlagged[d] = 0;
        continue;
      }
      const w = wk[d]![k]!;
      let e = e0[d]! * c;
      let score = scoreOf(d, y, e, zA[d]!);
      let base = level[d]!;

      if (t <= revUntil[d]!) {
        const eOld = revLevel[d]! * w * c;
        const old = scoreOf(d, y, eOld, (anscombe(y) - anscombe(eOld)) / Math.sqrt(1 + eOld / size[d]!));
        if (Math.abs(old) < shiftZ && score * epSign[d]! <= -shiftZ) {
          for (let i = revFrom[d]!; i < t; i++) cleanA[d]![i] = revLevel[d]!;
          cleanSums[d]!.rewritten(revFrom[d]!);
          breakAt[d] = revBreak[d]!;
          revUntil[d] = -1;
          e = eOld;
          score = old;
          base = revLevel[d]!;
        }
      }

      const sign = score > 0 ? 1 : -1;
      const az = Math.abs(score);
      const elevated = az >= shiftZ;
      if (elevated) {
        if (epElevated[d]! > 0 && epSign[d] === sign) {
          epElevated[d]!++;
          epMisses[d] = 0;
        } else {
          epSign[d] = sign;
          epStart[d] = t;
          epElevated[d] = 1;
          epFlags[d] = 0;
          epMisses[d] = 0;
        }
      } else if (epElevated[d]! > 0 && ++epMisses[d]! >= 3) epElevated[d] = 0;
      // A level shift is reported on its first days, not for as long as the baseline takes to follow it.
      const late = elevated && epElevated[d]! > 0 && t - epStart[d]! >= flagLimit;

      let flagged = !late && az >= spikeZ;
      const ps = prevScore[d]!;
      if (!late && !flagged && az >= runZ && !Number.isNaN(ps) && Math.abs(ps) >= runZ && ps * score > 0) {
        flagged = true;
        if (prevFlagged[d] === 0) flag(d, t - 1, prevE[d]!, ps);
      }
      if (flagged) flag(d, t, e, score);
      if (flagged && elevated) epFlags[d]!++;
      scores[d]![t] = score;
      expect[d]![t] = e;
      if (az < runZ) {
        excess[d]![t] = (y - e) * (y - e) - y;
        square[d]![t] = e * e;
      }
      prevScore[d] = score;
      prevE[d] = e;
      prevFlagged[d] = flagged ? 1 : 0;

      rawA[d]![t] = y / (c * w);
      cleanA[d]![t] = az >= runZ ? base : rawA[d]![t]!;
      cleanSums[d]!.rewritten(t);
      // Confirmed: more elevated days than any burst has, most days of the episode. Re-base on them.
      const span = t - epStart[d]! + 1;
      if (elevated && epElevated[d]! >= shiftDays && 3 * epElevated[d]! >= 2 * span) {
        revLevel[d] = base;
        revBreak[d] = breakAt[d]!;
        revFrom[d] = epStart[d]!;
        revUntil[d] = t + 3;
        for (let i = epStart[d]!; i <= t; i++) cleanA[d]![i] = rawA[d]![i]!;
        cleanSums[d]!.rewritten(epStart[d]!);
        // A shift too gradual for any day to stand out still starts somewhere: flag its first day.
        if (epFlags[d] === 0) flag(d, epStart[d]!, expect[d]![epStart[d]!]!, scores[d]![epStart[d]!]!);
        onShift?.(panel.districts[d]!, dates[epStart[d]!]!);
        breakAt[d] = epStart[d]!;
        epElevated[d] = 0;
      }
    }
  }
  return flags;
}

/**
 * The series' negative-binomial size k by the method of moments over its
 * recent unflagged days, E[(y − e)² − y] = e²/k: k = Σe² / Σ((y − e)² − y),
 * Poisson (∞) when there is no excess. Not the MAD of residuals: for small
 * counts that jumps between a few discrete values and overstates the spread.
 */
function estimateSize(excess: Float64Array, square: Float64Array, lo: number, hi: number, cold: number): number {
  let n = 0;
  let ex = 0;
  let sq = 0;
  for (let i = lo; i < hi; i++) {
    const v = excess[i]!;
    if (Number.isNaN(v)) continue;
    ex += v;
    sq += square[i]!;
    n++;
  }
  if (n < 10) return cold;
  return ex > 0 ? sq / ex : Infinity;
}

/** How much wider than usual a day's spread across districts must be before it widens the yardstick. */
const SPREAD_MARGIN = 1.15;

/** Median of the finite values of a[lo..hi); NaN if fewer than 5. */
function windowMedianOf(a: Float64Array, lo: number, hi: number, scratch: Float64Array): number {
  let n = 0;
  for (let i = lo; i < hi; i++) {
    const v = a[i]!;
    if (!Number.isNaN(v)) scratch[n++] = v;
  }
  return n >= 5 ? medianInPlace(scratch, n) : Number.NaN;
}

/** 2√(x + 3/8): Anscombe's transform, under which Poisson noise has variance ≈ 1 (floor of the scale). */
function anscombe(x: number): number {
  return 2 * Math.sqrt(x + 0.375);
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
 * Prefix sums and counts of a series' finite values, so that the mean of any
 * window is two subtractions. The detector writes each day once as it goes,
 * and rewrites the past only to re-base or undo a re-base (rare): a rewrite
 * marks the sums stale from there, and they are brought up to date on the
 * next read.
 */
class RunningSums {
  private readonly sum: Float64Array;
  private readonly count: Int32Array;
  /** sum[0..upTo] and count[0..upTo] hold the values a[0..upTo) */
  private upTo = 0;

  constructor(private readonly a: Float64Array) {
    this.sum = new Float64Array(a.length + 1);
    this.count = new Int32Array(a.length + 1);
  }

  rewritten(from: number): void {
    if (from < this.upTo) this.upTo = from;
  }

  /** windowMean of a[lo..hi) (no day skipped), in O(1) once the sums reach hi */
  mean(lo: number, hi: number): number {
    const from = Math.max(0, lo);
    if (hi <= from) return Number.NaN;
    for (let i = this.upTo; i < hi; i++) {
      const v = this.a[i]!;
      const finite = !Number.isNaN(v);
      this.sum[i + 1] = this.sum[i]! + (finite ? v : 0);
      this.count[i + 1] = this.count[i]! + (finite ? 1 : 0);
    }
    if (hi > this.upTo) this.upTo = hi;
    const n = this.count[hi]! - this.count[from]!;
    return n >= 5 ? (this.sum[hi]! - this.sum[from]! + 0.5) / (n + 0.5) : Number.NaN;
  }
}

/**
 * The level expected at t: the mean of the last W clean values since the
 * last break, moved along the slope between it and the mean of the W before
 * (when both lie after the break), damped by trendWeight.
 */
function levelAt(clean: RunningSums, breakAt: number, t: number, W: number, trendWeight: number): number {
  let recent = clean.mean(Math.max(breakAt, t - W), t);
  // A window with only a handful of counts says little: look further back (up to 4W) for a rate.
  if (recent * W < 10) {
    const longer = clean.mean(Math.max(breakAt, t - 4 * W), t);
    if (!Number.isNaN(longer)) return longer;
  }
  if (Number.isNaN(recent) || trendWeight === 0 || t - 2 * W < breakAt) return recent;
  const before = clean.mean(t - 2 * W, t - W);
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

export function detectInPanels(panels: readonly Panel[], options: DetectorOptions = DEFAULT_OPTIONS, onShift?: (metric: string, district: string, date: string) => void): FlaggedPoint[] {
  const out = panels.flatMap((panel) => detectPanel(panel, options, onShift && ((district, date) => onShift(panel.metric, district, date))));
  return out.sort((a, b) => compare(a.date, b.date) || compare(a.metric, b.metric) || compare(a.district, b.district));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
