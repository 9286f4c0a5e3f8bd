import { formatDay, parseDay } from './days.js';
import { detectInPanels } from './detect.js';
import { buildPanels } from './series.js';
import { DEFAULT_OPTIONS, type DailyCount, type DetectorOptions, type FlaggedPoint } from './types.js';

/**
 * The platform's face of the detector: from Rabta's own records to daily
 * series, and from flagged points to anomalies that each open one case.
 */

/** One thing that happened: a withdrawal.failed event, an exchange error, a dead letter, a grievance. */
export interface SeriesRecord {
  /** what is counted, e.g. `withdrawal.failed`, `exchange.error:<service>`, `grievance:BANK` */
  readonly metric: string;
  /** where: a district code, or the service / subscription the count is about */
  readonly district: string;
  /** when (an ISO timestamp or a Date) */
  readonly at: string | Date;
  /** how many (default 1) */
  readonly count?: number;
}

export interface SeriesOptions {
  /** first and last day (YYYY-MM-DD, local); default the span of the records */
  readonly from?: string;
  readonly to?: string;
  /** every district that should have a series even on days with no records (they count 0) */
  readonly districts?: readonly string[];
  /** the calendar day is local time at this offset from UTC; default Pakistan (UTC+5) */
  readonly utcOffsetMinutes?: number;
}

/**
 * Daily counts per metric and district, with the days that had no record
 * filled with 0: a day without failed withdrawals is a count of zero, not a
 * missing day. Days are local (PKT by default), so an evening in Karachi is
 * not counted on the next day.
 */
export function buildDailySeries(records: Iterable<SeriesRecord>, options: SeriesOptions = {}): DailyCount[] {
  const offset = (options.utcOffsetMinutes ?? 300) * 60_000;
  const counts = new Map<string, Map<string, Map<number, number>>>();
  let first = options.from === undefined ? Infinity : dayOrThrow(options.from);
  let last = options.to === undefined ? -Infinity : dayOrThrow(options.to);
  const fixedFrom = options.from !== undefined;
  const fixedTo = options.to !== undefined;
  for (const r of records) {
    const ms = (r.at instanceof Date ? r.at : new Date(r.at)).getTime();
    if (Number.isNaN(ms)) throw new RangeError(`record time is not a date: ${String(r.at)}`);
    const day = Math.floor((ms + offset) / 86_400_000);
    if ((fixedFrom && day < first) || (fixedTo && day > last)) continue;
    if (!fixedFrom && day < first) first = day;
    if (!fixedTo && day > last) last = day;
    let byDistrict = counts.get(r.metric);
    if (byDistrict === undefined) counts.set(r.metric, (byDistrict = new Map()));
    let byDay = byDistrict.get(r.district);
    if (byDay === undefined) byDistrict.set(r.district, (byDay = new Map()));
    byDay.set(day, (byDay.get(day) ?? 0) + (r.count ?? 1));
  }
  const rows: DailyCount[] = [];
  if (!(first <= last)) return rows;
  for (const [metric, byDistrict] of counts) {
    for (const district of options.districts ?? []) if (!byDistrict.has(district)) byDistrict.set(district, new Map());
    for (const [district, byDay] of byDistrict)
      for (let day = first; day <= last; day++) rows.push({ date: formatDay(day), district, metric, value: byDay.get(day) ?? 0 });
  }
  return rows;
}

function dayOrThrow(text: string): number {
  const day = parseDay(text);
  if (day === undefined) throw new RangeError(`not a date (YYYY-MM-DD): ${text}`);
  return day;
}

export type AnomalyKind = 'spike' | 'burst' | 'shift';

/** Flagged days of one series that belong together, with what a case needs as evidence. */
export interface Anomaly {
  /** `<metric>|<district>|<first day>`: stable from one run to the next, so a case is opened once */
  readonly id: string;
  readonly metric: string;
  readonly district: string;
  readonly kind: AnomalyKind;
  /** first and last flagged day */
  readonly start: string;
  readonly end: string;
  /** +1 above the baseline, −1 below */
  readonly direction: 1 | -1;
  readonly points: readonly FlaggedPoint[];
  /** the series around it: the 28 days before its start to its last day */
  readonly series: readonly { date: string; value: number }[];
}

