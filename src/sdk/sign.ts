import type { KeyObject } from 'node:crypto';
import { createSigner, httpbis } from 'http-message-signatures';
import type { Request as LibRequest, Response as LibResponse } from 'http-message-signatures';
import { contentDigest } from './digest.js';
import { privateKeyFrom } from './keys.js';
import {
  DEFAULT_EXPIRES_IN,
  MAX_WINDOW,
  RESPONSE_COMPONENTS,
  RESPONSE_TAG,
  SIGNATURE_ALG,
  SIGNATURE_LABEL,
  SIGNATURE_PARAMS,
  hasHeader,
  headerOf,
  newNonce,
  requestComponents,
} from './profile.js';
import type { HeaderBag, RequestSignature, RequestTag } from './profile.js';

/**
 * Signing goes through http-message-signatures: it reproduces RFC 9421
 * B.2.6 and serializes with a full RFC 8941 implementation, so what we emit is
 * what other implementations expect. This file only decides what to cover.
 */

interface SignatureOptions {
  keyId: string;
  privateKey: KeyObject | string;
  /** epoch milliseconds; default now */
  created?: number;
  /** seconds until `expires`; default 60, at most 300 */
  expiresIn?: number;
  nonce?: string;
}

export interface SignRequestInput extends SignatureOptions {
  method: string;
  targetUri: string;
  /** the headers the request will carry; any case */
  headers: HeaderBag;
  /**
   * The body. Zero bytes count as no body. When the body is streamed, leave
   * this out and put its Content-Digest in `headers`: that header means a body.
   */
  body?: Uint8Array;
  tag: RequestTag;
}

/** Headers to add to the message (lower-case names). */
export interface SignatureHeaders {
  'signature-input': string;
  signature: string;
  'content-digest'?: string;
}

function parameterValues(options: SignatureOptions, tag: string) {
  const expiresIn = options.expiresIn ?? DEFAULT_EXPIRES_IN;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_WINDOW) {
    throw new RangeError(`expiresIn must be a whole number of seconds from 1 to ${MAX_WINDOW}`);
  }
  const created = Math.floor((options.created ?? Date.now()) / 1000);
  return {
    created: new Date(created * 1000),
    expires: new Date((created + expiresIn) * 1000),
    nonce: options.nonce ?? newNonce(),
    keyid: options.keyId,
    alg: SIGNATURE_ALG,
    tag,
  };
}

/** Collects the covered fields; a value that is absent or not visible ASCII could never verify. */
function coveredFields(fields: readonly string[], ...sources: HeaderBag[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name of fields) {
    if (name.startsWith('@') || name.includes(';')) continue;
    const value = sources.map((s) => headerOf(s, name)).find((v) => v !== undefined);
    if (value === undefined) throw new TypeError(`the ${name} header is required`);
    const lines = typeof value === 'string' ? [value] : [...value];
    if (lines.some((line) => !/^[\x20-\x7e\t]*$/.test(line))) throw new TypeError(`the ${name} header must be printable ASCII`);
    out[name] = lines;
  }
  return out;
}

async function sign(
  fields: readonly string[],
  options: SignatureOptions,
  tag: string,
  message: LibRequest | LibResponse,
  request?: LibRequest,
): Promise<SignatureHeaders> {
  const config = {
    key: createSigner(privateKeyFrom(options.privateKey), SIGNATURE_ALG, options.keyId),
    name: SIGNATURE_LABEL,
    fields: [...fields],
    params: [...SIGNATURE_PARAMS],
    paramValues: parameterValues(options, tag),
  };
  const signed = request ? await httpbis.signMessage(config, message as LibResponse, request) : await httpbis.signMessage(config, message as LibRequest);
  return { 'signature-input': String(signed.headers['Signature-Input']), signature: String(signed.headers['Signature']) };
}

export async function signRequest(input: SignRequestInput): Promise<SignatureHeaders> {
  const hasBody = input.body ? input.body.byteLength > 0 : hasHeader(input.headers, 'content-digest');
  const added: HeaderBag = hasBody && !hasHeader(input.headers, 'content-digest') && input.body ? { 'content-digest': contentDigest(input.body) } : {};
  const fields = requestComponents({
    tag: input.tag,
    hasBody,
    hasPurpose: hasHeader(input.headers, 'rabta-purpose'),
    hasSubject: hasHeader(input.headers, 'rabta-subject'),
  });
  // The library upper-cases @method; doing it here keeps the signed value and the sent one equal.
  const message = { method: input.method.toUpperCase(), url: input.targetUri, headers: coveredFields(fields, input.headers, added) };
  return { ...(await sign(fields, input, input.tag, message)), ...added };
}

export interface SignResponseInput extends SignatureOptions {
  status: number;
  headers: HeaderBag;
  /** the whole body; may be left out when `headers` already holds its Content-Digest */
  body?: Uint8Array;
  /** the request answered: its Signature field is what the response is bound to */
  request: RequestSignature;
}

export async function signResponse(input: SignResponseInput): Promise<SignatureHeaders> {
  if (!hasHeader(input.headers, 'content-digest') && !input.body) throw new TypeError('a response signature covers content-digest: give the body or its Content-Digest');
  const added: HeaderBag = hasHeader(input.headers, 'content-digest') ? {} : { 'content-digest': contentDigest(input.body ?? new Uint8Array()) };
  const fields = RESPONSE_COMPONENTS;
  const response = { status: input.status, headers: coveredFields(fields, input.headers, added) };
  const requestSignature = input.request.signature;
  if (!requestSignature) throw new TypeError('the request has no Signature field to bind the response to');
  // Only the request's Signature field is read for `;req`; method and url are there to satisfy the library's request type.
  const request = { method: 'GET', url: 'http://request.invalid/', headers: { signature: typeof requestSignature === 'string' ? requestSignature : [...requestSignature] } };
  return { ...(await sign(fields, input, RESPONSE_TAG, response, request)), ...added };
}
