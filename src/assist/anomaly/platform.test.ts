import { describe, expect, it } from 'vitest';
import { formatDay, parseDay } from './days.js';
import { buildDailySeries, detectNewAnomalies, type SeriesRecord } from './platform.js';
import { Random } from './random.js';

describe('series from records, anomalies for cases', () => {
  it('counts records per local (PKT) day and fills days without records with zero', () => {
    const rows = buildDailySeries(
      [
        { metric: 'withdrawal.failed', district: 'PB-LAHORE', at: '2025-01-01T20:00:00Z' }, // 01:00 on 2 Jan in Pakistan
        { metric: 'withdrawal.failed', district: 'PB-LAHORE', at: '2025-01-01T10:00:00Z', count: 2 },
        { metric: 'withdrawal.failed', district: 'SD-KARACHI', at: new Date('2025-01-03T05:00:00Z') },
      ],
      { districts: ['BA-QUETTA'] },
    );
    const get = (district: string, date: string) => rows.find((r) => r.district === district && r.date === date)?.value;
    expect(rows).toHaveLength(9);
    expect(get('PB-LAHORE', '2025-01-01')).toBe(2);
    expect(get('PB-LAHORE', '2025-01-02')).toBe(1);
    expect(get('SD-KARACHI', '2025-01-02')).toBe(0);
    expect(get('BA-QUETTA', '2025-01-03')).toBe(0);
  });

  it('gives each anomaly a stable id, once: a later run with more data does not report it again', () => {
    const r = new Random(21);
    const first = parseDay('2025-01-01')!;
    const records: SeriesRecord[] = [];
    for (let t = 0; t < 140; t++)
      for (let d = 0; d < 30; d++) {
        let lambda = 15 + d;
        if (d === 4 && t === 100) lambda *= 5;
        if (d === 9 && t >= 110) lambda *= 2.2;
        const n = r.poisson(lambda);
        if (n > 0) records.push({ metric: 'withdrawal.failed', district: `D${d}`, at: `${formatDay(first + t)}T06:00:00Z`, count: n });
      }
    const upTo = (t: number) => records.filter((x) => (x.at as string) < `${formatDay(first + t)}T23:00:00Z`);
    const early = detectNewAnomalies(buildDailySeries(upTo(105)), []);
    expect(early.map((a) => a.id)).toEqual([`withdrawal.failed|D4|${formatDay(first + 100)}`]);
    expect(early[0]).toMatchObject({ kind: 'spike', direction: 1 });
    expect(early[0]!.series.at(-1)).toEqual({ date: formatDay(first + 100), value: early[0]!.points[0]!.value });

    const later = detectNewAnomalies(buildDailySeries(upTo(139)), early.map((a) => a.id));
    expect(later.map((a) => a.district)).toEqual(['D9']);
    expect(later[0]).toMatchObject({ kind: 'shift', direction: 1 });
    expect(parseDay(later[0]!.start)! - first).toBeGreaterThanOrEqual(110);
    expect(detectNewAnomalies(buildDailySeries(upTo(139)), [...early, ...later].map((a) => a.id))).toEqual([]);
    expect(detectNewAnomalies(buildDailySeries(upTo(139)), [], { since: formatDay(first + 105) }).map((a) => a.district)).toEqual(['D9']);
  });
});
