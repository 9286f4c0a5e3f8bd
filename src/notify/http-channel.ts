import { createHmac, timingSafeEqual } from 'node:crypto';
import { RabtaError } from '../core/index.js';
import { encodeSms } from './encoding.js';
import { assertE164, maskPhone } from './phone.js';
import { statusOfStat } from './receipt.js';
import { silentLogger } from './types.js';
import type { DeliveryReceipt, DeliveryStatus, InboundHandler, NotifyLogger, OutboundSms, ReceiptHandler, SendResult, SmsChannel } from './types.js';

/**
 * SMS through an HTTP gateway (an aggregator's REST API, or a telco's).
 *
 * Out: POST {to, text, reference} as JSON to the configured URL through the
 * fetch the platform injects (which applies the egress policy).
 *
 * In: the gateway POSTs citizens' messages ({from, text}) and delivery
 * receipts ({messageId, status}) to Rabta, signed:
 *   x-rabta-sms-timestamp: <unix seconds>
 *   x-rabta-sms-signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">
 * The timestamp is inside the MAC, else anyone who saw one request could
 * replay its body forever under a fresh timestamp. Requests older or newer
 * than five minutes are refused, and a signature already accepted is not
 * acted on twice.
 */

export const TIMESTAMP_HEADER = 'x-rabta-sms-timestamp';
export const SIGNATURE_HEADER = 'x-rabta-sms-signature';

export interface FetchInit {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}

export interface FetchResponse {
  status: number;
  text(): Promise<string>;
}

/** The global fetch fits; so does the platform's egress-checked one. */
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponse>;

export type InboundHeaders = Headers | Record<string, string | string[] | undefined>;

export interface HttpChannelOptions {
  /** where messages are POSTed */
  url: string;
  fetch: FetchLike;
  /** shared secret(s) the gateway signs inbound requests with; several while one is being replaced */
  inboundSecret: string | readonly string[];
  /** if set, outbound requests are signed the same way, so the gateway can tell they come from Rabta */
  outboundSecret?: string;
  /** extra headers on outbound requests, e.g. the gateway's API key */
  headers?: Record<string, string>;
  /** default 10 s */
  timeoutMs?: number;
  /** default 5 min */
  toleranceMs?: number;
  /** default 10 */
  maxParts?: number;
  logger?: NotifyLogger;
  now?: () => number;
}

export interface HttpChannel extends SmsChannel {
  onDeliveryReceipt(handler: ReceiptHandler): void;
  /** Authenticates and acts on one request from the gateway; throws RabtaError (unauthorized, bad-request, unavailable). */
  handleInbound(headers: InboundHeaders, rawBody: string | Buffer): Promise<void>;
}

const MAX_INBOUND_BYTES = 64 * 1024;
const DELIVERY_STATUSES = new Set<DeliveryStatus>(['delivered', 'expired', 'deleted', 'undeliverable', 'accepted', 'rejected', 'enroute', 'unknown']);

