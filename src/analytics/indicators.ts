import { percentileOf } from './histogram.js';
import type { RollupRow } from './tables.js';

export type Unit = 'count' | 'percent' | 'ms' | 'score';

/** An indicator, defined once: what it says, in which unit, and how it is computed from the rollups. */
export interface IndicatorDefinition {
  id: string;
  area: 'exchange' | 'events' | 'consent' | 'cases' | 'citizens';
  title: string;
  description: string;
  unit: Unit;
  /** the measures it reads (see facts.ts) */
  measures: readonly string[];
  compute(rows: readonly RollupRow[]): IndicatorValue;
}

export interface IndicatorValue {
  value: number | null;
  /** the counts the value rests on: a rate is withheld from open data when either is 1–9 */
  basis?: { numerator: number; denominator: number };
  /** a count split by one dimension (refusals by problem type, cases by channel) */
  breakdown?: Record<string, number>;
}

const of = (rows: readonly RollupRow[], measure: string) => rows.filter((r) => r.measure === measure);
const sumN = (rows: readonly RollupRow[]) => rows.reduce((s, r) => s + r.n, 0);
const sumGood = (rows: readonly RollupRow[]) => rows.reduce((s, r) => s + r.good, 0);
const sumMs = (rows: readonly RollupRow[]) => rows.reduce((s, r) => s + r.ms, 0);

function count(measure: string): (rows: readonly RollupRow[]) => IndicatorValue {
  return (rows) => ({ value: sumN(of(rows, measure)) });
}

function byDimension(measure: string): (rows: readonly RollupRow[]) => IndicatorValue {
  return (rows) => {
    const breakdown: Record<string, number> = {};
    for (const r of of(rows, measure)) breakdown[r.dimension || 'unknown'] = (breakdown[r.dimension || 'unknown'] ?? 0) + r.n;
    return { value: sumN(of(rows, measure)), breakdown };
  };
}

/** A count split by the pair's other institution (consents: by provider). */
function byProvider(measure: string): (rows: readonly RollupRow[]) => IndicatorValue {
  return (rows) => {
    const breakdown: Record<string, number> = {};
    for (const r of of(rows, measure)) breakdown[r.peer || 'unknown'] = (breakdown[r.peer || 'unknown'] ?? 0) + r.n;
    return { value: sumN(of(rows, measure)), breakdown };
  };
}

/** good / n of a measure, as a percentage with one decimal. */
function share(measure: string, filter: (r: RollupRow) => boolean = () => true): (rows: readonly RollupRow[]) => IndicatorValue {
  return (rows) => {
    const selected = of(rows, measure).filter(filter);
    const denominator = sumN(selected);
    const numerator = sumGood(selected);
    return { value: denominator === 0 ? null : Math.round((1000 * numerator) / denominator) / 10, basis: { numerator, denominator } };
  };
}

function meanMs(measure: string): (rows: readonly RollupRow[]) => IndicatorValue {
  return (rows) => {
    const selected = of(rows, measure).filter((r) => r.good > 0 || r.ms > 0);
    const n = measure === 'consent.approved' || measure === 'event.delivered' ? sumGood(selected) : sumN(selected);
    return { value: n === 0 ? null : Math.round(sumMs(selected) / n) };
  };
}

function percentile(measure: string, p: number): (rows: readonly RollupRow[]) => IndicatorValue {
  return (rows) => {
    const buckets = new Map<string, number>();
    for (const r of of(rows, measure)) buckets.set(r.dimension, (buckets.get(r.dimension) ?? 0) + r.n);
    return { value: percentileOf(buckets, p) };
  };
}

/** The reopened share: reopenings per resolution proposed. */
function reopenedShare(rows: readonly RollupRow[]): IndicatorValue {
  const numerator = sumN(of(rows, 'case.reopened'));
  const denominator = sumN(of(rows, 'case.resolved'));
  return { value: denominator === 0 ? null : Math.round((1000 * numerator) / denominator) / 10, basis: { numerator, denominator } };
}

function meanScore(rows: readonly RollupRow[]): IndicatorValue {
  const rated = of(rows, 'case.rated');
  const n = sumN(rated);
  return { value: n === 0 ? null : Math.round((10 * sumMs(rated)) / n) / 10 };
}

function medianTimeToClose(rows: readonly RollupRow[]): IndicatorValue {
  const buckets = new Map<string, number>();
  for (const r of of(rows, 'case.close_time')) buckets.set(r.dimension, (buckets.get(r.dimension) ?? 0) + r.n);
  return { value: percentileOf(buckets, 0.5) };
}

const ind = (d: IndicatorDefinition) => d;

