import type { KeyObject } from 'node:crypto';
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import { PROBLEM_BASE, RabtaError, problemCodeOf } from '../core/index.js';
import type { ProblemCode, ProblemDocument } from '../core/index.js';
import { deliveryToWire, expectStatus, publishCall, pullQuery, subscriptionFromWire, subscriptionPath, topicPath } from './events-client.js';
import type { EventSubscription, PublishOptions, PublishedEvent, PublishedEvents, PullOptions, PulledPage, SubscribeInput, WireSubscription } from './events-client.js';
import { consentRequestBody, consentsQuery } from './consent-client.js';
import type { CallOptions, RabtaResponse } from './call.js';
import type { ConsentRequest, ConsentRequestInput, ListConsentsOptions } from './consent-client.js';
import { fetchInstanceKeys, keyResolverOf } from './instance-keys.js';
import { loadKeyFile } from './key-file.js';
import { privateKeyFrom } from './keys.js';
import { REQUEST_TAG } from './profile.js';
import { signRequest } from './sign.js';
import { verifyResponse } from './verify.js';

/**
 * The client institutions use to call services through Rabta: it signs every
 * request with the subsystem key, checks Rabta's response signature when it
 * knows Rabta's exchange keys, and turns Rabta's own refusals into
 * RabtaProblemError — while an upstream's error (marked `Rabta-Origin:
 * upstream`) is handed back as an ordinary response, never mistaken for Rabta's.
 * The same signed calls publish events and manage subscriptions (publish,
 * subscribe, pull, ack…; shapes in events-client.ts).
 */

export interface RabtaClientOptions {
  /** Rabta's public base URL, e.g. https://rabta.gov.pk */
  baseUrl: string;
  /** the calling subsystem, e.g. PK/BANK/HBL/branch-app */
  client: string;
  keyId: string;
  privateKey: KeyObject | string;
  /** Rabta's exchange keys; with them every response signature is checked */
  exchangeKeys?: ReadonlyMap<string, KeyObject>;
  /** seconds a request signature stays valid; default 60 */
  expiresIn?: number;
  dispatcher?: Dispatcher;
}

export type { CallOptions, RabtaResponse } from './call.js';

/** A refusal by Rabta itself, as an RFC 9457 problem of Rabta's problem types. */
export class RabtaProblemError extends Error {
  override name = 'RabtaProblemError';
  /** undefined only when the server knows a problem type this SDK version does not */
  readonly code: ProblemCode | undefined;
  readonly status: number;
  readonly detail: string | undefined;
  readonly problem: ProblemDocument;
  readonly exchangeId: string | undefined;
  readonly responseVerified: boolean;

  constructor(problem: ProblemDocument, status: number, exchangeId: string | undefined, responseVerified: boolean) {
    super(`${problem.title}${problem.detail ? `: ${problem.detail}` : ''} (${problem.type})`);
    this.code = problemCodeOf(problem.type);
    this.status = status;
    this.detail = problem.detail;
    this.problem = problem;
    this.exchangeId = exchangeId;
    this.responseVerified = responseVerified;
  }
}

/** Set by the SDK from the call's options; a caller-supplied copy would contradict the signature. */
const RESERVED = /^(rabta-.*|signature|signature-input|content-digest|content-length|host|transfer-encoding)$/i;

function flatHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

function rabtaProblem(headers: Record<string, string>, body: Uint8Array): ProblemDocument | undefined {
  if (!/^application\/problem\+json\s*(;|$)/i.test(headers['content-type'] ?? '')) return undefined;
  try {
    const doc = JSON.parse(Buffer.from(body).toString('utf8')) as ProblemDocument;
    return typeof doc?.type === 'string' && doc.type.startsWith(PROBLEM_BASE) ? doc : undefined;
  } catch {
    return undefined;
  }
}

export class RabtaClient {
  private readonly privateKey: KeyObject;
  private readonly baseUrl: string;

