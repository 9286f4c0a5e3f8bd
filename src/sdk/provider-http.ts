import type { KeyObject } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { RabtaError, renderProblem } from '../core/index.js';
import { instanceKeySource } from './instance-keys.js';
import { targetUriOf } from './profile.js';
import { verifyForwarded } from './provider.js';
import type { ForwardedRequest } from './provider.js';
import type { KeyResolver } from './verify.js';

/**
 * Adapters of verifyForwarded for node:http and connect/Express. They buffer
 * the body (bounded), verify, and refuse with an RFC 9457 problem; a request
 * only reaches the application once Rabta's signature holds.
 */

export interface RabtaProviderOptions {
  /** the provider's own base URL as Rabta calls it; @target-uri is this + the request target */
  publicBaseUrl: string;
  /** Rabta's exchange keys by kid … */
  exchangeKeys?: ReadonlyMap<string, KeyObject>;
  /** … or Rabta's base URL (or its /.well-known/rabta.json), read and cached */
  keysUrl?: string;
  /** default 1 MiB */
  maxBodyBytes?: number;
  /** refuse a nonce seen before (in this process) until its signature expires; default true */
  rejectReplays?: boolean;
  now?: () => number;
}

export interface RabtaProviderRequest extends IncomingMessage {
  rabta?: ForwardedRequest;
  rawBody?: Buffer;
}

export type VerifiedProviderRequest = RabtaProviderRequest & { rabta: ForwardedRequest; rawBody: Buffer };

/** The body, buffered up to `limit` bytes (body-too-large beyond). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new RabtaError('body-too-large', `the body is ${declared} bytes, at most ${limit}`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return; // keep draining so the refusal can still be written
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new RabtaError('body-too-large', `the body is more than ${limit} bytes`));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Nonces of verified forwards, kept until their signature expires. */
function replayGuard(now: () => number) {
  const seen = new Map<string, number>();
  return (nonce: string, expiresS: number): void => {
    const nowS = Math.floor(now() / 1000);
    // Insertion order is roughly expiry order: drop from the front until one is still live.
    for (const [n, until] of seen) {
      if (until >= nowS) break;
      seen.delete(n);
    }
    if (seen.has(nonce)) throw new RabtaError('nonce-replayed', 'this forwarded request was already received');
    seen.set(nonce, expiresS);
  };
}

function refuse(res: ServerResponse, error: unknown): void {
  const problem = error instanceof RabtaError ? error : new RabtaError('internal', 'the Rabta signature could not be checked', { cause: error });
  if (res.headersSent) return void res.destroy();
  const rendered = renderProblem(problem);
  res.writeHead(rendered.status, rendered.headers);
  res.end(rendered.body);
}

/** Verifies a request; resolves with it decorated, or answers the refusal itself and resolves undefined. */
function verifier(options: RabtaProviderOptions) {
  if (!options.exchangeKeys === !options.keysUrl) throw new TypeError('give exactly one of exchangeKeys and keysUrl');
  const now = options.now ?? Date.now;
  const keys: ReadonlyMap<string, KeyObject> | KeyResolver = options.exchangeKeys ?? instanceKeySource(options.keysUrl as string, { now });
  const limit = options.maxBodyBytes ?? 1024 * 1024;
  const guard = options.rejectReplays === false ? undefined : replayGuard(now);
  return async (req: RabtaProviderRequest, res: ServerResponse): Promise<VerifiedProviderRequest | undefined> => {
    try {
      if (req.readableEnded) throw new Error('the body was already read: mount the Rabta middleware before body parsers');
      const body = await readBody(req, limit);
      // Express rewrites req.url under a mount path; the signature covers the URL Rabta called.
      const target = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
      const rabta = await verifyForwarded({
        method: req.method ?? 'GET',
        targetUri: targetUriOf(options.publicBaseUrl, target),
        headers: req.headers,
        body,
        exchangeKeys: keys,
        now: now(),
      });
      guard?.(rabta.signature.nonce, rabta.signature.expires);
      return Object.assign(req, { rabta, rawBody: body });
    } catch (error) {
      refuse(res, error);
      return undefined;
    }
  };
}

/** connect/Express middleware: sets `req.rabta` and `req.rawBody`, or answers with a problem. */
export function rabtaProvider(options: RabtaProviderOptions) {
  const check = verifier(options);
  return (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void => {
    check(req, res).then((verified) => verified && next(), next);
  };
}

/** For `http.createServer(rabtaListener(options, handler))`: the handler sees verified requests only. */
export function rabtaListener(options: RabtaProviderOptions, handler: (req: VerifiedProviderRequest, res: ServerResponse) => void | Promise<void>): RequestListener {
  const check = verifier(options);
  return (req, res) => {
    check(req, res)
      .then((verified) => verified && handler(verified, res))
      .catch((error: unknown) => refuse(res, error));
  };
}
