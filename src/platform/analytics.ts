import { Gauge } from 'prom-client';
import type { Registry as PromRegistry } from 'prom-client';
import { SYSTEM_ACTOR } from '../core/index.js';
import { createAnalytics } from '../analytics/index.js';
import type { Analytics } from '../analytics/index.js';
import type { CitizenMessenger } from '../notify/index.js';
import type { CaseSms } from '../cases/index.js';
import type { Events } from '../events/index.js';
import { exchangeGroups } from '../exchange/index.js';
import type { ExchangeRecorder } from '../core/index.js';
import { LEAF_KIND } from '../core/index.js';
import type { AppendInput, Ledger } from '../ledger/index.js';
import { measureSms } from '../notify/index.js';
import type { Registry } from '../registry/index.js';
import type { Store } from '../store/index.js';

/** The analytics module's capabilities: its release leaves in the ledger, the events module's deliveries. */
export function createAnalyticsFor(input: { store: Store; ledger: Ledger; registry: Registry; publicUrl: string; now: () => number; events: () => Events | undefined }): Analytics {
  const { ledger } = input;
  return createAnalytics({
    db: input.store.tables(),
    dialect: input.store.dialect,
    publicUrl: input.publicUrl,
    now: input.now,
    ledger: {
      // A release holds public figures only: logged in clear, so anyone can read the digest from the log.
      append: (db, leaf) => ledger.append(db, { kind: LEAF_KIND.openDataRelease, ref: leaf.ref, at: leaf.at, record: leaf.record, clear: true }),
      receipt: (ref) => ledger.receipt(LEAF_KIND.openDataRelease, ref),
      keys: async () => ({ logVkey: ledger.vkey, witnessVkeys: (await input.registry.listWitnesses()).map((w) => w.vkey) }),
    },
    exchangeGroups: (db, query) => exchangeGroups(db, query),
    deliveries: async (after, limit) => (await input.events()?.searchDeliveries(SYSTEM_ACTOR, { after, limit }))?.deliveries ?? [],
    onError: (error) => process.emitWarning(`analytics job: ${(error as Error).message}`),
  });
}

/** The exchange's evidence row also feeds the rollups, in the same transaction. */
export function analyticsExchangeRecorder<DB>(inner: ExchangeRecorder<DB>, analytics: Analytics): ExchangeRecorder<DB> {
  return {
    async record(db, record) {
      await inner.record(db, record);
      await analytics.recordExchange(db, record);
    },
  };
}

/** The events module's ledger: an event's leaf is also its publication's fact, in the publishing transaction. */
export function analyticsEventsLedger(ledger: Ledger, analytics: () => Analytics): Pick<Ledger, 'appendAll'> {
  return {
    async appendAll(db, leaves: readonly AppendInput[]) {
      await ledger.appendAll(db, leaves);
      const published: Array<{ topic: string; publisher: string; at: number }> = [];
      for (const leaf of leaves) {
        const record = leaf.record as { topic?: unknown; publisher?: unknown };
        if (leaf.kind === LEAF_KIND.event && typeof record.topic === 'string' && typeof record.publisher === 'string') published.push({ topic: record.topic, publisher: record.publisher, at: leaf.at });
      }
      // Summed in memory: a batch publication's facts are a couple of upserts.
      if (published.length > 0) await analytics().recordPublications(db, published);
    },
  };
}

/** Counts what reaches citizens: a notice and its SMS parts, never the number or the text. */
export function countingMessenger(inner: CitizenMessenger, render: (language: 'ur' | 'en', template: string, params: Record<string, string>) => string, analytics: () => Analytics): CitizenMessenger {
  return {
    async send(mobile, language, template, params) {
      await inner.send(mobile, language, template, params);
      // Counting must never fail a message that was sent.
      await Promise.resolve()
        .then(() => analytics().recordNotice(measureSms(render(language, template, params as Record<string, string>)).parts))
        .catch(() => undefined);
    },
  };
}

export function countingCaseSms(inner: CaseSms, analytics: () => Analytics): CaseSms {
  return {
    async send(mobile, language, text) {
      await inner.send(mobile, language, text);
      await analytics().recordNotice(measureSms(text).parts).catch(() => undefined);
    },
  };
}

/** At most this many institutions get their own /metrics series; the rest are summed as `other`. */
const METRIC_MEMBERS = 50;
/** The measures /metrics splits by institution (the others are parts or copies of these). */
const HEADLINE: readonly string[] = ['exchange.call', 'event.published', 'event.delivered', 'event.dead', 'consent.requested', 'case.opened', 'case.closed', 'case.escalated'];

/**
 * /metrics gains today's figures from the rollups: events, SMS, cases and
 * exchanges by measure, and per institution, with label values bounded by the
 * measure list and the top institutions (never a subject, never a free text).
 */
export function analyticsMetrics(registry: PromRegistry, analytics: Analytics, now: () => number): void {
  const today = async () => {
    const to = now();
    return analytics.report(SYSTEM_ACTOR, { from: Math.floor(to / 86_400_000) * 86_400_000, to: to + 1 });
  };
  new Gauge({
    name: 'rabta_activity_today',
    help: 'Today’s (UTC) count of each analytics measure: exchanges, events, deliveries, dead letters, consents, cases, citizen notices',
    labelNames: ['measure'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const sums = new Map<string, number>();
      for (const r of await today()) sums.set(r.measure, (sums.get(r.measure) ?? 0) + r.n);
      for (const [measure, n] of sums) this.set({ measure }, n);
    },
  });
  new Gauge({
    name: 'rabta_institution_activity_today',
    help: `Today’s (UTC) count per institution of the headline measures (${HEADLINE.join(', ')}); the ${METRIC_MEMBERS} busiest institutions by name, the rest as other`,
    labelNames: ['member', 'measure'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const sums = new Map<string, Map<string, number>>();
      for (const r of await today()) {
        if (!r.member || !HEADLINE.includes(r.measure)) continue;
        const areas = sums.get(r.member) ?? new Map<string, number>();
        areas.set(r.measure, (areas.get(r.measure) ?? 0) + r.n);
        sums.set(r.member, areas);
      }
      const ranked = [...sums.entries()].sort((a, b) => total(b[1]) - total(a[1]) || a[0].localeCompare(b[0]));
      const other = new Map<string, number>();
      ranked.forEach(([member, areas], i) => {
        for (const [measure, n] of areas) {
          if (i < METRIC_MEMBERS) this.set({ member, measure }, n);
          else other.set(measure, (other.get(measure) ?? 0) + n);
        }
      });
      for (const [measure, n] of other) this.set({ member: 'other', measure }, n);
    },
  });
}

const total = (m: Map<string, number>) => [...m.values()].reduce((s, n) => s + n, 0);
