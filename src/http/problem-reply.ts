import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { RabtaError } from '../core/index.js';
import type { ProblemCode } from '../core/index.js';
import { isDatabaseUnavailable } from '../store/index.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

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

export function toRabtaError(error: unknown): RabtaError {
  if (error instanceof RabtaError) return error;
  const e = error as Partial<FastifyError> & { validation?: unknown };
  if (e.validation) return new RabtaError('bad-request', e.message ?? 'invalid request', { extensions: { errors: e.validation } });
  if (e.code && e.code in FASTIFY_CODES) return new RabtaError(FASTIFY_CODES[e.code] as ProblemCode, e.message);
  // JSON.parse errors thrown by a body parser surface as SyntaxError with status 400.
  if (error instanceof SyntaxError || e.statusCode === 400) return new RabtaError('malformed-json', e.message);
  if (e.statusCode === 413) return new RabtaError('body-too-large', e.message);
  if (e.statusCode === 415) return new RabtaError('unsupported-media-type', e.message);
  // The database went away (restarting, unreachable): the client may try again, and nothing was acknowledged.
  if (isDatabaseUnavailable(error)) return new RabtaError('unavailable', 'the database does not answer; try again shortly', { cause: error });
  return new RabtaError('internal', 'internal error', { cause: error });
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const problem = toRabtaError(error);
  if (problem.code === 'internal') request.log.error({ err: error }, 'unhandled error');
  for (const [name, value] of Object.entries(problem.headers)) reply.header(name, value);
  return reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem.toProblem(request.url.split('?')[0]));
}
