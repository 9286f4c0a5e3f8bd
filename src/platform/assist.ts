import { buildDailySeries, detectNewAnomalies, triageSource } from '../assist/index.js';
import type { Anomaly, CorrectionSource, NewAnomalyOptions, SeriesRecord } from '../assist/index.js';
import type { Jobs, PeriodicJob } from '../core/index.js';
import { findDistrict, grievancesOpenedBetween } from '../cases/index.js';
import type { CaseActor, Cases } from '../cases/index.js';
import { deadLettersBetween, publishedBetween } from '../events/index.js';
import { exchangeErrorsBetween } from '../exchange/index.js';
import type { Store } from '../store/index.js';

const AUTHORITY: CaseActor = { kind: 'authority', by: 'assist' };
const DETECTOR: CaseActor = { kind: 'system', by: 'assist:anomalies' };
const DAY = 86_400_000;

/** Triage officers' corrections, from the cases store, as the assist module reads them. */
export function assistCorrections(platform: { cases: Cases }): CorrectionSource {
  return triageSource((options) => platform.cases.corrections(AUTHORITY, options));
}

/** What a series is about: the institution that must look, and the category its case goes in (none: the authority triages). */
interface Concern {
  lead: string;
  category: string | null;
}

export interface AnomalyJobOptions {
  store: Store;
  cases: Cases;
  now: () => number;
  /** how many days of records each run reads (default 120: four months of baseline) */
  days?: number | undefined;
  /** the category of a case about failed withdrawals (default BANK, when the catalogue has it) */
  withdrawalCategory?: string | undefined;
  detector?: NewAnomalyOptions['detector'];
}

export interface AnomalyRun {
  /** anomalies found that had no case yet, with the case each opened */
  opened: Array<{ anomaly: string; reference: string }>;
}

/**
 * Builds daily series from the platform's own records — failed withdrawals
 * (`…/withdrawal.failed` events, by the payload's district) per publisher and
 * district, exchange errors per service, dead letters per subscription and
 * grievances per category and district — and for each new anomaly opens one
 * case for the institution concerned, with the evidence (the series and the
 * expected value) in its text. An anomaly's id is stable (metric, series,
 * first day), and the cases module keeps one case per id, so a later run —
 * or another node — never opens a second.
 */
export function createAnomalyJob(options: AnomalyJobOptions) {
  const days = options.days ?? 120;
  async function runOnce(): Promise<AnomalyRun> {
    const to = options.now();
    const from = to - days * DAY;
    const concerns = new Map<string, Concern>();
    const records = [
      ...(await withdrawalFailures(options.store, from, to, concerns, options.withdrawalCategory ?? (await hasCategory(options.cases, 'BANK')))),
      ...(await grievances(options.store, options.cases, from, to, concerns)),
      ...(await exchangeErrors(options.store, from, to, concerns)),
      ...(await deadLetters(options.store, from, to, concerns)),
    ];
    const series = buildDailySeries(records);
    const reported = await options.cases.reportedAnomalies();
    const found = detectNewAnomalies(series, reported, { ...(options.detector ? { detector: options.detector } : {}) });
    const opened: AnomalyRun['opened'] = [];
    for (const anomaly of found) {
      const concern = concerns.get(`${anomaly.metric}|${anomaly.district}`);
      if (!concern) continue;
      const summary = await options.cases.open(DETECTOR, {
        category: concern.category,
        lead: concern.lead,
        text: evidence(anomaly),
        district: findDistrict(anomaly.district) ? anomaly.district : null,
        channel: 'anomaly',
        intake: 'assist',
        anomalyId: anomaly.id,
        notifyCitizen: false,
      }).catch(async (error: unknown) => {
        // Another node opened it a moment earlier: its case stands.
        if ((await options.cases.reportedAnomalies()).includes(anomaly.id)) return undefined;
        throw error;
      });
      if (summary) opened.push({ anomaly: anomaly.id, reference: summary.reference });
    }
    return { opened };
  }
  let job: PeriodicJob | undefined;
  return {
    runOnce,
    /** one run per interval, on one node at a time (the platform's jobs report its failures) */
    start(jobs: Jobs, intervalMs: number) {
      job ??= jobs.every('assist-anomalies', intervalMs, () => options.store.dialect.tryWithLock('assist-anomalies', runOnce));
    },
    async stop() {
      await job?.stop();
      job = undefined;
    },
  };
}

export type AnomalyJob = ReturnType<typeof createAnomalyJob>;

