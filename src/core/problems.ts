/**
 * The one table of problem types (RFC 9457). Every error Rabta emits is one of
 * these codes; the HTTP status and the absolute `type` URI are derived here and
 * nowhere else, so clients can switch on `type` forever.
 */
export const PROBLEM_BASE = 'https://rabta.pk/problems/';

export const PROBLEMS = {
  // request shape
  'bad-request': { status: 400, title: 'The request is not valid' },
  'malformed-json': { status: 400, title: 'The body is not valid JSON' },
  'unsupported-media-type': { status: 415, title: 'The content type is not supported' },
  'body-too-large': { status: 413, title: 'The body is larger than allowed' },
  'body-incomplete': { status: 400, title: 'The connection closed before the body was complete' },
  'not-found': { status: 404, title: 'No such resource' },
  'uri-too-long': { status: 414, title: 'The request path is too long' },
  'malformed-request': { status: 400, title: 'The request is not valid HTTP' },
  'headers-too-large': { status: 431, title: 'The request head is too large' },
  'request-timeout': { status: 408, title: 'The request did not arrive in time' },
  'method-not-implemented': { status: 501, title: 'The request method is not known' },
  'dot-segment': { status: 400, title: 'The path holds a dot segment (. or ..), raw or percent-encoded' },
  conflict: { status: 409, title: 'The resource already exists or is in another state' },
  // operator authentication
  unauthorized: { status: 401, title: 'A valid API token is required' },
  forbidden: { status: 403, title: 'The token does not allow this' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  // citizen sign-in
  'otp-invalid': { status: 401, title: 'The one-time code is not valid' },
  // signed requests (RFC 9421 profile)
  'missing-header': { status: 400, title: 'A required header is missing' },
  'malformed-signature': { status: 400, title: 'The signature headers cannot be parsed' },
  'unknown-client': { status: 401, title: 'The client subsystem is not registered' },
  'unknown-key': { status: 401, title: 'The signing key is not registered' },
  'key-not-of-client': { status: 401, title: 'The key does not belong to the client subsystem' },
  'key-revoked': { status: 401, title: 'The signing key has been revoked' },
  'key-expired': { status: 401, title: 'The signing key is not valid at this time' },
  'key-not-approved': { status: 401, title: 'The signing key has not been approved' },
  'bad-signature': { status: 401, title: 'The signature does not verify' },
  'signature-expired': { status: 401, title: 'The signature has expired' },
  'signature-not-yet-valid': { status: 401, title: 'The signature was created in the future' },
  'signature-window-too-long': { status: 401, title: 'The signature is valid for too long' },
  'signature-wrong-tag': { status: 401, title: 'The signature was made for another context (tag)' },
  'signature-algorithm-unsupported': { status: 400, title: 'The signature algorithm is not ed25519' },
  'signature-coverage': { status: 400, title: 'The signature does not cover exactly the components the profile requires' },
  'nonce-replayed': { status: 401, title: 'The nonce has already been used' },
  'digest-mismatch': { status: 400, title: 'Content-Digest does not match the body' },
  // authorization and legal basis
  'unknown-service': { status: 404, title: 'No such service' },
  'service-disabled': { status: 503, title: 'The service is disabled' },
  'no-access-right': { status: 403, title: 'The client has no access right to this service' },
  'purpose-not-allowed': { status: 403, title: 'The purpose is not allowed for this client and service' },
  'unknown-purpose': { status: 400, title: 'The purpose is not in the catalogue' },
  'purpose-required': { status: 400, title: 'A purpose is required for a personal service' },
  'subject-missing': { status: 400, title: 'A personal service needs the data subject' },
  'subject-malformed': { status: 400, title: 'The subject is not a valid CNIC' },
  'consent-required': { status: 403, title: 'This purpose needs the citizen’s consent' },
  'consent-missing': { status: 403, title: 'No active consent of the citizen covers this call' },
  'consent-revoked': { status: 403, title: 'The citizen has revoked the consent for this call' },
  'consent-expired': { status: 403, title: 'The consent for this call has expired' },
  'consent-purpose-not-covered': { status: 403, title: 'The citizen’s consent does not cover this purpose' },
  'consent-frequency-exceeded': { status: 429, title: 'The consent’s frequency limit is used up' },
  'quota-exceeded': { status: 429, title: 'The quota for this client and service is used up' },
  // events
  'unknown-topic': { status: 404, title: 'No such topic' },
  'not-topic-publisher': { status: 403, title: 'Only the topic’s own subsystem publishes to it' },
  'no-topic-access': { status: 403, title: 'The subsystem has no access right to this topic' },
  'event-invalid': { status: 422, title: 'The event does not satisfy the topic’s schema' },
  'event-too-deep': { status: 422, title: 'The event is nested too deeply' },
  'schema-refused': { status: 422, title: 'The topic schema is outside what Rabta accepts (size, depth, $ref, pattern)' },
  'idempotency-key-reused': { status: 422, title: 'The Idempotency-Key was already used for a different event' },
  'webhook-url-refused': { status: 422, title: 'The webhook URL is not reachable under the egress policy' },
  // cases and grievances
  'unknown-category': { status: 400, title: 'The case category is not in the catalogue' },
  'description-too-long': { status: 400, title: 'The description is longer than 4,000 characters' },
  'case-reference-invalid': { status: 400, title: 'The case reference’s check digit does not match' },
  'unknown-case': { status: 404, title: 'No such case' },
  'case-not-yours': { status: 403, title: 'The case belongs to someone else' },
  'case-state': { status: 409, title: 'The case is not in a state that allows this' },
  'unknown-district': { status: 400, title: 'The district code is not a census district' },
  'invalid-api-key': { status: 403, title: 'The api_key is not a valid intake key' },
  // forwarding
  'egress-refused': { status: 502, title: 'The upstream address is not allowed by the egress policy' },
  'upstream-timeout': { status: 504, title: 'The upstream did not answer in time' },
  'upstream-unreachable': { status: 502, title: 'The upstream cannot be reached' },
  'circuit-open': { status: 503, title: 'The upstream is failing; calls are paused' },
  // everything else
  unavailable: { status: 503, title: 'The service is not ready' },
  internal: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

export function problemType(code: ProblemCode): string {
  return PROBLEM_BASE + code;
}

export function problemCodeOf(type: string): ProblemCode | undefined {
  if (!type.startsWith(PROBLEM_BASE)) return undefined;
  const code = type.slice(PROBLEM_BASE.length);
  return code in PROBLEMS ? (code as ProblemCode) : undefined;
}

/** The body of an RFC 9457 problem. Extension members sit beside the standard ones. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

/** The one error class of the platform; modules throw it, `http` renders it. */
export class RabtaError extends Error {
  readonly code: ProblemCode;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    code: ProblemCode,
    detail?: string,
    options: { extensions?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail ?? PROBLEMS[code].title, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RabtaError';
    this.code = code;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return PROBLEMS[this.code].status;
  }

  toProblem(instance?: string): ProblemDocument {
    return {
      ...this.extensions,
      type: problemType(this.code),
      title: PROBLEMS[this.code].title,
      status: this.status,
      detail: this.message,
      ...(instance === undefined ? {} : { instance }),
    };
  }
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A problem as it goes on the wire: status, its headers (content type first) and the JSON text. */
export interface ProblemResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The one renderer of problems: the HTTP server, the exchange pipeline, the
 * SDK's provider middleware and the parser-error handler all answer with this.
 * `instance` is the path the problem happened at, without its query.
 */
export function renderProblem(problem: RabtaError, instance?: string): ProblemResponse {
  return {
    status: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...problem.headers },
    body: JSON.stringify(problem.toProblem(instance?.split('?')[0])),
  };
}
