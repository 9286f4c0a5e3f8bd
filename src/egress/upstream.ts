import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { request, type Dispatcher } from 'undici';
import { RabtaError } from '../core/index.js';
import type { Breakers } from './breaker.js';
import { describeFailure, type Failure } from './failures.js';

export interface UpstreamRequest {
  url: string | URL;
  method: string;
  headers?: Record<string, string | string[]>;
  /** A stream is sent once and never retried: it cannot be replayed. */
  body?: Uint8Array | Readable;
  /** Deadline for queueing, connecting, sending and receiving the response headers. */
  timeoutMs?: number;
  /** Deadline for the whole response body once the headers are in. */
  bodyTimeoutMs?: number;
  /** Extra attempts after a failure before any response; only for idempotent methods. */
  retries?: number;
  /** `false` forbids retries of a GET/PUT/… that is not idempotent after all; `true` cannot make a POST retryable. */
  idempotent?: boolean;
  maxResponseBytes?: number;
  signal?: AbortSignal;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Uint8Array;
}

export type UpstreamDefaults = Required<Pick<UpstreamRequest, 'timeoutMs' | 'bodyTimeoutMs' | 'retries' | 'maxResponseBytes'>>;

export interface UpstreamContext {
  dispatcher: Dispatcher;
  breakers: Breakers;
  defaults: UpstreamDefaults;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * One outbound HTTP call through the egress policy and the origin's circuit
 * breaker. The upstream's own 4xx/5xx are returned, not thrown; Rabta's failures
 * are thrown as `RabtaError`s (egress-refused, upstream-timeout,
 * upstream-unreachable, circuit-open).
 */
export async function callUpstream(context: UpstreamContext, call: UpstreamRequest): Promise<UpstreamResponse> {
  const url = new URL(call.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RabtaError('egress-refused', `Only http and https upstreams are allowed, not ${url.protocol}`);
  }
  const method = call.method.toUpperCase();
  const replayable = IDEMPOTENT.has(method) && call.idempotent !== false && !(call.body instanceof Readable);
  const retries = replayable ? (call.retries ?? context.defaults.retries) : 0;
  for (let attempt = 0; ; attempt++) {
    call.signal?.throwIfAborted();
    const permit = context.breakers.enter(url.origin);
    const result = await attemptOnce(context, url, method, call);
    permit.settle('response' in result ? (result.response.status >= 500 ? 'failure' : 'success') : result.outcome);
    if ('response' in result) return result.response;
    if (!result.retryable || attempt >= retries) throw result.error;
    await sleep(backoffMs(attempt), undefined, call.signal ? { signal: call.signal } : undefined);
  }
}

async function attemptOnce(
  { dispatcher, defaults }: UpstreamContext,
  url: URL,
  method: string,
  call: UpstreamRequest,
): Promise<{ response: UpstreamResponse } | Failure> {
  const timeoutMs = call.timeoutMs ?? defaults.timeoutMs;
  const bodyTimeoutMs = call.bodyTimeoutMs ?? defaults.bodyTimeoutMs;
  const controller = new AbortController();
  const state = { timedOut: false, responded: false, aborted: false, timeoutMs };
  const expire = (): void => {
    state.timedOut = true;
    controller.abort();
  };
  const onAbort = (): void => {
    state.aborted = true;
    controller.abort(call.signal?.reason);
  };
  call.signal?.addEventListener('abort', onAbort, { once: true });
  let timer = setTimeout(expire, timeoutMs);
  try {
    const response = await request(url, {
      dispatcher,
      method,
      headers: call.headers,
      body: call.body,
      signal: controller.signal,
      headersTimeout: timeoutMs,
      bodyTimeout: bodyTimeoutMs,
    });
    state.responded = true;
    clearTimeout(timer);
    timer = setTimeout(expire, bodyTimeoutMs);
    const limit = method === 'HEAD' ? Infinity : (call.maxResponseBytes ?? defaults.maxResponseBytes);
    const body = await readBounded(response, limit);
    return { response: { status: response.statusCode, headers: definedHeaders(response.headers), body } };
  } catch (error) {
    return describeFailure(error, state);
  } finally {
    clearTimeout(timer);
    call.signal?.removeEventListener('abort', onAbort);
  }
}

async function readBounded({ headers, body }: Dispatcher.ResponseData, limit: number): Promise<Uint8Array> {
  const declared = Number(headers['content-length']);
  if (declared > limit) {
    // undici reports the destruction as an 'error' event; nobody else is listening for it.
    body.on('error', () => {}).destroy();
    throw tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Leaving the loop by throwing destroys the stream, releasing the socket.
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

// There is no problem code for an oversized upstream answer yet; it is a bad
// gateway either way, and the extension says which.
function tooLarge(limit: number): RabtaError {
  return new RabtaError('upstream-unreachable', `The upstream’s response is larger than ${limit} bytes`, {
    extensions: { reason: 'response-too-large', limitBytes: limit },
  });
}

function definedHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) result[name] = value;
  return result;
}

/** 50 ms, 100 ms, 200 ms … (capped at 1 s), with jitter so that retries do not march in step. */
function backoffMs(attempt: number): number {
  return Math.min(1_000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2);
}
