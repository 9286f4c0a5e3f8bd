import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { RabtaError, renderProblem } from '../core/index.js';
import type { ProblemCode } from '../core/index.js';
import { asRabtaError } from '../store/index.js';


/** Fastify's own error codes, mapped once to ours. */
const FASTIFY_CODES: Record<string, ProblemCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed-json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed-json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad-request',
  FST_ERR_VALIDATION: 'bad-request',
  FST_ERR_NOT_FOUND: 'not-found',
  FST_ERR_MAX_PARAM_LENGTH: 'uri-too-long',
  FST_ERR_BAD_URL: 'bad-request',
  FST_ERR_ASYNC_CONSTRAINT: 'bad-request',
};

/** Fastify's errors as problems; everything else as the store's one converter says. */
export function toRabtaError(error: unknown): RabtaError {
  if (error instanceof RabtaError) return error;
  const e = error as Partial<FastifyError> & { validation?: unknown };
  if (e.validation) return new RabtaError('bad-request', e.message ?? 'invalid request', { extensions: { errors: e.validation } });
  if (e.code && e.code in FASTIFY_CODES) return new RabtaError(FASTIFY_CODES[e.code] as ProblemCode, e.message);
  // JSON.parse errors thrown by a body parser surface as SyntaxError with status 400.
  if (error instanceof SyntaxError || e.statusCode === 400) return new RabtaError('malformed-json', e.message);
  if (e.statusCode === 413) return new RabtaError('body-too-large', e.message);
  if (e.statusCode === 415) return new RabtaError('unsupported-media-type', e.message);
  return asRabtaError(error);
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const problem = toRabtaError(error);
  if (problem.code === 'internal') request.log.error({ err: error }, 'unhandled error');
  const rendered = renderProblem(problem, request.url);
  return reply.status(rendered.status).headers(rendered.headers).send(rendered.body);
}
