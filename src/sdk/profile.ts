import { randomDraws } from '../core/index.js';

/**
 * The Rabta profile of RFC 9421 (DESIGN.md "Signed requests"): one label, one
 * algorithm, fixed parameters and a covered-component list that depends only
 * on which headers the request carries. Signer and verifier both derive the
 * list from here, so they cannot drift apart.
 */

export const SIGNATURE_LABEL = 'sig1';
export const SIGNATURE_ALG = 'ed25519';

export const REQUEST_TAG = 'rabta-request';
export const FORWARD_TAG = 'rabta-forward';
export const RESPONSE_TAG = 'rabta-response';
export type RequestTag = typeof REQUEST_TAG | typeof FORWARD_TAG;

/** seconds */
export const DEFAULT_EXPIRES_IN = 60;
export const MAX_WINDOW = 300;
export const CLOCK_SKEW = 60;

/** Parameter order of the signatures we make; verification accepts any order. */
export const SIGNATURE_PARAMS = ['created', 'expires', 'nonce', 'keyid', 'alg', 'tag'] as const;

/** `"signature";req;key="sig1"`: binds a response to the request signature it answers (RFC 9421 §2.4). */
export const REQUEST_SIGNATURE_COMPONENT = `signature;req;key="${SIGNATURE_LABEL}"`;
export const RESPONSE_COMPONENTS = ['@status', 'content-digest', 'rabta-exchange-id', REQUEST_SIGNATURE_COMPONENT] as const;

/** Header names as they arrive from node:http: lower-case; a repeated field may be an array. */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

/** The signature fields of the request a response answers, as received (Signature-Input is not covered). */
export interface RequestSignature {
  signature: string | readonly string[];
  signatureInput?: string | readonly string[];
}

export interface RequestShape {
  tag: RequestTag;
  hasBody: boolean;
  hasPurpose: boolean;
  hasSubject: boolean;
}

/** The covered components, in signing order, of a request with this shape. */
export function requestComponents(shape: RequestShape): string[] {
  const components = ['@method', '@target-uri', 'rabta-client'];
  if (shape.hasBody) components.push('content-digest');
  if (shape.hasPurpose) components.push('rabta-purpose');
  if (shape.hasSubject) components.push('rabta-subject');
  if (shape.tag === FORWARD_TAG) components.push('rabta-exchange-id');
  return components;
}

const nonceBits = randomDraws(16);

/** 128 random bits, base64url. */
export function newNonce(): string {
  return nonceBits().toString('base64url');
}

/** The nonce the verifier accepts: base64url, 128 to 768 bits (it is stored, so it is bounded). */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{22,128}$/;

/**
 * Looks a header up by its lower-case name, falling back to a case-insensitive
 * scan so callers may pass headers as they wrote them (`Rabta-Client`).
 */
export function headerOf(headers: HeaderBag, name: string): string | readonly string[] | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  for (const key in headers) if (key.toLowerCase() === name) return headers[key];
  return undefined;
}

/** A field's lines combined as RFC 9110 §5.3 allows (joined by ", "); undefined when absent. The one header-join helper. */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const value = headerOf(headers, name);
  return value === undefined || typeof value === 'string' ? value : value.join(', ');
}

/** A field's lines combined as RFC 9110 §5.3 allows; '' when absent. */
export function fieldValueOf(headers: HeaderBag, name: string): string {
  return headerValue(headers, name) ?? '';
}

export function hasHeader(headers: HeaderBag, name: string): boolean {
  return headerOf(headers, name) !== undefined;
}

/**
 * Whether a received request carries a body, judged from its framing headers
 * (a body of zero bytes counts as none, as it does for the signer).
 */
export function requestHasBody(headers: HeaderBag): boolean {
  if (hasHeader(headers, 'transfer-encoding')) return true;
  const length = headerOf(headers, 'content-length');
  return length !== undefined && Number(typeof length === 'string' ? length : length[0]) > 0;
}

/**
 * The `@target-uri` a server rebuilds: its configured public base URL and the
 * request target exactly as received. Deliberately not normalized — the
 * signature must cover the very path the server routes on.
 */
export function targetUriOf(publicBaseUrl: string, requestTarget: string): string {
  return publicBaseUrl.replace(/\/+$/, '') + requestTarget;
}
