import { createHash, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { renderProblem, subjectHash, subjectsOf, RabtaError } from '../core/index.js';
import type { ExchangeRecord, ExchangeRecorder, LegalBasisAnswer, LegalBasisCheck } from '../core/index.js';
import type { Egress } from '../egress/index.js';
import type { Keyring } from '../keyring/index.js';
import type { Registry, Service } from '../registry/index.js';
import { contentDigestOfHash, headerValue, signRequest, signResponse } from '../sdk/index.js';
import type { WriteBatcher } from '../store/index.js';
import { asRabtaError } from '../store/index.js';
import { receiveBody } from './body.js';
import type { ReceivedBody } from './body.js';
import { authenticateSigned, checkContentDigest } from './authenticate.js';
import type { SignedCaller } from './authenticate.js';
import { takeQuota } from './quota.js';
import { parseTarget } from './target.js';
import type { ExchangeTables } from './tables.js';

export interface ExchangeRequest {
  method: string;
  /** path and query exactly as received */
  url: string;
  headers: IncomingHttpHeaders;
  body: Readable;
}

export interface ExchangeReply {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
  /** set once the client is authenticated */
  exchangeId?: string;
}

export interface PipelineDeps {
  batch: WriteBatcher<ExchangeTables>;
  /** for the quota counter, a row every call of a client updates (store.contended()) */
  contended: WriteBatcher<ExchangeTables>;
  registry: Registry;
  egress: Egress;
  keyring: Keyring;
  legalBasis: LegalBasisCheck;
  recorder: ExchangeRecorder<ExchangeTables>;
  publicUrl: string;
  spoolDir: string;
  upstreamTimeoutMs: number;
  now: () => number;
  /** counts refusals before authentication (they are not recorded) and outcomes */
  observe?: (event: { authenticated: boolean; outcome: string; seconds: number }) => void;
  onInternalError?: (error: unknown) => void;
}

/** Headers that describe one hop, or that only Rabta may set, never forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'content-length', 'content-digest', 'expect']);
const RESPONSE_PASSED = ['content-type', 'content-language', 'cache-control', 'etag', 'last-modified', 'location', 'retry-after'];

interface Authenticated extends SignedCaller {
  exchangeId: string;
}

/**
 * The exchange pipeline (DESIGN.md "The exchange"): authenticate → authorize →
 * quota → legal basis → forward → sign the response → record → reply. One
 * function, so the order of the checks can be read in one place.
 */
export function createPipeline(deps: PipelineDeps) {
  return async function mediate(request: ExchangeRequest): Promise<ExchangeReply> {
    const started = deps.now();
    let auth: Authenticated;
    try {
      auth = await authenticate(request);
    } catch (error) {
      const problem = asRabtaError(error);
      deps.observe?.({ authenticated: false, outcome: problem.code, seconds: (deps.now() - started) / 1000 });
      // The body of an unauthenticated call is never read (the route closes the connection).
      return problemReply(problem, request.url);
    }

    const record: ExchangeRecord = {
      id: auth.exchangeId,
      at: started,
      client_id: auth.clientId,
      service_id: '',
      method: request.method,
      path: '',
      purpose: null,
      legal_basis: null,
      subjects: null,
      key_id: auth.keyId,
      status: 0,
      outcome: 'ok',
      request_bytes: 0,
      response_bytes: 0,
      request_digest: null,
      response_digest: null,
      duration_ms: 0,
    };
    let body: ReceivedBody | undefined;
    let reply: ExchangeReply;
    try {
      const target = parseTarget(request.url);
      record.service_id = target.serviceId;
      record.path = target.rest.split('?')[0] as string;
      const service = await auth.view.service(target.serviceId);
      if (!service) throw new RabtaError('unknown-service', `no service ${target.serviceId}`);
      if (!service.enabled) throw new RabtaError('service-disabled', `${target.serviceId} is disabled by its provider`);
      const upstreamUrl = forwardedUrl(service.upstreamUrl, target.rest);
      // The record says what is forwarded, as the upstream will see it (below the service's upstream path).
      record.path = upstreamUrl.pathname.slice(new URL(service.upstreamUrl).pathname.replace(/\/$/, '').length);

      const purposeCode = headerValue(request.headers, 'rabta-purpose');
      const allowed = await auth.view.allowedPurposes(service.id, auth.clientId);
      if (!allowed) throw new RabtaError('no-access-right', `${auth.clientId} has no access right to ${service.id}`);
      const purpose = purposeCode === undefined ? undefined : await auth.view.purpose(purposeCode);
      if (purposeCode !== undefined && !purpose) throw new RabtaError('unknown-purpose', `purpose ${purposeCode} is not in the catalogue`);
      if (purposeCode !== undefined && !allowed.includes(purposeCode)) {
        throw new RabtaError('purpose-not-allowed', `${auth.clientId} may call ${service.id} only for ${allowed.join(', ')}`, { extensions: { allowed } });
      }
      record.purpose = purposeCode ?? null;
      if (service.personal && !purpose) throw new RabtaError('purpose-required', `${service.id} is personal: say why in Rabta-Purpose`);

      body = await receiveBody(request.body, contentLength(request.headers), { limit: service.bodyLimit, spoolDir: deps.spoolDir });
      record.request_bytes = body.size;
      record.request_digest = body.sha256.toString('hex');
      checkContentDigest(request.headers, body.sha256);

      let subjects: string[] = [];
      if (service.personal) {
        const received = body.size > 0 ? await body.bytes() : Buffer.alloc(0);
        subjects = subjectsOf(service.subjectLocation ?? 'header', headerValue(request.headers, 'rabta-subject'), () => parseJson(received));
        record.subjects = JSON.stringify(subjects.map((s) => subjectHash(deps.keyring.subjectSecret, s)));
      }

      if (service.quotaPerMinute !== null) {
        const perMinute = service.quotaPerMinute;
        await deps.contended.run((trx) => takeQuota(trx, auth.clientId, service.id, perMinute, deps.now()));
      }

      let basis: LegalBasisAnswer | undefined;
      if (purpose) {
        basis = await deps.legalBasis.check({
          clientId: auth.clientId,
          serviceId: service.id,
          purpose: { code: purpose.code, legalBasis: purpose.legalBasis, statute: purpose.statute },
          subjects,
          at: deps.now(),
        });
        record.legal_basis = basis.legalBasis;
      }

      const upstream = await forward(request, auth, upstreamUrl, body, purposeCode, subjects, service);
      reply = {
        status: upstream.status,
        headers: { ...passResponseHeaders(upstream.headers), 'rabta-origin': 'upstream' },
        body: upstream.body,
      };
      record.outcome = upstream.status >= 400 ? 'upstream-error' : 'ok';
    } catch (error) {
      const problem = asRabtaError(error);
      if (problem.code === 'internal') deps.onInternalError?.(error);
      reply = problemReply(problem, request.url);
      record.outcome = problem.code;
    } finally {
      await body?.discard();
    }

    reply.exchangeId = auth.exchangeId;
    reply.headers['rabta-exchange-id'] = auth.exchangeId;
    const signed = await signResponse({
      status: reply.status,
      headers: reply.headers,
      body: reply.body,
      request: { signature: auth.signature, signatureInput: auth.signatureInput },
      keyId: exchangeKey().kid,
      privateKey: exchangeKey().privateKey,
    });
    Object.assign(reply.headers, signed);
    record.status = reply.status;
    record.response_bytes = reply.body.length;
    record.response_digest = createHash('sha256').update(reply.body).digest('hex');
    record.duration_ms = deps.now() - started;
    // The recorder may write more than the row (tracker, ledger): all of it or nothing, durable before the reply.
    await deps.batch.run((trx) => deps.recorder.record(trx, record));
    deps.observe?.({ authenticated: true, outcome: record.outcome, seconds: record.duration_ms / 1000 });
    return reply;
  };

  function exchangeKey() {
    const key = deps.keyring.exchange[0];
    if (!key) throw new RabtaError('unavailable', 'no exchange key in force');
    return key;
  }

  async function authenticate(request: ExchangeRequest): Promise<Authenticated> {
    return { ...(await authenticateSigned(deps, request)), exchangeId: randomUUID() };
  }

  async function forward(request: ExchangeRequest, auth: Authenticated, upstreamUrl: URL, body: ReceivedBody, purpose: string | undefined, subjects: string[], service: Service) {
    // Signed and sent as parsed: the URL the signature covers is the one that goes out.
    const url = upstreamUrl.href;
    const headers: Record<string, string> = {};
    for (const name of Object.keys(request.headers)) {
      const value = headerValue(request.headers, name);
      if (value === undefined || HOP_BY_HOP.has(name) || name.startsWith('rabta-') || name.startsWith('signature')) continue;
      headers[name] = value;
    }
    headers['rabta-client'] = auth.clientId;
    headers['rabta-exchange-id'] = auth.exchangeId;
    if (purpose !== undefined) headers['rabta-purpose'] = purpose;
    const singleSubject = service.subjectLocation === 'header' ? subjects[0] : undefined;
    if (singleSubject !== undefined) headers['rabta-subject'] = `${singleSubject.slice(0, 5)}-${singleSubject.slice(5, 12)}-${singleSubject.slice(12)}`;
    if (body.size > 0) headers['content-digest'] = contentDigestOfHash(body.sha256);
    const key = exchangeKey();
    Object.assign(headers, await signRequest({ method: request.method, targetUri: url, headers, keyId: key.kid, privateKey: key.privateKey, tag: 'rabta-forward' }));
    if (body.size > 0) headers['content-length'] = String(body.size);
    return deps.egress.call({ url, method: request.method, headers, body: body.size > 0 ? body.open() : undefined, timeoutMs: deps.upstreamTimeoutMs });
  }
}

/** The upstream URL a call goes to; it must stay below the service's upstream path once parsed. */
function forwardedUrl(upstream: string, rest: string): URL {
  const base = new URL(upstream);
  const url = new URL(upstream + rest);
  const prefix = base.pathname.replace(/\/$/, '');
  if (url.origin !== base.origin || (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`))) {
    throw new RabtaError('dot-segment', 'the path would leave the service once parsed');
  }
  return url;
}

function contentLength(headers: IncomingHttpHeaders): number | undefined {
  const value = headers['content-length'];
  return value === undefined ? undefined : Number(value);
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new RabtaError('bad-request', 'a batch to a personal service must be JSON so its subjects can be found');
  }
}

function passResponseHeaders(upstream: Record<string, string | string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of RESPONSE_PASSED) {
    const value = headerValue(upstream, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function problemReply(problem: RabtaError, url: string): ExchangeReply {
  const rendered = renderProblem(problem, url);
  return { status: rendered.status, headers: { ...rendered.headers, 'rabta-origin': 'rabta' }, body: Buffer.from(rendered.body) };
}