/** The signature header value for a body at a time; gateways (and tests) sign with this. */
export function signSmsRequest(secret: string, timestampSeconds: number | string, rawBody: string | Buffer): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.`).update(rawBody).digest('hex');
  return `sha256=${mac}`;
}

function headerValue(headers: InboundHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : value;
}

function sameSignature(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function messageIdsOf(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as { messageIds?: unknown; messageId?: unknown; id?: unknown };
    if (Array.isArray(parsed.messageIds)) return parsed.messageIds.map(String);
    if (typeof parsed.messageId === 'string' || typeof parsed.messageId === 'number') return [String(parsed.messageId)];
    if (typeof parsed.id === 'string' || typeof parsed.id === 'number') return [String(parsed.id)];
  } catch {
    // A gateway that answers 2xx with no JSON has still accepted the message.
  }
  return [];
}

export function createHttpChannel(options: HttpChannelOptions): HttpChannel {
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const toleranceMs = options.toleranceMs ?? 5 * 60_000;
  const secrets = typeof options.inboundSecret === 'string' ? [options.inboundSecret] : [...options.inboundSecret];
  if (secrets.length === 0 || secrets.some((s) => s.length < 16)) throw new Error('The SMS gateway secret must be at least 16 characters');
  /** signatures acted on (or being acted on), with when they may be forgotten */
  const seen = new Map<string, number>();
  let inboundHandler: InboundHandler | undefined;
  let receiptHandler: ReceiptHandler | undefined;
  let closed = false;

  function forgetOld(at: number): void {
    for (const [signature, until] of seen) {
      if (until > at) break; // insertion order is expiry order
      seen.delete(signature);
    }
  }

  async function send(message: OutboundSms): Promise<SendResult> {
    assertE164(message.to);
    if (closed) throw new RabtaError('unavailable', 'The HTTP SMS channel is closed; the message was not sent');
    let measured;
    try {
      measured = encodeSms(message.text, { reference: 0, maxParts: options.maxParts ?? 10 });
    } catch (error) {
      throw new RabtaError('bad-request', (error as Error).message);
    }
    const body = JSON.stringify({ to: message.to, text: message.text, ...(message.reference === undefined ? {} : { reference: message.reference }) });
    const headers: Record<string, string> = { ...options.headers, 'content-type': 'application/json' };
    if (options.outboundSecret) {
      const timestamp = Math.floor(now() / 1000);
      headers[TIMESTAMP_HEADER] = String(timestamp);
      headers[SIGNATURE_HEADER] = signSmsRequest(options.outboundSecret, timestamp, body);
    }
    let response: FetchResponse;
    let responseBody: string;
    const timeoutMs = options.timeoutMs ?? 10_000;
    try {
      response = await options.fetch(options.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      responseBody = await response.text();
    } catch (error) {
      if (error instanceof RabtaError) throw error;
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new RabtaError('upstream-timeout', `The SMS gateway did not answer within ${timeoutMs} ms; the message may or may not be sent`, { cause: error });
      }
      throw new RabtaError('upstream-unreachable', `The SMS gateway cannot be reached: ${(error as Error).message}`, { cause: error });
    }
    if (response.status < 200 || response.status > 299) {
      logger.warn({ to: maskPhone(message.to), status: response.status }, 'SMS gateway refused a message');
      throw new RabtaError('upstream-unreachable', `The SMS gateway answered ${response.status}; the message was not sent`, { extensions: { gatewayStatus: response.status } });
    }
    return { messageIds: messageIdsOf(responseBody), parts: measured.parts.length, encoding: measured.encoding };
  }

  async function handleInbound(headers: InboundHeaders, rawBody: string | Buffer): Promise<void> {
    const body = typeof rawBody === 'string' ? Buffer.from(rawBody) : rawBody;
    if (body.length > MAX_INBOUND_BYTES) throw new RabtaError('body-too-large', 'An SMS gateway request is at most 64 KiB');
    const timestamp = headerValue(headers, TIMESTAMP_HEADER);
    const signature = headerValue(headers, SIGNATURE_HEADER);
    if (!timestamp || !signature) throw new RabtaError('unauthorized', `The SMS gateway must sign with ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER}`);
    const at = now();
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(at - Number(timestamp) * 1000) > toleranceMs) {
      throw new RabtaError('unauthorized', 'The SMS gateway request is too old or from the future (more than 5 minutes)');
    }
    if (!secrets.some((secret) => sameSignature(signature, signSmsRequest(secret, timestamp, body)))) {
      throw new RabtaError('unauthorized', 'The SMS gateway signature does not verify');
    }
    forgetOld(at);
    if (seen.has(signature)) return; // a retry of a request already acted on
    let parsed: Record<string, unknown>;
    try {
      const value: unknown = JSON.parse(body.toString('utf8'));
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
      parsed = value as Record<string, unknown>;
    } catch {
      throw new RabtaError('malformed-json', 'The SMS gateway request is not a JSON object');
    }
    seen.set(signature, at + toleranceMs);
    try {
      if (typeof parsed.messageId === 'string' && typeof parsed.status === 'string') await onReceipt(parsed, at);
      else await onMessage(parsed, at);
    } catch (error) {
      seen.delete(signature); // not acted on: the gateway's retry must be let through
      throw error;
    }
  }

  async function onMessage(parsed: Record<string, unknown>, at: number): Promise<void> {
    const { from, text } = parsed;
    if (typeof from !== 'string' || from === '' || typeof text !== 'string') {
      throw new RabtaError('bad-request', 'An inbound SMS needs "from" and "text" strings');
    }
    if (!inboundHandler) throw new RabtaError('unavailable', 'Inbound SMS are not handled yet; try again later');
    const receivedAt = typeof parsed.receivedAt === 'number' && Number.isFinite(parsed.receivedAt) ? parsed.receivedAt : at;
    logger.info({ from: maskPhone(from) }, 'SMS received');
    await inboundHandler({ from, text, receivedAt });
  }

  async function onReceipt(parsed: Record<string, unknown>, at: number): Promise<void> {
    const stat = String(parsed.status);
    const lower = stat.toLowerCase() as DeliveryStatus;
    const receipt: DeliveryReceipt = {
      messageId: String(parsed.messageId),
      status: DELIVERY_STATUSES.has(lower) ? lower : statusOfStat(stat),
      stat: stat.toUpperCase(),
      receivedAt: at,
    };
    if (typeof parsed.errorCode === 'string' || typeof parsed.errorCode === 'number') receipt.errorCode = String(parsed.errorCode);
    if (typeof parsed.reference === 'string') receipt.reference = parsed.reference;
    if (receiptHandler) await receiptHandler(receipt);
  }

  return {
    send,
    handleInbound,
    onInbound(handler) {
      if (inboundHandler) throw new Error('This SMS channel already has its inbound handler');
      inboundHandler = handler;
    },
    onDeliveryReceipt(handler) {
      if (receiptHandler) throw new Error('This SMS channel already has its delivery receipt handler');
      receiptHandler = handler;
    },
    async close() {
      closed = true;
    },
  };
}
