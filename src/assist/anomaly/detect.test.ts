import { describe, expect, it } from 'vitest';
import { formatDay, parseDay } from './days.js';
import { detectAnomalies } from './detect.js';
import { Random } from './random.js';
import type { DailyCount, FlaggedPoint } from './types.js';

/** A small panel: `districts` districts of one metric over `days` days, Poisson noise, seeded. */
function panel(options: {
  seed: number;
  districts?: number;
  days?: number;
  size?: (d: number) => number;
  week?: readonly number[];
  trendPerYear?: number;
  /** change the expected count of district d on day t */
  edit?: (d: number, t: number, lambda: number) => number;
}): DailyCount[] {
  const r = new Random(options.seed);
  const D = options.districts ?? 40;
  const T = options.days ?? 150;
  const first = parseDay('2025-01-06')!; // a Monday
  const rows: DailyCount[] = [];
  const sizes = Array.from({ length: D }, (_, d) => (options.size ? options.size(d) : 20 * Math.exp(r.uniform(-1.5, 1.5))));
  for (let t = 0; t < T; t++)
    for (let d = 0; d < D; d++) {
      const week = options.week ?? [1, 1, 1, 1, 1, 1, 1];
      const dow = (t + 1) % 7; // Sunday = 0
      let lambda = sizes[d]! * week[dow]! * Math.exp(((options.trendPerYear ?? 0) * t) / 365);
      if (options.edit) lambda = options.edit(d, t, lambda);
      rows.push({ date: formatDay(first + t), district: `D${String(d).padStart(2, '0')}`, metric: 'm', value: r.poisson(lambda) });
    }
  return rows;
}

const dayOf = (t: number) => formatDay(parseDay('2025-01-06')! + t);
const of = (flags: FlaggedPoint[], district: string) => flags.filter((f) => f.district === district);

describe('the anomaly detector', () => {
  it('flags a one-day spike in one district, and nothing else', () => {
    const flags = detectAnomalies(panel({ seed: 1, edit: (d, t, l) => (d === 7 && t === 90 ? l * 3 + 20 : l) }));
    expect(of(flags, 'D07').map((f) => f.date)).toEqual([dayOf(90)]);
    expect(flags.filter((f) => f.district !== 'D07')).toEqual([]);
    const spike = of(flags, 'D07')[0]!;
    expect(spike.score).toBeGreaterThan(5);
    expect(spike.expected).toBeLessThan(spike.value / 2);
  });

  it('flags a burst of a few days inside its window', () => {
    const flags = detectAnomalies(panel({ seed: 2, edit: (d, t, l) => (d === 3 && t >= 100 && t < 104 ? l * 1.8 + 8 : l) }));
    const days = of(flags, 'D03').map((f) => f.date);
    expect(days.length).toBeGreaterThanOrEqual(2);
    for (const day of days) expect([dayOf(100), dayOf(101), dayOf(102), dayOf(103)]).toContain(day);
    expect(flags.filter((f) => f.district !== 'D03')).toEqual([]);
  });

  it('flags a level shift at its start, then takes it as the new normal', () => {
    const flags = detectAnomalies(panel({ seed: 3, days: 200, edit: (d, t, l) => (d === 11 && t >= 80 ? l * 1.7 + 6 : l) }));
    const days = of(flags, 'D11').map((f) => parseDay(f.date)! - parseDay(dayOf(0))!);
    expect(days.length).toBeGreaterThan(0);
    expect(Math.min(...days)).toBeGreaterThanOrEqual(80);
    // flagged in its first week only, not for the 120 days the new level lasts
    expect(Math.max(...days)).toBeLessThan(87);
    expect(flags.filter((f) => f.district !== 'D11')).toEqual([]);
  });

  it('flags a drop that stays (an outage) as well as a rise', () => {
    const flags = detectAnomalies(panel({ seed: 4, size: () => 60, edit: (d, t, l) => (d === 5 && t >= 90 ? l * 0.3 : l) }));
    const d5 = of(flags, 'D05');
    expect(d5.length).toBeGreaterThan(0);
    expect(d5.every((f) => f.score < 0 && parseDay(f.date)! - parseDay(dayOf(90))! < 7)).toBe(true);
  });

  it('does not flag a holiday when every district drops (or rises) together, but does when one district drops alone', () => {
    const holiday = (t: number) => t >= 70 && t < 73;
    const rise = (t: number) => t === 110;
    const flags = detectAnomalies(panel({ seed: 5, edit: (_d, t, l) => (holiday(t) ? l * 0.35 : rise(t) ? l * 1.9 : l) }));
    expect(flags).toEqual([]);
    // control: the same drop in one district only is trouble there
    const alone = detectAnomalies(panel({ seed: 5, size: () => 80, edit: (d, t, l) => (d === 9 && holiday(t) ? l * 0.35 : l) }));
    expect(of(alone, 'D09').length).toBeGreaterThan(0);
  });

  it('does not flag a strong weekly rhythm, a slow trend, or districts that react unevenly to a holiday', () => {
    const r = new Random(77);
    const response = Array.from({ length: 40 }, () => 0.4 * Math.exp(0.15 * r.normal()));
    const flags = detectAnomalies(
      panel({
        seed: 6,
        days: 300,
        week: [0.3, 1.3, 1.1, 1, 1, 0.75, 0.6],
        trendPerYear: 0.6,
        edit: (d, t, l) => (t >= 150 && t < 153 ? l * response[d]! : l),
      }),
    );
    expect(flags).toEqual([]);
  });

  it('copes with a very large and a very small district in one panel', () => {
    // peers like the census: 100 districts from 5 to 500 a day
    const size = (d: number) => (d === 0 ? 20_000 : d === 1 ? 0.5 : 5 * Math.pow(100, (d - 2) / 98));
    const flags = detectAnomalies(
      panel({
        seed: 8,
        districts: 100,
        size,
        edit: (d, t, l) => (d === 0 && t === 80 ? l * 1.12 : d === 1 && t === 95 ? 12 : l),
      }),
    );
    // +12% is trouble for 20,000 a day (Poisson sd 0.7%); 12 is trouble where 0.5 is usual
    expect(of(flags, 'D00').map((f) => f.date)).toEqual([dayOf(80)]);
    expect(of(flags, 'D01').map((f) => f.date)).toEqual([dayOf(95)]);
    expect(flags.filter((f) => f.district !== 'D00' && f.district !== 'D01')).toEqual([]);
  });

  it('keeps metrics apart and gives every flag its fields', () => {
    const a = panel({ seed: 9, edit: (d, t, l) => (d === 2 && t === 60 ? l * 4 + 10 : l) });
    const b = panel({ seed: 10 }).map((row) => ({ ...row, metric: 'other' }));
    const flags = detectAnomalies([...a, ...b]);
    expect(flags).toHaveLength(1);
    expect(Object.keys(flags[0]!)).toEqual(['date', 'district', 'metric', 'value', 'expected', 'score']);
    expect(flags[0]).toMatchObject({ date: dayOf(60), district: 'D02', metric: 'm' });
  });
});
