import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RabtaError } from '../core/index.js';
import { authenticateSigned } from '../exchange/index.js';
import type { SignedCaller } from '../exchange/index.js';
import type { Platform } from '../platform/index.js';
import { digestMatches, requestHasBody } from '../sdk/index.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** the handler takes the body as received, unparsed (a publication is checked against its topic's schema, not here) */
    rawBody?: boolean;
  }
}

export interface SignedScope {
  /** who signed the request; set before its body was read */
  callerOf(request: FastifyRequest): SignedCaller;
  /** the body exactly as received, whose Content-Digest was checked */
  rawOf(request: FastifyRequest): Buffer;
}

/**
 * Makes every route of a scope a signed one, in the order the exchange uses:
 * the signature headers (client, key, window, nonce) are checked as soon as
 * the headers are in, before one byte of the body is read — an unauthenticated
 * body is never buffered, and its connection closes after the refusal. Then the
 * body, JSON in UTF-8 only (415 otherwise), must match Content-Digest; only
 * then is it parsed, so nobody unauthenticated learns what a valid request looks like.
 */
export function signedRoutes(app: FastifyInstance, platform: Platform): SignedScope {
  const raw = new WeakMap<FastifyRequest, Buffer>();
  const callers = new WeakMap<FastifyRequest, SignedCaller>();
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
      const caller = await authenticateSigned(
        { batch: platform.store.batch(), registry: platform.registry, publicUrl: platform.config.publicUrl, now: platform.now },
        { method: request.method, url: request.raw.url ?? request.url, headers: request.headers },
      );
      callers.set(request, caller);
    } catch (error) {
      // The body is not Rabta's to read: close instead of draining it.
      if (requestHasBody(request.headers)) reply.header('connection', 'close');
      throw error;
    }
  });
  app.addHook('preValidation', async (request) => {
    const body = raw.get(request) ?? Buffer.alloc(0);
    if (requestHasBody(request.headers) && !digestMatches(request.headers['content-digest'], createHash('sha256').update(body).digest())) {
      throw new RabtaError('digest-mismatch', 'the body does not match Content-Digest');
    }
    if (request.routeOptions.config.rawBody || body.length === 0) return;
    try {
      request.body = JSON.parse(body.toString('utf8'));
    } catch {
      throw new RabtaError('malformed-json', 'the body is not valid JSON');
    }
  });
  return {
    callerOf(request) {
      const caller = callers.get(request);
      if (!caller) throw new RabtaError('unauthorized');
      return caller;
    },
    rawOf: (request) => raw.get(request) ?? Buffer.alloc(0),
  };
}

function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase();
}
