import type { CallOptions, RabtaResponse } from './call.js';

/**
 * The shapes of the signed events API (POST /events/{topic id}, /subscriptions…)
 * as the SDK presents them, and the translation to and from the wire. The
 * methods themselves are on RabtaClient.
 */

export interface PublishOptions {
  /** Rabta-Purpose: required for a personal topic */
  purpose?: string;
  /** makes a retry safe: the same key and body answer with the original event, delivered once */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface PublishedEvent {
  /** the event id (UUIDv7), also the `webhook-id` of its deliveries */
  id: string;
  /** false when the Idempotency-Key named an earlier publication */
  created: boolean;
}

export interface PublishedEvents {
  /** in the order the payloads were given */
  ids: string[];
  created: boolean;
}

export type SubscriptionDelivery = { kind: 'webhook'; url: string } | { kind: 'pull' };

/** field path → value; only events whose every named field equals its value are delivered */
export type EventFilter = Record<string, string | number | boolean | null>;

export interface SubscribeInput {
  /** the topic id, e.g. PK/BANK/HBL/disbursement/payment.credited */
  topic: string;
  delivery: SubscriptionDelivery;
  filter?: EventFilter;
}

export interface EventSubscription {
  id: string;
  topic: string;
  subscriber: string;
  delivery: SubscriptionDelivery;
  filter: EventFilter | null;
  status: 'active' | 'disabled' | 'deleted';
  disabledAt: string | null;
  disabledReason: string | null;
  lastSuccessAt: string | null;
  createdAt: string;
  /** a webhook subscription's Standard Webhooks secret (whsec_…), only in subscribe's answer: keep it, verify with it */
  secret?: string;
}

export interface PullOptions {
  /** a cursor from an earlier pull; without it, reading continues after the last acknowledged one */
  after?: string;
  /** 1 to 1000; the server's default is 100 */
  limit?: number;
  signal?: AbortSignal;
}

export interface PulledEvent<T = unknown> {
  /** acknowledge it once this event and all before it are processed */
  cursor: string;
  id: string;
  /** the topic id */
  type: string;
  timestamp: string;
  data: T;
}

export interface PulledPage<T = unknown> {
  events: PulledEvent<T>[];
  /** the cursor after the last event here: `after` for the next pull, or what to acknowledge */
  next: string;
}

type WireDelivery = { webhook: string } | { pull: true };
export type WireSubscription = Omit<EventSubscription, 'delivery'> & { delivery: WireDelivery };

/** Topic ids are paths of codes; each segment is escaped, so a stray character cannot change the route. */
export function topicPath(topicId: string, suffix = ''): string {
  return `/events/${topicId.split('/').map(encodeURIComponent).join('/')}${suffix}`;
}

export function subscriptionPath(id: string, suffix = ''): string {
  return `/subscriptions/${encodeURIComponent(id)}${suffix}`;
}

/** A publication as a call: a Uint8Array is sent as the JSON text it holds, so numbers beyond 2^53 stay exact. */
export function publishCall(path: string, body: unknown, options: PublishOptions): CallOptions {
  const headers: Record<string, string> = {};
  if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
  const raw = body instanceof Uint8Array;
  if (raw) headers['content-type'] = 'application/json';
  return { method: 'POST', path, headers, ...(raw ? { body } : { json: body }), purpose: options.purpose, signal: options.signal };
}

export function deliveryToWire(delivery: SubscriptionDelivery): WireDelivery {
  return delivery.kind === 'webhook' ? { webhook: delivery.url } : { pull: true };
}

export function subscriptionFromWire(wire: WireSubscription): EventSubscription {
  return { ...wire, delivery: 'webhook' in wire.delivery ? { kind: 'webhook', url: wire.delivery.webhook } : { kind: 'pull' } };
}

export function pullQuery(options: PullOptions): string {
  const query = new URLSearchParams();
  if (options.after !== undefined) query.set('after', options.after);
  if (options.limit !== undefined) query.set('limit', String(options.limit));
  const text = query.toString();
  return text ? `?${text}` : '';
}

/**
 * Rabta's refusals already arrived as RabtaProblemError; anything else that is
 * not the status expected (a proxy's 502 page, say) is no answer of this API.
 */
export function expectStatus(response: RabtaResponse, call: CallOptions, ...statuses: number[]): RabtaResponse {
  if (!statuses.includes(response.status)) {
    throw new Error(`${call.method ?? 'GET'} ${call.path}: expected ${statuses.join(' or ')}, got ${response.status} ${response.text().slice(0, 200)}`);
  }
  return response;
}