  constructor(private readonly options: RabtaClientOptions) {
    this.privateKey = privateKeyFrom(options.privateKey);
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /**
   * One signed call. Rabta signs its answers on the exchange (/x/…) only, so a
   * response signature is required there and checked when present elsewhere
   * (/consents, /events, /subscriptions answer unsigned).
   */
  async call(call: CallOptions): Promise<RabtaResponse> {
    return this.send(call, call.path.startsWith('/x/') ? 'required' : 'if-present');
  }

  /** Asks a citizen for consent; they are told by SMS (or see it on the portal) and answer there. */
  async requestConsent(input: ConsentRequestInput): Promise<ConsentRequest> {
    const call = { method: 'POST', path: '/consents', json: consentRequestBody(input), signal: input.signal };
    return expectStatus(await this.send(call, 'if-present'), call, 201).json<ConsentRequest>();
  }

  /** One of this subsystem's consent requests, with its current status. */
  async getConsent(id: string, signal?: AbortSignal): Promise<ConsentRequest> {
    const call = { path: `/consents/${encodeURIComponent(id)}`, signal };
    return expectStatus(await this.send(call, 'if-present'), call, 200).json<ConsentRequest>();
  }

  /** This subsystem's consent requests, newest first. */
  async listConsents(options: ListConsentsOptions = {}): Promise<ConsentRequest[]> {
    const call = { path: `/consents${consentsQuery(options)}`, signal: options.signal };
    return expectStatus(await this.send(call, 'if-present'), call, 200).json<ConsentRequest[]>();
  }

  /**
   * Publishes an event to one of this subsystem's topics. `payload` is a JSON
   * value, or a Uint8Array holding JSON text sent as is (numbers beyond 2^53
   * stay exact). `created` is false when the Idempotency-Key named an earlier
   * publication of the same body.
   */
  async publish(topicId: string, payload: unknown, options: PublishOptions = {}): Promise<PublishedEvent> {
    const call = publishCall(topicPath(topicId), payload, options);
    const response = expectStatus(await this.events(call), call, 200, 201);
    return { id: response.json<{ id: string }>().id, created: response.status === 201 };
  }

  /** Publishes several events to one topic at once: all are accepted, or none (the problem lists the rows at fault). */
  async publishBatch(topicId: string, payloads: readonly unknown[], options: PublishOptions = {}): Promise<PublishedEvents> {
    const call = publishCall(topicPath(topicId, '/batch'), { events: payloads }, options);
    const answer = expectStatus(await this.events(call), call, 200, 201).json<{ events: Array<{ id: string }>; created: boolean }>();
    return { ids: answer.events.map((event) => event.id), created: answer.created };
  }

  /** Subscribes this subsystem to a topic it has an access right on; a webhook subscription's answer carries its secret, this once. */
  async subscribe(input: SubscribeInput, signal?: AbortSignal): Promise<EventSubscription> {
    const call = { method: 'POST', path: '/subscriptions', json: { topic: input.topic, delivery: deliveryToWire(input.delivery), filter: input.filter }, signal };
    return subscriptionFromWire(expectStatus(await this.events(call), call, 201).json());
  }

  /** This subsystem's subscriptions (without secrets). */
  async subscriptions(signal?: AbortSignal): Promise<EventSubscription[]> {
    const call = { path: '/subscriptions', signal };
    return expectStatus(await this.events(call), call, 200).json<WireSubscription[]>().map(subscriptionFromWire);
  }

  /** The next events of a pull subscription; nothing moves until `ack`. */
  async pull<T = unknown>(subscriptionId: string, options: PullOptions = {}): Promise<PulledPage<T>> {
    const call = { path: subscriptionPath(subscriptionId, `/events${pullQuery(options)}`), signal: options.signal };
    return expectStatus(await this.events(call), call, 200).json();
  }

  /** Acknowledges every event up to and including `cursor`; answers the subscription's position, which never moves back. */
  async ack(subscriptionId: string, cursor: string, signal?: AbortSignal): Promise<string> {
    const call = { method: 'POST', path: subscriptionPath(subscriptionId, '/ack'), json: { cursor }, signal };
    return expectStatus(await this.events(call), call, 200).json<{ cursor: string }>().cursor;
  }

  /** Ends a subscription; what still waited for it is cancelled. */
  async unsubscribe(subscriptionId: string, signal?: AbortSignal): Promise<void> {
    const call = { method: 'DELETE', path: subscriptionPath(subscriptionId), signal };
    expectStatus(await this.events(call), call, 204);
  }

  /** Rabta signs the exchange's answers only; its events API answers unsigned, so a signature is checked when present, not demanded. */
  private events(call: CallOptions): Promise<RabtaResponse> {
    return this.send(call, 'if-present');
  }

  private async send(call: CallOptions, responseSignature: 'required' | 'if-present'): Promise<RabtaResponse> {
    if (!call.path.startsWith('/')) throw new TypeError('path must start with /, e.g. /x/PK/GOV/BISP/payments/…');
    // Sign exactly the URL undici will send: the WHATWG parser normalizes it the same way for both.
    const url = new URL(this.baseUrl + call.path);
    const method = (call.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(call.headers ?? {})) {
      if (RESERVED.test(name)) throw new TypeError(`the ${name} header is set by the SDK (use purpose, subject, body or json)`);
      headers[name.toLowerCase()] = value;
    }
    let body = typeof call.body === 'string' ? Buffer.from(call.body) : call.body;
    if (call.json !== undefined) {
      body = Buffer.from(JSON.stringify(call.json));
      headers['content-type'] ??= 'application/json';
    }
    headers['rabta-client'] = this.options.client;
    if (call.purpose !== undefined) headers['rabta-purpose'] = call.purpose;
    if (call.subject !== undefined) headers['rabta-subject'] = call.subject;
    const signed = await signRequest({
      method,
      targetUri: url.href,
      headers,
      body,
      keyId: this.options.keyId,
      privateKey: this.privateKey,
      tag: REQUEST_TAG,
      expiresIn: this.options.expiresIn,
    });
    Object.assign(headers, signed);
    const hasBody = body !== undefined && body.byteLength > 0;
    const response = await request(url, {
      method: method as Dispatcher.HttpMethod,
      headers,
      body: hasBody ? body : undefined,
      signal: call.signal,
      dispatcher: this.options.dispatcher,
    });
    const bytes = new Uint8Array(await response.body.arrayBuffer());
    return this.answer(response.statusCode, flatHeaders(response.headers), bytes, signed.signature, responseSignature);
  }

  private async answer(status: number, headers: Record<string, string>, body: Uint8Array, requestSignature: string, responseSignature: 'required' | 'if-present'): Promise<RabtaResponse> {
    const origin = headers['rabta-origin'] === 'upstream' ? 'upstream' : 'rabta';
    const problem = origin === 'rabta' ? rabtaProblem(headers, body) : undefined;
    const exchangeId = headers['rabta-exchange-id'];
    let verified = false;
    // Refusals before authentication cannot be bound to a request signature, so an unsigned problem is accepted as such.
    const signed = headers['signature'] !== undefined;
    if (this.options.exchangeKeys && (signed || (!problem && responseSignature === 'required'))) {
      try {
        await verifyResponse({ status, headers, body, request: { signature: requestSignature }, resolveKey: keyResolverOf(this.options.exchangeKeys) });
      } catch (error) {
        if (!(error instanceof RabtaError)) throw error;
        throw new RabtaError(error.code, `Rabta's response signature: ${error.message}`, { cause: error, extensions: { status } });
      }
      verified = true;
    }
    if (problem) throw new RabtaProblemError(problem, status, exchangeId, verified);
    return {
      status,
      headers,
      body,
      json: <T>() => JSON.parse(Buffer.from(body).toString('utf8')) as T,
      text: () => Buffer.from(body).toString('utf8'),
      exchangeId,
      origin,
      responseVerified: verified,
    };
  }
}

/**
 * A client from a demo key file. Rabta's exchange keys are read from its
 * well-known document so that responses are verified; pass
 * `{ verifyResponses: false }` to skip that (e.g. against an instance without it).
 */
export async function fromKeyFile(path: string, baseUrl: string, options: { verifyResponses?: boolean } = {}): Promise<RabtaClient> {
  const file = await loadKeyFile(path);
  const exchangeKeys = options.verifyResponses === false ? undefined : await fetchInstanceKeys(baseUrl);
  return new RabtaClient({ baseUrl, client: file.client, keyId: file.keyId, privateKey: file.privateKey, exchangeKeys });
}
