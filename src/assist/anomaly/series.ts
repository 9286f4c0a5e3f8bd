import { formatDay, parseDay } from './days.js';
import type { DailyCount } from './types.js';

/**
 * The detector's input: for one metric, every district's counts on a common
 * run of days (NaN where a district reported nothing that day). Peers are
 * compared within a metric, never across metrics.
 */
export interface Panel {
  readonly metric: string;
  readonly districts: readonly string[];
  /** day number (days since 1970-01-01) of index 0 */
  readonly firstDay: number;
  readonly days: number;
  /** values[district][day] */
  readonly values: readonly Float64Array[];
}

export class SeriesError extends Error {
  override name = 'SeriesError';
}

/**
 * Groups daily counts by metric and district onto one calendar per metric.
 * A repeated (date, district, metric) is an error rather than a silent sum or
 * overwrite: two rows for one day mean the extract is wrong.
 */
export function buildPanels(rows: Iterable<DailyCount>): Panel[] {
  const dayOf = new Map<string, number>();
  const byMetric = new Map<string, Map<string, { days: number[]; values: number[] }>>();
  for (const row of rows) {
    let day = dayOf.get(row.date);
    if (day === undefined) {
      day = parseDay(row.date);
      if (day === undefined) throw new SeriesError(`not a date (YYYY-MM-DD): ${JSON.stringify(row.date)}`);
      dayOf.set(row.date, day);
    }
    if (!Number.isFinite(row.value) || row.value < 0) throw new SeriesError(`value must be a count ≥ 0: ${row.date} ${row.district} ${row.metric} ${row.value}`);
    let districts = byMetric.get(row.metric);
    if (districts === undefined) byMetric.set(row.metric, (districts = new Map()));
    let series = districts.get(row.district);
    if (series === undefined) districts.set(row.district, (series = { days: [], values: [] }));
    series.days.push(day);
    series.values.push(row.value);
  }
  const panels: Panel[] = [];
  for (const [metric, districts] of byMetric) {
    let first = Infinity;
    let last = -Infinity;
    for (const s of districts.values())
      for (const d of s.days) {
        if (d < first) first = d;
        if (d > last) last = d;
      }
    const days = last - first + 1;
    const names = [...districts.keys()].sort();
    const values = names.map((name) => {
      const s = districts.get(name)!;
      const out = new Float64Array(days).fill(Number.NaN);
      for (let i = 0; i < s.days.length; i++) {
        const at = s.days[i]! - first;
        if (!Number.isNaN(out[at]!)) throw new SeriesError(`two rows for ${formatDay(s.days[i]!)} ${name} ${metric}`);
        out[at] = s.values[i]!;
      }
      return out;
    });
    panels.push({ metric, districts: names, firstDay: first, days, values });
  }
  return panels.sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
}
