import { createHmac } from 'node:crypto';
import { RabtaError } from '../core/index.js';
import type { Egress } from '../egress/index.js';
import { parseRetryAfter } from './schedule.js';

export interface EnvelopeSource {
  topic_id: string;
  at: number;
  /** the event's JSON exactly as published */
  payload: string;
}

/**
 * The Standard Webhooks payload `{type, timestamp, data}`: `type` is the topic
 * id, `timestamp` the time of publication, `data` the event as the publisher
 * sent it. The body is spliced, not re-serialised, so large integers and the
 * publisher's exact values survive.
 */
export function envelopeOf(event: EnvelopeSource): string {
  return `{"type":${JSON.stringify(event.topic_id)},"timestamp":${JSON.stringify(new Date(event.at).toISOString())},"data":${event.payload.trim()}}`;
}

export interface AttemptOutcome {
  ok: boolean;
  /** the receiver's status, when it answered */
  status: number | null;
  /** why it failed: `http-<status>` or a problem code of the egress (egress-refused, upstream-timeout, …) */
  error: string | null;
  retryAfterMs: number | undefined;
  durationMs: number;
}

export interface AttemptInput {
  url: string;
  secret: string;
  /** the event id: `webhook-id`, the same on every attempt so the receiver can drop duplicates */
  messageId: string;
  body: string;
  timeoutMs: number;
  now: () => number;
}

/**
 * The Standard Webhooks signature `v1,<base64 HMAC-SHA-256 of "id.timestamp.body">`
 * with the secret after `whsec_`. node:crypto rather than the standardwebhooks
 * package (a dependency for the demo's receivers, which verify with it as any
 * third party would; delivery.test.ts pins this signer to it byte for byte):
 * its HMAC is pure JavaScript, 75 µs a signature against 13 µs here, and a
 * delivery worker signs every attempt.
 */
function signWebhook(secret: string, messageId: string, seconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${messageId}.${seconds}.${body}`).digest('base64')}`;
}

/**
 * One attempt: signed afresh (a new `webhook-timestamp` each time, so a
 * receiver's tolerance window never rejects a late retry), POSTed through the
 * egress policy, never following redirects. Only a 2xx counts.
 */
export async function attemptDelivery(egress: Egress, input: AttemptInput): Promise<AttemptOutcome> {
  const started = input.now();
  const seconds = Math.floor(started / 1000);
  const signature = signWebhook(input.secret, input.messageId, seconds, input.body);
  try {
    const response = await egress.call({
      url: input.url,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Rabta-Webhooks/1',
        'webhook-id': input.messageId,
        'webhook-timestamp': String(seconds),
        'webhook-signature': signature,
      },
      body: Buffer.from(input.body),
      timeoutMs: input.timeoutMs,
      // The answer's body is not read by anyone; a large one is still a success.
      maxResponseBytes: 1024 * 1024,
    });
    const ok = response.status >= 200 && response.status < 300;
    return {
      ok,
      status: response.status,
      error: ok ? null : `http-${response.status}`,
      retryAfterMs: ok ? undefined : parseRetryAfter(response.headers['retry-after'], input.now()),
      durationMs: input.now() - started,
    };
  } catch (error) {
    const code = error instanceof RabtaError ? error.code : 'internal';
    return { ok: false, status: null, error: code, retryAfterMs: undefined, durationMs: input.now() - started };
  }
}
