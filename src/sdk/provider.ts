import type { KeyObject } from 'node:crypto';
import { RabtaError } from '../core/index.js';
import { digestMatches, sha256 } from './digest.js';
import { keyResolverOf } from './instance-keys.js';
import { FORWARD_TAG, fieldValueOf, headerOf } from './profile.js';
import type { HeaderBag } from './profile.js';
import { verifyRequest } from './verify.js';
import type { KeyResolver, VerifiedSignature } from './verify.js';

/**
 * The provider side: a request that reached an upstream must carry Rabta's
 * `rabta-forward` signature, or it did not pass Rabta's checks (DESIGN.md
 * "Signed requests"). Rabta strips the client's own Rabta-* headers before
 * forwarding, so after verification these headers state what Rabta verified.
 */

export interface ForwardedRequest {
  /** the client subsystem Rabta authenticated, e.g. PK/BANK/HBL/branch-app */
  client: string;
  purpose?: string;
  subject?: string;
  exchangeId: string;
  signature: VerifiedSignature;
}

export interface VerifyForwardedInput {
  method: string;
  /** the provider's own public base URL + the request target as received (see targetUriOf) */
  targetUri: string;
  headers: HeaderBag;
  /** the whole body; zero bytes means none */
  body: Uint8Array;
  /** Rabta's exchange keys by kid, or a resolver such as instanceKeySource() */
  exchangeKeys: ReadonlyMap<string, KeyObject> | KeyResolver;
  /** epoch milliseconds */
  now?: number;
}

export async function verifyForwarded(input: VerifyForwardedInput): Promise<ForwardedRequest> {
  const hasBody = input.body.byteLength > 0;
  const signature = await verifyRequest({
    method: input.method,
    targetUri: input.targetUri,
    headers: input.headers,
    hasBody,
    tag: FORWARD_TAG,
    now: input.now,
    resolveKey: typeof input.exchangeKeys === 'function' ? input.exchangeKeys : keyResolverOf(input.exchangeKeys),
  });
  if (hasBody && !digestMatches(headerOf(input.headers, 'content-digest'), sha256(input.body))) {
    throw new RabtaError('digest-mismatch', 'the body does not match Content-Digest');
  }
  const optional = (name: string) => (headerOf(input.headers, name) === undefined ? undefined : fieldValueOf(input.headers, name));
  return {
    client: fieldValueOf(input.headers, 'rabta-client'),
    purpose: optional('rabta-purpose'),
    subject: optional('rabta-subject'),
    exchangeId: fieldValueOf(input.headers, 'rabta-exchange-id'),
    signature,
  };
}
