/**
 * Robust order statistics on small windows. The detector takes hundreds of
 * thousands of medians of 28–56 numbers, so these work in place on a scratch
 * buffer (quickselect, O(n)) instead of sorting copies.
 */

/** The k-th smallest (0-based) of buf[0..n), reordering buf. */
function select(buf: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const pivot = buf[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (buf[i]! < pivot) i++;
      while (buf[j]! > pivot) j--;
      if (i <= j) {
        const t = buf[i]!;
        buf[i] = buf[j]!;
        buf[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return buf[k]!;
  }
  return buf[k]!;
}

/** Median of buf[0..n) (n ≥ 1), reordering buf. */
export function medianInPlace(buf: Float64Array, n: number): number {
  const upper = select(buf, n, n >>> 1);
  if (n % 2 === 1) return upper;
  // the largest of the lower half is the lower middle
  let lower = -Infinity;
  for (let i = 0; i < n >>> 1; i++) if (buf[i]! > lower) lower = buf[i]!;
  return (lower + upper) / 2;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return medianInPlace(Float64Array.from(values), values.length);
}

/**
 * Weighted median of values[0..n) (weights ≥ 0): the value where the cumulative
 * weight first reaches half. Used across districts so that one district,
 * however large, cannot move the day's common factor unless it carries half
 * the weight. Weighted quickselect, O(n); reorders both arrays.
 */
export function weightedMedian(values: Float64Array, weights: Float64Array, n: number): number {
  if (n === 0) return Number.NaN;
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i]!;
  let lo = 0;
  let hi = n - 1;
  // weight strictly below lo that is already known to be left of the median
  let below = 0;
  const half = total / 2;
  for (;;) {
    if (lo >= hi) return values[lo]!;
    const pivot = values[(lo + hi) >>> 1]!;
    // three-way partition: < pivot | == pivot | > pivot
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const v = values[i]!;
      if (v < pivot) swap(values, weights, lt++, i++);
      else if (v > pivot) swap(values, weights, i, gt--);
      else i++;
    }
    let wLess = 0;
    for (let j = lo; j < lt; j++) wLess += weights[j]!;
    let wEq = 0;
    for (let j = lt; j <= gt; j++) wEq += weights[j]!;
    if (below + wLess >= half && lt > lo) hi = lt - 1;
    else if (below + wLess + wEq >= half) return pivot;
    else {
      below += wLess + wEq;
      lo = gt + 1;
    }
  }
}

function swap(a: Float64Array, b: Float64Array, i: number, j: number): void {
  const x = a[i]!;
  a[i] = a[j]!;
  a[j] = x;
  const y = b[i]!;
  b[i] = b[j]!;
  b[j] = y;
}

/** 1.4826 × MAD: a consistent estimate of the standard deviation under normal noise. */
export const MAD_TO_SD = 1.4826;

/** ln Γ(x), Lanczos (g = 7, n = 9); relative error < 1e-13 for x > 0. */
const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Regularised lower incomplete gamma P(a, x) (series below a + 1, Lentz's
 * continued fraction above). P(k, λ) = Pr[Poisson(λ) ≥ k].
 */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 500; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
  }
  return 1 - gammaQ(a, x);
}

/** Regularised upper incomplete gamma Q(a, x) = 1 − P(a, x). */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (x < a + 1) return 1 - gammaP(a, x);
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** Φ⁻¹(1 − p) for a small upper-tail probability p (Acklam's rational approximation, |error| < 1.2e-9). */
export function upperQuantile(p: number): number {
  if (!(p > 0)) return 40;
  if (p >= 1) return -40;
  return -normalQuantile(p);
}

function normalQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/**
 * Signed z of a count against a quasi-Poisson mean: the mid-p tail of
 * Poisson(mean/φ) at count/φ turned into a normal quantile. Exact where the
 * normal approximation is worst (small counts, right tail).
 */
export function poissonZ(count: number, mean: number, phi: number): number {
  const lambda = Math.max(mean / phi, 1e-9);
  const k = count / phi;
  if (k >= lambda) return Math.max(0, upperQuantile(gammaP(k + 0.5, lambda)));
  return Math.min(0, -upperQuantile(gammaQ(k + 0.5, lambda)));
}

/** Regularised incomplete beta I_x(a, b) (Lentz's continued fraction, Numerical Recipes' betacf). */
export function betaI(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaCf(x, a, b)) / a;
  return 1 - (front * betaCf(1 - x, b, a)) / b;
}

function betaCf(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-14) break;
  }
  return h;
}

/**
 * Signed z of a count against a negative binomial (mean, size k): the mid-p
 * tail as a normal quantile. Pr[Y ≤ y] = I_p(k, y + 1) with p = k/(k + mean);
 * the upper tail is taken as I_{1−p}(y + 1, k) for accuracy far out.
 */
export function negativeBinomialZ(count: number, mean: number, size: number): number {
  if (!Number.isFinite(size)) return poissonZ(count, mean, 1);
  const mu = Math.max(mean, 1e-9);
  const p = size / (size + mu);
  if (count >= mu) {
    // Pr[Y > y] + ½Pr[Y = y] = ½(Pr[Y ≥ y] + Pr[Y ≥ y + 1])
    const geY = count >= 1 ? betaI(1 - p, count, size) : 1;
    const geY1 = betaI(1 - p, count + 1, size);
    return Math.max(0, upperQuantile((geY + geY1) / 2));
  }
  const leY = betaI(p, size, count + 1);
  const leY1 = count >= 1 ? betaI(p, size, count) : 0;
  return Math.min(0, -upperQuantile((leY + leY1) / 2));
}
