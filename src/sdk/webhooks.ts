import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { RabtaError } from '../core/index.js';
import { headerOf } from './profile.js';
import type { HeaderBag } from './profile.js';
import { readBody } from './provider-http.js';

/**
 * The receiving side of Rabta's webhooks, which follow Standard Webhooks
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md):
 * an HMAC-SHA256 over `webhook-id.webhook-timestamp.body`, keyed with the
 * subscription's `whsec_` secret, sent as a space-separated list of `v1,<base64>`.
 * Written with node:crypto alone so a receiver needs nothing else and the SDK
 * pulls in no pure-JavaScript HMAC; webhooks.test.ts checks this against the
 * standardwebhooks package.
 */

export type WebhookErrorCode =
  | 'webhook-headers-missing'
  | 'webhook-headers-invalid'
  | 'webhook-timestamp-out-of-range'
  | 'webhook-signature-invalid'
  | 'webhook-secret-invalid'
  | 'webhook-payload-invalid';

/** Why a delivery was not accepted; `code` is stable, the message is for people. */
export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
  constructor(
    readonly code: WebhookErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The Standard Webhooks payload Rabta sends: `type` is the topic id, `timestamp` the time of publication. */
export interface WebhookEnvelope<T = unknown> {
  type: string;
  timestamp: string;
  data: T;
}

export interface VerifiedWebhook<T = unknown> {
  /** `webhook-id`: the event id, the same on every attempt — the key to drop duplicates by */
  id: string;
  /** `webhook-timestamp`: when this attempt was signed, in Unix seconds (each retry is signed afresh) */
  attemptedAt: number;
  envelope: WebhookEnvelope<T>;
}

export interface VerifyWebhookOptions {
  /** how far `webhook-timestamp` may be from now, either way; default 300 (the spec's 5 minutes) */
  toleranceSeconds?: number;
  /** the receiver's clock, epoch ms or a Date; default now */
  now?: number | Date;
}

/** Node's IncomingHttpHeaders, a plain object in any case, or a Fetch `Headers`. */
export type WebhookHeaders = HeaderBag | { get(name: string): string | null };

const PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const SECONDS = /^\d{1,15}$/;

function keyOf(secret: string): Buffer {
  // The spec presents the key with the prefix; a bare base64 key is accepted as its reference library does.
  const text = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  const key = BASE64.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  if (key.length === 0) throw new WebhookVerificationError('webhook-secret-invalid', `the secret is not ${PREFIX} followed by base64`);
  return key;
}

function single(headers: WebhookHeaders, name: string): string {
  const value = 'get' in headers && typeof headers.get === 'function' ? headers.get(name) : headerOf(headers as HeaderBag, name);
  if (value === undefined || value === null || value.length === 0) throw new WebhookVerificationError('webhook-headers-missing', `the ${name} header is missing`);
  if (typeof value !== 'string') {
    // A repeated signature header is a longer list; a repeated id or timestamp has no single meaning.
    if (name === 'webhook-signature') return value.join(' ');
    throw new WebhookVerificationError('webhook-headers-invalid', `the ${name} header is repeated`);
  }
  return value;
}

/**
 * Checks a delivery and returns its envelope. `rawBody` must be the bytes as
 * received: parsing and re-serialising JSON changes them and breaks the
 * signature. Events keep numbers beyond 2^53 exactly in `rawBody`; the parsed
 * `data` has JavaScript's precision.
 */
export function verifyWebhook<T = unknown>(secret: string, headers: WebhookHeaders, rawBody: string | Uint8Array, options: VerifyWebhookOptions = {}): VerifiedWebhook<T> {
  const id = single(headers, 'webhook-id');
  const timestamp = single(headers, 'webhook-timestamp');
  const signatures = single(headers, 'webhook-signature');
  const key = keyOf(secret);
  if (!SECONDS.test(timestamp)) throw new WebhookVerificationError('webhook-headers-invalid', 'webhook-timestamp is not a number of seconds');

  const tolerance = options.toleranceSeconds ?? 300;
  const nowS = Math.floor(Number(options.now ?? Date.now()) / 1000);
  const attemptedAt = Number(timestamp);
  // Both ways: a stale attempt may be a replay, one from the future a clock to distrust.
  if (Math.abs(nowS - attemptedAt) > tolerance) {
    throw new WebhookVerificationError('webhook-timestamp-out-of-range', `webhook-timestamp is ${nowS - attemptedAt} s from now, more than ${tolerance} s`);
  }

  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  const expected = Buffer.from(createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64'));
  // Rotation sends several; other schemes (v1a) are skipped, as the spec asks.
  const matched = signatures.split(' ').some((entry) => {
    if (!entry.startsWith('v1,')) return false;
    const given = Buffer.from(entry.slice(3));
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matched) throw new WebhookVerificationError('webhook-signature-invalid', 'no v1 signature in webhook-signature matches this secret');

  return { id, attemptedAt, envelope: envelopeOf<T>(body) };
}

function envelopeOf<T>(body: Uint8Array): WebhookEnvelope<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw new WebhookVerificationError('webhook-payload-invalid', 'the body is not JSON');
  }
  const envelope = parsed as Partial<WebhookEnvelope<T>> | null;
  if (typeof envelope !== 'object' || envelope === null || typeof envelope.type !== 'string' || typeof envelope.timestamp !== 'string' || !('data' in envelope)) {
    throw new WebhookVerificationError('webhook-payload-invalid', 'the body is not an envelope {type, timestamp, data}');
  }
  return envelope as WebhookEnvelope<T>;
}

export interface WebhookListenerOptions extends VerifyWebhookOptions {
  /** default 1 MiB */
  maxBodyBytes?: number;
}

/**
 * For `http.createServer(webhookListener(secret, handler))`: answers 204 once
 * the handler resolves, 401 for a delivery that does not verify (Rabta retries
 * it, and a forger learns nothing), 500 when the handler throws, so that Rabta
 * tries again later.
 */
export function webhookListener<T = unknown>(
  secret: string,
  handler: (webhook: VerifiedWebhook<T>, rawBody: Buffer) => void | Promise<void>,
  options: WebhookListenerOptions = {},
): RequestListener {
  keyOf(secret); // a bad secret is a configuration error: fail at startup, not on every delivery
  const answer = (res: Parameters<RequestListener>[1], status: number, code?: string) => {
    if (res.headersSent) return void res.destroy();
    if (code === undefined) return void res.writeHead(status).end();
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: code }));
  };
  return (req, res) => {
    readBody(req, options.maxBodyBytes ?? 1024 * 1024)
      .then(async (body) => {
        const webhook = verifyWebhook<T>(secret, req.headers, body, options);
        await handler(webhook, body);
        answer(res, 204);
      })
      .catch((error: unknown) => {
        if (error instanceof WebhookVerificationError) return answer(res, 401, error.code);
        if (error instanceof RabtaError) return answer(res, error.status, error.code);
        answer(res, 500);
      });
  };
}
