import { memberIdOf } from '../core/index.js';

/**
 * One countable thing that happened, as the rollups keep it: what, whose,
 * with whom, about what, where — and nothing about the person concerned.
 */
export interface Fact {
  measure: Measure;
  at: number;
  member: string;
  peer?: string;
  dimension?: string;
  district?: string;
  /** 1 when the thing succeeded (its meaning per measure is in MEASURES) */
  good?: number;
  /** a duration in ms (latency, time to approval, time to close) */
  ms?: number;
}

/** Every measure the rollups hold, with what `good` and `ms` mean for it. */
export const MEASURES = {
  'exchange.call': 'one mediated call, client member → provider member, dimension = service id; good = outcome ok; ms = duration',
  'exchange.latency': 'the call again, dimension = its latency bucket (le:N ms), for percentiles',
  'exchange.refused': 'a call refused or failed, dimension = the problem type (outcome)',
  'event.published': 'one event, publisher member, dimension = topic id',
  'event.delivered': 'one delivery, publisher member → subscriber member, dimension = topic; ms = publication → delivery',
  'event.dead': 'one dead letter, publisher member → subscriber member, dimension = topic',
  'consent.requested': 'a consent request, consumer member → provider member',
  'consent.approved': 'a request approved by the citizen, consumer → provider; ms = time to approval',
  'consent.rejected': 'a request rejected by the citizen, consumer → provider',
  'consent.revoked': 'an active consent revoked, consumer → provider',
  'consent.expired': 'a consent that expired, consumer → provider',
  'case.opened': 'a case opened, lead member (or none yet), dimension = channel, district',
  'case.joint': 'a partner on a case, lead member → partner member, dimension = category',
  'case.joint.resolved': 'a resolution on a joint case, lead → each partner; good = within the deadline',
  'case.joint.closed': 'a joint case closed after a resolution, lead → each partner; good = confirmed by the citizen',
  'case.resolved': 'a resolution proposed by the lead; good = within the deadline',
  'case.closed': 'a case closed; good = confirmed by the citizen; dimension = how (confirmed, unconfirmed, rejected, duplicate); ms = time to close',
  'case.close_time': 'a closed case again, dimension = its time-to-close bucket (le:N ms), for the median',
  'case.reopened': 'a case the citizen reopened',
  'case.escalated': 'an escalation',
  'case.rated': 'a satisfaction answer (1–5); ms holds the score',
  'citizen.notice': 'a notice sent to a citizen; good = SMS parts',
} as const;

export type Measure = keyof typeof MEASURES;

/** Upper bounds of the latency buckets, ms; the last one is open. */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000] as const;

const DAY_MS = 86_400_000;
/** Upper bounds of the time-to-close buckets: 1 day … 90 days. */
export const CLOSE_BUCKETS_MS = [1, 2, 3, 5, 7, 10, 15, 20, 30, 40, 60, 90].map((d) => d * DAY_MS);

export function latencyBucket(ms: number, bounds: readonly number[] = LATENCY_BUCKETS_MS): string {
  const bound = bounds.find((b) => ms <= b);
  return bound === undefined ? 'le:inf' : `le:${bound}`;
}

/** The exchange's evidence row, as much of it as analytics needs (no subjects, no digests). */
export interface ExchangeFactInput {
  at: number;
  client_id: string;
  service_id: string;
  outcome: string;
  duration_ms: number;
}

export function exchangeFacts(record: ExchangeFactInput): Fact[] {
  const member = memberIdOf(record.client_id);
  const peer = memberIdOf(record.service_id);
  const ok = record.outcome === 'ok';
  const facts: Fact[] = [
    { measure: 'exchange.call', at: record.at, member, peer, dimension: record.service_id, good: ok ? 1 : 0, ms: record.duration_ms },
    { measure: 'exchange.latency', at: record.at, member, peer, dimension: latencyBucket(record.duration_ms) },
  ];
  if (!ok) facts.push({ measure: 'exchange.refused', at: record.at, member, peer, dimension: record.outcome });
  return facts;
}

export function publicationFact(event: { topic: string; publisher: string; at: number }): Fact {
  return { measure: 'event.published', at: event.at, member: memberIdOf(event.publisher), dimension: event.topic };
}

export function deliveryFact(delivery: { topic: string; subscriber: string; status: string; createdAt: string; deliveredAt: string | null; deadAt: string | null }): Fact | undefined {
  const created = Date.parse(delivery.createdAt);
  const base = { member: memberIdOf(delivery.topic), peer: memberIdOf(delivery.subscriber), dimension: delivery.topic };
  if (delivery.status === 'delivered' && delivery.deliveredAt) {
    const at = Date.parse(delivery.deliveredAt);
    return { ...base, measure: 'event.delivered', at, good: 1, ms: Math.max(0, at - created) };
  }
  if (delivery.status === 'dead' && delivery.deadAt) return { ...base, measure: 'event.dead', at: Date.parse(delivery.deadAt) };
  return undefined;
}