/** Every indicator Rabta publishes; the dashboard, the API and open data read this one list. */
export const INDICATORS: readonly IndicatorDefinition[] = [
  ind({ id: 'exchange.calls', area: 'exchange', title: 'Exchanges', description: 'Authenticated calls mediated between institutions.', unit: 'count', measures: ['exchange.call'], compute: count('exchange.call') }),
  ind({ id: 'exchange.success_rate', area: 'exchange', title: 'Exchange success rate', description: 'Share of authenticated calls whose outcome was ok (the provider answered below 400).', unit: 'percent', measures: ['exchange.call'], compute: share('exchange.call') }),
  ind({ id: 'exchange.refusals', area: 'exchange', title: 'Refusals and failures by problem type', description: 'Authenticated calls that did not succeed, by problem type (forbidden, no-legal-basis, upstream-error, …).', unit: 'count', measures: ['exchange.refused'], compute: byDimension('exchange.refused') }),
  ind({ id: 'exchange.latency_p50', area: 'exchange', title: 'Exchange latency, median', description: 'Median time from request to signed reply, as the upper bound of its latency bucket.', unit: 'ms', measures: ['exchange.latency'], compute: percentile('exchange.latency', 0.5) }),
  ind({ id: 'exchange.latency_p95', area: 'exchange', title: 'Exchange latency, 95th percentile', description: '95th percentile of the time from request to signed reply (bucket upper bound).', unit: 'ms', measures: ['exchange.latency'], compute: percentile('exchange.latency', 0.95) }),
  ind({ id: 'events.published', area: 'events', title: 'Events published', description: 'Events accepted on institutions’ topics.', unit: 'count', measures: ['event.published'], compute: count('event.published') }),
  ind({ id: 'events.delivered', area: 'events', title: 'Deliveries', description: 'Deliveries of events to subscribers that succeeded.', unit: 'count', measures: ['event.delivered'], compute: count('event.delivered') }),
  ind({ id: 'events.dead_letters', area: 'events', title: 'Dead letters', description: 'Deliveries given up after every retry.', unit: 'count', measures: ['event.dead'], compute: count('event.dead') }),
  ind({ id: 'events.delivery_latency_mean', area: 'events', title: 'Publication to delivery', description: 'Mean time from publication to successful delivery.', unit: 'ms', measures: ['event.delivered'], compute: meanMs('event.delivered') }),
  ind({ id: 'consent.requested', area: 'consent', title: 'Consent requests', description: 'Consent artefacts requested by institutions; the breakdown is by provider (the institution whose data the consent is for).', unit: 'count', measures: ['consent.requested'], compute: byProvider('consent.requested') }),
  ind({ id: 'consent.approved', area: 'consent', title: 'Consents approved', description: 'Requests the citizen approved; the breakdown is by provider (the institution whose data the consent is for).', unit: 'count', measures: ['consent.approved'], compute: byProvider('consent.approved') }),
  ind({ id: 'consent.rejected', area: 'consent', title: 'Consents rejected', description: 'Requests the citizen rejected; the breakdown is by provider (the institution whose data the consent is for).', unit: 'count', measures: ['consent.rejected'], compute: byProvider('consent.rejected') }),
  ind({ id: 'consent.revoked', area: 'consent', title: 'Consents revoked', description: 'Active consents the citizen revoked; the breakdown is by provider (the institution whose data the consent is for).', unit: 'count', measures: ['consent.revoked'], compute: byProvider('consent.revoked') }),
  ind({ id: 'consent.time_to_approval_mean', area: 'consent', title: 'Time to approval', description: 'Mean time from request to the citizen’s approval.', unit: 'ms', measures: ['consent.approved'], compute: meanMs('consent.approved') }),
  ind({ id: 'cases.opened', area: 'cases', title: 'Cases opened by channel', description: 'Cases and grievances opened, by intake channel (open311, sms, signed, portal, rule, admin).', unit: 'count', measures: ['case.opened'], compute: byDimension('case.opened') }),
  ind({ id: 'cases.resolved_in_time', area: 'cases', title: 'Resolved within deadline', description: 'Share of proposed resolutions made before the case’s resolution deadline.', unit: 'percent', measures: ['case.resolved'], compute: share('case.resolved') }),
  ind({ id: 'cases.confirmed', area: 'cases', title: 'Confirmed by the citizen', description: 'Share of closed cases (excluding rejected and duplicates) whose citizen confirmed the resolution; silence counts as not confirmed.', unit: 'percent', measures: ['case.closed'], compute: share('case.closed', (r) => r.dimension === 'confirmed' || r.dimension === 'unconfirmed') }),
  ind({ id: 'cases.reopened', area: 'cases', title: 'Reopened', description: 'Reopenings by the citizen per resolution proposed.', unit: 'percent', measures: ['case.reopened', 'case.resolved'], compute: reopenedShare }),
  ind({ id: 'cases.satisfaction', area: 'cases', title: 'Satisfaction', description: 'Mean of the citizens’ 1–5 satisfaction answers on closing.', unit: 'score', measures: ['case.rated'], compute: meanScore }),
  ind({ id: 'cases.escalations', area: 'cases', title: 'Escalations', description: 'Escalations of cases and overdue tasks.', unit: 'count', measures: ['case.escalated'], compute: count('case.escalated') }),
  ind({ id: 'cases.time_to_close_median', area: 'cases', title: 'Median time to close', description: 'Median time from opening to closing (bucket upper bound).', unit: 'ms', measures: ['case.close_time'], compute: medianTimeToClose }),
  ind({ id: 'citizens.notices', area: 'citizens', title: 'Notices sent', description: 'SMS notices sent to citizens.', unit: 'count', measures: ['citizen.notice'], compute: count('citizen.notice') }),
  ind({ id: 'citizens.sms_parts', area: 'citizens', title: 'SMS parts', description: 'SMS parts sent (what the operator is billed for).', unit: 'count', measures: ['citizen.notice'], compute: (rows) => ({ value: sumGood(of(rows, 'citizen.notice')) }) }),
];

export interface IndicatorResult {
  id: string;
  area: IndicatorDefinition['area'];
  title: string;
  description: string;
  unit: Unit;
  value: number | null;
  basis?: IndicatorValue['basis'];
  breakdown?: Record<string, number>;
}

export function computeIndicators(rows: readonly RollupRow[]): IndicatorResult[] {
  return INDICATORS.map((d) => ({ id: d.id, area: d.area, title: d.title, description: d.description, unit: d.unit, ...d.compute(rows) }));
}
