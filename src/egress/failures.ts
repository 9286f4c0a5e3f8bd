import { RabtaError } from '../core/index.js';
import type { Outcome } from './breaker.js';

/** How one failed attempt is reported, whether it may be retried, and what the breaker learns. */
export interface Failure {
  error: unknown;
  retryable: boolean;
  outcome: Outcome;
}

export interface FailureContext {
  /** Our own deadline fired. */
  timedOut: boolean;
  /** Response headers had arrived, so the upstream did act on the request. */
  responded: boolean;
  /** The caller aborted the call. */
  aborted: boolean;
  timeoutMs: number;
}

const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

const UNREACHABLE = new Set([
  'UND_ERR_SOCKET', // the upstream closed the connection
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EPROTO',
]);

// TLS handshake and certificate failures (ERR_TLS_CERT_ALTNAME_INVALID,
// CERT_HAS_EXPIRED, UNABLE_TO_VERIFY_LEAF_SIGNATURE, …) and malformed HTTP (HPE_*).
const UNREACHABLE_PATTERN = /^(ERR_TLS_|ERR_SSL_|HPE_)|CERT|UNABLE_TO_/;

export function describeFailure(error: unknown, context: FailureContext): Failure {
  if (context.aborted) return { error, retryable: false, outcome: 'neutral' };
  if (error instanceof RabtaError) return { error, retryable: false, outcome: 'neutral' };
  const code = codeOf(error);
  // A failure before any response may be retried (for idempotent methods); after
  // the headers the upstream has acted, and we will not ask it twice.
  const retryable = !context.responded;
  if (context.timedOut || (code !== undefined && TIMEOUTS.has(code))) {
    const detail = context.responded
      ? 'The upstream’s response body did not arrive in time'
      : `The upstream did not answer within ${context.timeoutMs} ms`;
    return { error: new RabtaError('upstream-timeout', detail, { cause: error }), retryable, outcome: 'failure' };
  }
  if (code !== undefined && (UNREACHABLE.has(code) || UNREACHABLE_PATTERN.test(code))) {
    const detail = `The upstream cannot be reached (${code})`;
    return { error: new RabtaError('upstream-unreachable', detail, { cause: error }), retryable, outcome: 'failure' };
  }
  // Anything else is ours (a bad argument, a closed egress, a failing request body
  // stream): surfaced as it is, and no reflection on the upstream's health.
  return { error, retryable: false, outcome: 'neutral' };
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Happy Eyeballs (autoSelectFamily) wraps one error per address tried.
  if (error instanceof AggregateError) return codeOf(error.errors[0]);
  return undefined;
}
