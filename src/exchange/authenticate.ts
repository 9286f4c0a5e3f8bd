import type { IncomingHttpHeaders } from 'node:http';
import { RabtaError } from '../core/index.js';
import type { Registry, RegistryView } from '../registry/index.js';
import { digestMatches, headerValue, requestHasBody, targetUriOf, verifyRequest } from '../sdk/index.js';
import type { WriteBatcher } from '../store/index.js';
import { spendNonce } from './nonces.js';
import type { ExchangeTables } from './tables.js';

export interface SignedCaller {
  clientId: string;
  /** the registry as this call saw it, for the checks that follow */
  view: RegistryView;
  keyId: string;
  /** the request's Signature and Signature-Input, to bind the signed response to */
  signature: string;
  signatureInput: string;
}

/** What authentication reads of a request: its head, never its body. */
export interface SignedRequestHead {
  method: string;
  /** path and query exactly as received */
  url: string;
  headers: IncomingHttpHeaders;
}

export interface AuthenticateDeps {
  batch: WriteBatcher<ExchangeTables>;
  registry: Registry;
  publicUrl: string;
  now: () => number;
}

/**
 * Who signed this request (DESIGN.md "Signed requests"): the keyid must be an
 * approved key in force of the subsystem in Rabta-Client, the signature must
 * verify over the target URI rebuilt from the public URL, and its nonce is
 * spent once, in the shared database. Every signed Rabta API uses this.
 */
export async function authenticateSigned(deps: AuthenticateDeps, request: SignedRequestHead): Promise<SignedCaller> {
  const clientId = headerValue(request.headers, 'rabta-client');
  if (clientId === undefined) throw new RabtaError('missing-header', 'Rabta-Client is required', { extensions: { header: 'Rabta-Client' } });
  const view = await deps.registry.view();
  if (!(await view.subsystemExists(clientId))) throw new RabtaError('unknown-client', `no subsystem ${clientId} is registered`);
  const verified = await verifyRequest({
    method: request.method,
    targetUri: targetUriOf(deps.publicUrl, request.url),
    headers: request.headers,
    hasBody: requestHasBody(request.headers),
    tag: 'rabta-request',
    now: deps.now(),
    resolveKey: (keyId) => view.clientKey(clientId, keyId),
  });
  // A nonce stays spent for as long as its signature could be accepted.
  const spendUntil = (verified.expires + 60) * 1000;
  if (!(await deps.batch.run((trx) => spendNonce(trx, verified.keyId, verified.nonce, spendUntil)))) {
    throw new RabtaError('nonce-replayed', 'this signature’s nonce was already used');
  }
  return {
    clientId,
    view,
    keyId: verified.keyId,
    signature: headerValue(request.headers, 'signature') as string,
    signatureInput: headerValue(request.headers, 'signature-input') as string,
  };
}

/** `authenticateSigned` bound to an instance: the one authenticator every signed route is given. */
export function signedAuthenticator(deps: AuthenticateDeps): (request: SignedRequestHead) => Promise<SignedCaller> {
  return (request) => authenticateSigned(deps, request);
}

/**
 * The second check of every signed request, once its body is in: a body must
 * match its Content-Digest (RFC 9530, sha-256), which the signature covers.
 */
export function checkContentDigest(headers: IncomingHttpHeaders, bodySha256: Buffer): void {
  if (requestHasBody(headers) && !digestMatches(headers['content-digest'], bodySha256)) {
    throw new RabtaError('digest-mismatch', 'the body does not match Content-Digest');
  }
}
