import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RabtaError } from '../core/index.js';
import type { SignedCaller } from '../exchange/index.js';
import { digestMatches, requestHasBody } from '../sdk/index.js';

/** Who signed a request (the exchange's `authenticateSigned`, bound to this instance). */
export type Authenticate = (request: { method: string; url: string; headers: FastifyRequest['headers'] }) => Promise<SignedCaller>;

/**
 * A scope of signed JSON calls, as on the exchange: the body is taken raw,
 * the RFC 9421 signature and its Content-Digest are checked before the body is
 * parsed or validated — nobody unauthenticated learns what a valid request
 * looks like — and the handler asks `callerOf(request)` who signed.
 */
export function signedJsonScope(app: FastifyInstance, authenticate: Authenticate): (request: FastifyRequest) => SignedCaller {
  const raw = new WeakMap<FastifyRequest, Buffer>();
  const callers = new WeakMap<FastifyRequest, SignedCaller>();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    raw.set(request, body as Buffer);
    done(null, undefined);
  });
  app.addHook('preValidation', async (request) => {
    const caller = await authenticate({ method: request.method, url: request.raw.url ?? request.url, headers: request.headers });
    const body = raw.get(request) ?? Buffer.alloc(0);
    if (requestHasBody(request.headers) && !digestMatches(request.headers['content-digest'], createHash('sha256').update(body).digest())) {
      throw new RabtaError('digest-mismatch', 'the body does not match Content-Digest');
    }
    callers.set(request, caller);
    if (body.length === 0) return;
    try {
      request.body = JSON.parse(body.toString('utf8'));
    } catch {
      throw new RabtaError('malformed-json', 'the body is not valid JSON');
    }
  });
  return (request) => {
    const caller = callers.get(request);
    if (!caller) throw new RabtaError('unauthorized');
    return caller;
  };
}
