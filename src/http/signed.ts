import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RabtaError } from '../core/index.js';
import { checkContentDigest } from '../exchange/index.js';
import type { SignedCaller } from '../exchange/index.js';
import { requestHasBody } from '../sdk/index.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** the handler takes the body as received, unparsed (a publication is checked against its topic's schema, not here) */
    rawBody?: boolean;
  }
}

/** What the step needs of a request to say who sent it: the head only, never the body. */
export interface SignedHead {
  method: string;
  url: string;
  headers: FastifyRequest['headers'];
}

/** Who sent a request, from its head alone: the exchange's `authenticateSigned` bound to this instance, or a wrapper of it. */
export type Authenticate<Caller = SignedCaller> = (request: SignedHead) => Promise<Caller>;

export interface SignedScope<Caller = SignedCaller> {
  /** who sent the request; settled before its body was read */
  callerOf(request: FastifyRequest): Caller;
  /** the body exactly as received, whose Content-Digest was checked */
  rawOf(request: FastifyRequest): Buffer;
}

/**
 * The one signed-request step of Rabta's signed APIs (/events,
 * /subscriptions, /consents, /cases, receipts; /x runs the same two checks in
 * its streaming pipeline), in the exchange's order:
 * 1. authenticate from the headers alone, as soon as they are in — an
 *    unauthenticated body is never buffered, and its connection closes after
 *    the refusal;
 * 2. take the body raw (JSON in UTF-8 only, 415 otherwise) and check its
 *    Content-Digest;
 * 3. only then parse it, so nobody unauthenticated learns what a valid
 *    request looks like.
 */
export function signedScope<Caller = SignedCaller>(app: FastifyInstance, authenticate: Authenticate<Caller>): SignedScope<Caller> {
  const raw = new WeakMap<FastifyRequest, Buffer>();
  const callers = new WeakMap<FastifyRequest, Caller>();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const charset = charsetOf(request.headers['content-type']);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(new RabtaError('unsupported-media-type', `a signed request's body is JSON in UTF-8, not ${charset}`), undefined);
      return;
    }
    raw.set(request, body as Buffer);
    done(null, undefined);
  });
  app.addHook('onRequest', async (request, reply) => {
    try {
      callers.set(request, await authenticate({ method: request.method, url: request.raw.url ?? request.url, headers: request.headers }));
    } catch (error) {
      // The body is not Rabta's to read: close instead of draining it.
      if (requestHasBody(request.headers)) reply.header('connection', 'close');
      throw error;
    }
  });
  app.addHook('preValidation', async (request) => {
    const body = raw.get(request) ?? Buffer.alloc(0);
    checkContentDigest(request.headers, createHash('sha256').update(body).digest());
    if (request.routeOptions.config.rawBody || body.length === 0) return;
    try {
      request.body = JSON.parse(body.toString('utf8'));
    } catch {
      throw new RabtaError('malformed-json', 'the body is not valid JSON');
    }
  });
  return {
    callerOf(request) {
      if (!callers.has(request)) throw new RabtaError('unauthorized');
      return callers.get(request) as Caller;
    },
    rawOf: (request) => raw.get(request) ?? Buffer.alloc(0),
  };
}

function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase();
}