async function hasCategory(cases: Cases, code: string): Promise<string | undefined> {
  return (await cases.getCategory(code).catch(() => undefined))?.code;
}

const memberOf = (id: string) => id.split('/').slice(0, 3).join('/');

function remember(concerns: Map<string, Concern>, metric: string, series: string, concern: Concern): void {
  if (!concerns.has(`${metric}|${series}`)) concerns.set(`${metric}|${series}`, concern);
}

// Each series' points come from the module that keeps the records (events, cases, exchange), through its interface.

/** When the withdrawal failed (the payload's `at`, as the bank reports it) and where (its district code). */
async function withdrawalFailures(store: Store, from: number, to: number, concerns: Map<string, Concern>, category: string | undefined): Promise<SeriesRecord[]> {
  const rows = await publishedBetween(store.db, '/withdrawal.failed', from - 7 * DAY, to);
  const out: SeriesRecord[] = [];
  for (const row of rows) {
    const payload = parsePayload(row.payload);
    const district = typeof payload.district === 'string' ? findDistrict(payload.district)?.code : undefined;
    if (!district) continue;
    const when = typeof payload.at === 'string' && !Number.isNaN(Date.parse(payload.at)) ? Date.parse(payload.at) : row.at;
    if (when < from || when > to) continue;
    const publisher = memberOf(row.topicId);
    const metric = `withdrawal.failed@${publisher}`;
    remember(concerns, metric, district, { lead: publisher, category: category ?? null });
    out.push({ metric, district, at: new Date(when) });
  }
  return out;
}

async function grievances(store: Store, cases: Cases, from: number, to: number, concerns: Map<string, Concern>): Promise<SeriesRecord[]> {
  const rows = await grievancesOpenedBetween(store.db, from, to);
  const leads = new Map((await cases.listCategories()).map((c) => [c.code, c.lead]));
  const out: SeriesRecord[] = [];
  for (const row of rows) {
    const lead = leads.get(row.category);
    if (!lead) continue;
    const metric = `grievance:${row.category}`;
    remember(concerns, metric, row.district, { lead, category: row.category });
    out.push({ metric, district: row.district, at: new Date(row.openedAt) });
  }
  return out;
}

/** Calls a provider failed (5xx, timeouts), per service: the provider looks. */
async function exchangeErrors(store: Store, from: number, to: number, concerns: Map<string, Concern>): Promise<SeriesRecord[]> {
  const rows = await exchangeErrorsBetween(store.db, from, to);
  return rows.map((row) => {
    remember(concerns, 'exchange.error', row.serviceId, { lead: memberOf(row.serviceId), category: null });
    return { metric: 'exchange.error', district: row.serviceId, at: new Date(row.at) };
  });
}

/** Deliveries given up on, per subscription: the subscriber's endpoint is failing. */
async function deadLetters(store: Store, from: number, to: number, concerns: Map<string, Concern>): Promise<SeriesRecord[]> {
  const rows = await deadLettersBetween(store.db, from, to);
  return rows.map((row) => {
    remember(concerns, 'event.dead-letter', row.subscriptionId, { lead: memberOf(row.subscriberId), category: null });
    return { metric: 'event.dead-letter', district: row.subscriptionId, at: new Date(row.deadAt) };
  });
}

function parsePayload(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The case's text: what was seen against what was expected, and the series around it (no personal data: counts only). */
export function evidence(anomaly: Anomaly): string {
  const peak = anomaly.points.reduce((a, b) => (Math.abs(b.score) > Math.abs(a.score) ? b : a));
  const kind = { spike: 'a one-day spike', burst: 'a burst of several days', shift: 'a level that shifted and stays' }[anomaly.kind];
  const head = `Anomaly detected (${kind}, ${anomaly.direction > 0 ? 'above' : 'below'} normal) in ${anomaly.metric} for ${anomaly.district}, ${anomaly.start}${anomaly.end !== anomaly.start ? ` to ${anomaly.end}` : ''}: ${peak.value} on ${peak.date} against ${Math.round(peak.expected * 10) / 10} expected (score ${Math.round(peak.score * 10) / 10}). Anomaly ${anomaly.id}.`;
  const flagged = `Flagged days: ${anomaly.points.map((p) => `${p.date} ${p.value} (expected ${Math.round(p.expected * 10) / 10})`).join('; ')}.`;
  const series = `Daily series: ${anomaly.series.map((s) => `${s.date.slice(5)} ${s.value}`).join(', ')}.`;
  return `${head}\n${flagged}\n${series}`.slice(0, 4000);
}