export function anomalyId(metric: string, district: string, start: string): string {
  return `${metric}|${district}|${start}`;
}

export interface NewAnomalyOptions {
  readonly detector?: DetectorOptions;
  /** only anomalies that start on or after this day (a first run need not open cases for last year) */
  readonly since?: string;
  /**
   * An anomaly counts as already reported when one of the same metric and
   * district was reported starting this many days around it (default 3): a
   * day more of data can move where a run starts by a day.
   */
  readonly toleranceDays?: number;
}

/**
 * The anomalies in `series` whose ids are not in `alreadyReported`, oldest
 * first. Flags of one series and sign no more than two days apart are one
 * anomaly; it is a shift when the detector re-based the level inside it.
 */
export function detectNewAnomalies(series: Iterable<DailyCount>, alreadyReported: Iterable<string>, options: NewAnomalyOptions = {}): Anomaly[] {
  const panels = buildPanels(series);
  const shifts = new Set<string>();
  const flags = detectInPanels(panels, options.detector ?? DEFAULT_OPTIONS, (metric, district, date) => shifts.add(anomalyId(metric, district, date)));
  const tolerance = options.toleranceDays ?? 3;
  const reported = new Map<string, number[]>();
  for (const id of alreadyReported) {
    const cut = id.lastIndexOf('|');
    const day = parseDay(id.slice(cut + 1));
    if (cut < 0 || day === undefined) continue;
    const key = id.slice(0, cut);
    reported.set(key, [...(reported.get(key) ?? []), day]);
  }
  const since = options.since === undefined ? -Infinity : dayOrThrow(options.since);
  const values = new Map<string, { first: number; values: Float64Array }>();
  for (const p of panels) p.districts.forEach((district, i) => values.set(`${p.metric}|${district}`, { first: p.firstDay, values: p.values[i]! }));

  const bySeries = new Map<string, FlaggedPoint[]>();
  for (const f of flags) {
    const key = `${f.metric}|${f.district}`;
    bySeries.set(key, [...(bySeries.get(key) ?? []), f]);
  }
  const out: Anomaly[] = [];
  for (const [key, points] of bySeries) {
    points.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    let group: FlaggedPoint[] = [];
    const close = () => {
      if (group.length === 0) return;
      const start = group[0]!.date;
      const startDay = parseDay(start)!;
      const seen = reported.get(key) ?? [];
      if (startDay >= since && !seen.some((d) => Math.abs(d - startDay) <= tolerance)) {
        const [metric, district] = [group[0]!.metric, group[0]!.district];
        const endDay = parseDay(group[group.length - 1]!.date)!;
        let kind: AnomalyKind = group.length === 1 ? 'spike' : 'burst';
        for (let d = startDay - 1; d <= endDay; d++) if (shifts.has(anomalyId(metric, district, formatDay(d)))) kind = 'shift';
        const s = values.get(key)!;
        const evidence: { date: string; value: number }[] = [];
        for (let d = Math.max(s.first, startDay - 28); d <= endDay; d++) {
          const v = s.values[d - s.first]!;
          if (!Number.isNaN(v)) evidence.push({ date: formatDay(d), value: v });
        }
        out.push({ id: anomalyId(metric, district, start), metric, district, kind, start, end: formatDay(endDay), direction: group[0]!.score > 0 ? 1 : -1, points: group, series: evidence });
      }
      group = [];
    };
    for (const p of points) {
      const last = group[group.length - 1];
      if (last !== undefined && (parseDay(p.date)! - parseDay(last.date)! > 3 || Math.sign(p.score) !== Math.sign(last.score))) close();
      group.push(p);
    }
    close();
  }
  return out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.id < b.id ? -1 : 1));
}
