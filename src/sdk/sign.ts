import { sign as cryptoSign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { signatureBase } from './base.js';
import type { RequestMessage, ResponseMessage } from './base.js';
import { item, serializeInnerList } from './sfv.js';
import type { BareItem, InnerList, Item, Params } from './sfv.js';
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
 * What to cover, and the signing itself. http-message-signatures (which
 * reproduces RFC 9421 B.2.6) is the reference the lean signer is tested
 * against byte for byte; the hot path uses the lean one.
 */

export interface SignatureOptions {
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

/**
 * The library's signer, kept as the reference: tests check that the lean
 * signer below emits exactly what this one does.
 */
export async function signWithLibrary(
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

/**
 * The gateway signs twice per exchange (the forward and the response), and the
 * library's signer costs about three Ed25519 signatures each (~98 µs against
 * ~34 µs). This builds the same Signature-Input with the RFC 8941 serializer
 * and the same signature base the verifier uses, then signs once.
 */
function signLean(
  fields: readonly string[],
  options: SignatureOptions,
  tag: string,
  message: RequestMessage | ResponseMessage,
  request?: RequestMessage,
): SignatureHeaders {
  const values = parameterValues(options, tag);
  const params: Params = new Map<string, BareItem>([
    ['created', values.created.getTime() / 1000],
    ['expires', values.expires.getTime() / 1000],
    ['nonce', values.nonce],
    ['keyid', values.keyid],
    ['alg', values.alg],
    ['tag', values.tag],
  ]);
  const components: InnerList = { kind: 'list', items: fields.map(componentItem), params };
  const signatureParams = serializeInnerList(components);
  const base = signatureBase(components, message, request);
  const signature = cryptoSign(null, Buffer.from(base), privateKeyFrom(options.privateKey));
  return {
    'signature-input': `${SIGNATURE_LABEL}=${signatureParams}`,
    signature: `${SIGNATURE_LABEL}=:${signature.toString('base64')}:`,
  };
}

/** `signature;req;key="sig1"` → the item `"signature";req;key="sig1"`. */
function componentItem(field: string): Item {
  const [name, ...rest] = field.split(';') as [string, ...string[]];
  const params: Params = new Map();
  for (const part of rest) {
    const [key, value] = part.split('=') as [string, string | undefined];
    params.set(key, value === undefined ? true : value.replace(/^"|"$/g, ''));
  }
  return item(name, params);
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
  const message = { method: input.method.toUpperCase(), targetUri: input.targetUri, headers: coveredFields(fields, input.headers, added) };
  return { ...signLean(fields, input, input.tag, message), ...added };
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
  // Only the request's Signature field is read for `;req`; method and target are placeholders.
  const request = { method: 'GET', targetUri: 'http://request.invalid/', headers: { signature: typeof requestSignature === 'string' ? requestSignature : [...requestSignature] } };
  return { ...signLean(fields, input, RESPONSE_TAG, response, request), ...added };
}
