/**
 * A percentile from bucket counts: the upper bound of the bucket in which the
 * p-th share of observations falls (so a figure is an upper bound, never
 * interpolated; the open bucket answers with its lower bound).
 */
export function percentileOf(buckets: ReadonlyMap<string, number>, p: number): number | null {
  const parsed = [...buckets.entries()]
    .map(([label, n]) => ({ bound: label === 'le:inf' ? Number.POSITIVE_INFINITY : Number(label.slice(3)), n }))
    .filter((b) => !Number.isNaN(b.bound))
    .sort((a, b) => a.bound - b.bound);
  const total = parsed.reduce((sum, b) => sum + b.n, 0);
  if (total === 0) return null;
  const rank = Math.ceil(p * total);
  let seen = 0;
  let previous = 0;
  for (const bucket of parsed) {
    seen += bucket.n;
    if (seen >= rank) return Number.isFinite(bucket.bound) ? bucket.bound : previous;
    previous = bucket.bound;
  }
  return previous;
}
