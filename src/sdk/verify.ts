import { verify as ed25519Verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { RabtaError } from '../core/index.js';
import { signatureBase } from './base.js';
import type { RequestMessage, ResponseMessage } from './base.js';
import { digestMatches, sha256 } from './digest.js';
import {
  CLOCK_SKEW,
  MAX_WINDOW,
  NONCE_PATTERN,
  RESPONSE_COMPONENTS,
  RESPONSE_TAG,
  SIGNATURE_ALG,
  SIGNATURE_LABEL,
  fieldValueOf,
  hasHeader,
  requestComponents,
} from './profile.js';
import type { HeaderBag, RequestSignature, RequestTag } from './profile.js';
import { parseDictionary, serializeBareItem, serializeParams } from './sfv.js';
import type { InnerList, Item } from './sfv.js';

/**
 * Verification of the Rabta profile, hand-written for the gateway's hot path
 * (see base.ts for why not the library). The checks run cheapest and most
 * specific first: headers, parsing, label, tag, algorithm, coverage, time —
 * and only then the caller's key lookup (a database read) and Ed25519.
 */

/** Finds the public key for a keyid, or throws RabtaError (unknown-key, key-revoked, …). */
export type KeyResolver = (keyId: string) => Promise<KeyObject>;

export interface VerifiedSignature {
  keyId: string;
  /** unix seconds */
  created: number;
  /** unix seconds; a replay store must remember the nonce until then */
  expires: number;
  nonce: string;
  /** the covered components as listed in Signature-Input */
  components: string[];
}

export interface VerifyRequestInput {
  method: string;
  /** rebuilt from the configured public base URL, never from Host (see targetUriOf) */
  targetUri: string;
  headers: HeaderBag;
  hasBody: boolean;
  tag: RequestTag;
  /** epoch milliseconds; default now */
  now?: number;
  resolveKey: KeyResolver;
}

export interface VerifyResponseInput {
  status: number;
  headers: HeaderBag;
  body: Uint8Array;
  /** the request this answers, as sent: its Signature field is covered with `;req` */
  request: RequestSignature;
  now?: number;
  resolveKey: KeyResolver;
}

const malformed = (detail: string) => new RabtaError('malformed-signature', detail);

function requireHeaders(headers: HeaderBag, names: readonly string[]): void {
  for (const name of names) if (!hasHeader(headers, name)) throw new RabtaError('missing-header', name);
}

interface Candidate {
  input: InnerList;
  signature: Uint8Array;
  keyId: string;
  created: number;
  expires: number;
  nonce: string;
}

function parseCandidate(headers: HeaderBag, tag: string): Candidate {
  let input, signature;
  try {
    input = parseDictionary(fieldValueOf(headers, 'signature-input')).get(SIGNATURE_LABEL);
    signature = parseDictionary(fieldValueOf(headers, 'signature')).get(SIGNATURE_LABEL);
  } catch (error) {
    throw malformed((error as Error).message);
  }
  if (!input || !signature) throw malformed(`no signature labelled ${SIGNATURE_LABEL} in both Signature and Signature-Input`);
  if (input.kind !== 'list') throw malformed(`Signature-Input ${SIGNATURE_LABEL} is not an inner list`);
  if (signature.kind !== 'item' || !(signature.value instanceof Uint8Array)) throw malformed(`Signature ${SIGNATURE_LABEL} is not a byte sequence`);

  const p = input.params;
  const integer = (name: string): number => {
    const value = p.get(name);
    if (typeof value !== 'number') throw malformed(`the signature needs an integer ${name} parameter`);
    return value;
  };
  const string = (name: string): string => {
    const value = p.get(name);
    if (typeof value !== 'string' || value === '') throw malformed(`the signature needs a string ${name} parameter`);
    return value;
  };
  const candidate = {
    input,
    signature: signature.value,
    created: integer('created'),
    expires: integer('expires'),
    nonce: string('nonce'),
    keyId: string('keyid'),
  };
  if (!NONCE_PATTERN.test(candidate.nonce)) throw malformed('the nonce must be 128 to 768 bits in base64url');
  // keyid and nonce reach the caller's database; an unbounded one is refused here.
  if (candidate.keyId.length > 256) throw malformed('the keyid is longer than 256 characters');
  const actualTag = string('tag');
  if (actualTag !== tag) throw new RabtaError('signature-wrong-tag', `expected tag "${tag}", the signature has "${actualTag}"`);
  const alg = string('alg');
  if (alg !== SIGNATURE_ALG) throw new RabtaError('signature-algorithm-unsupported', `alg "${alg}" is not ${SIGNATURE_ALG}`);
  return candidate;
}

/** A component's name and parameters, parameters sorted, so `;key=…;req` and `;req;key=…` are one component. */
function identity(component: Item): string {
  if (typeof component.value !== 'string') throw malformed('a covered component must be a string');
  const params = [...component.params].map(([k, v]) => `;${k}${v === true ? '' : `=${serializeBareItem(v)}`}`);
  return component.value + params.sort().join('');
}

const specIdentity = (spec: string): string => {
  const [name, ...params] = spec.split(';');
  return name + params.map((p) => `;${p}`).sort().join('');
};

const WHY: Record<string, string> = {
  'content-digest': ' (the message has a body)',
  'rabta-purpose': ' (Rabta-Purpose is present)',
  'rabta-subject': ' (Rabta-Subject is present)',
};

function checkCoverage(input: InnerList, required: readonly string[]): string[] {
  const covered = new Set<string>();
  const listed: string[] = [];
  for (const component of input.items) {
    const id = identity(component);
    if (covered.has(id)) throw malformed(`${id} is covered twice`);
    covered.add(id);
    listed.push(String(component.value) + serializeParams(component.params));
  }
  const wanted = required.map(specIdentity);
  for (const id of wanted) if (!covered.has(id)) throw new RabtaError('signature-coverage', `the signature must cover ${id}${WHY[id] ?? ''}`);
  for (const id of covered) if (!wanted.includes(id)) throw new RabtaError('signature-coverage', `the signature covers ${id}, which the profile does not allow here`);
  return listed;
}

function checkTime(c: Candidate, now: number): void {
  const nowS = Math.floor(now / 1000);
  if (c.expires <= c.created) throw malformed('expires must be after created');
  if (c.created > nowS + CLOCK_SKEW) throw new RabtaError('signature-not-yet-valid', `created ${c.created} is more than ${CLOCK_SKEW} s ahead of ${nowS}`);
  if (c.expires < nowS) throw new RabtaError('signature-expired', `expired at ${c.expires}, now ${nowS}`);
  if (c.expires - c.created > MAX_WINDOW) throw new RabtaError('signature-window-too-long', `expires − created is ${c.expires - c.created} s, at most ${MAX_WINDOW}`);
}

async function finish(c: Candidate, components: string[], message: RequestMessage | ResponseMessage, resolveKey: KeyResolver, request?: RequestMessage): Promise<VerifiedSignature> {
  let base: string;
  try {
    base = signatureBase(c.input, message, request);
  } catch (error) {
    throw malformed((error as Error).message);
  }
  const key = await resolveKey(c.keyId);
  if (key.asymmetricKeyType !== 'ed25519') throw new RabtaError('internal', `the key resolved for ${c.keyId} is not an Ed25519 key`);
  if (!ed25519Verify(null, Buffer.from(base), key, c.signature)) throw new RabtaError('bad-signature', `the signature by ${c.keyId} does not verify`);
  return { keyId: c.keyId, created: c.created, expires: c.expires, nonce: c.nonce, components };
}

export async function verifyRequest(input: VerifyRequestInput): Promise<VerifiedSignature> {
  const { headers, tag } = input;
  requireHeaders(headers, ['signature', 'signature-input', 'rabta-client']);
  if (input.hasBody) requireHeaders(headers, ['content-digest']);
  if (tag === 'rabta-forward') requireHeaders(headers, ['rabta-exchange-id']);
  const candidate = parseCandidate(headers, tag);
  const required = requestComponents({ tag, hasBody: input.hasBody, hasPurpose: hasHeader(headers, 'rabta-purpose'), hasSubject: hasHeader(headers, 'rabta-subject') });
  const components = checkCoverage(candidate.input, required);
  checkTime(candidate, input.now ?? Date.now());
  return finish(candidate, components, { method: input.method, targetUri: input.targetUri, headers }, input.resolveKey);
}

/** Verifies a response signature and its Content-Digest against the body. */
export async function verifyResponse(input: VerifyResponseInput): Promise<VerifiedSignature> {
  const { headers } = input;
  requireHeaders(headers, ['signature', 'signature-input', 'content-digest', 'rabta-exchange-id']);
  if (!input.request.signature) throw new TypeError('the request has no Signature field to check the binding against');
  const candidate = parseCandidate(headers, RESPONSE_TAG);
  const components = checkCoverage(candidate.input, RESPONSE_COMPONENTS);
  checkTime(candidate, input.now ?? Date.now());
  // The related request needs only its headers: the response covers nothing else of it.
  const request: RequestMessage = { method: '', targetUri: '', headers: { signature: input.request.signature } };
  const verified = await finish(candidate, components, { status: input.status, headers }, input.resolveKey, request);
  if (!digestMatches(fieldValueOf(headers, 'content-digest'), sha256(input.body))) throw new RabtaError('digest-mismatch', 'the response body does not match its Content-Digest');
  return verified;
}
