import { lookup as systemLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Agent, buildConnector } from 'undici';
import { RabtaError } from '../core/index.js';
import { addressGuard, type EgressPolicy, type Verdict } from './addresses.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Name resolution, injectable so tests can make a name resolve anywhere. */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export interface DispatcherOptions {
  /** TCP (and TLS) connect timeout. Default 10 s. */
  connectTimeoutMs?: number;
  /** Connections per upstream origin; further requests queue. Default 64. */
  connections?: number;
  /** Idle time before a pooled connection is dropped. Default 4 s. */
  keepAliveTimeoutMs?: number;
  resolve?: Resolver;
  /** For upstreams behind a private CA or requiring a client certificate. */
  tls?: Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'passphrase' | 'pfx' | 'minVersion' | 'ciphers'>;
}

const systemResolver: Resolver = (hostname) => systemLookup(hostname, { all: true });

/**
 * An undici Agent that only ever connects to addresses the policy allows. The
 * check runs on the address handed to `connect()` itself, after resolution, so
 * a name that resolves to a public address for a pre-check and a private one a
 * moment later (DNS rebinding) gains nothing. It never follows redirects: undici
 * 7 only does so through an interceptor, which is not installed here.
 */
export function createDispatcher(policy: EgressPolicy, options: DispatcherOptions = {}): Agent {
  const check = addressGuard(policy);
  const connector = buildConnector({
    ...options.tls,
    timeout: options.connectTimeoutMs ?? 10_000,
    lookup: guardedLookup(check, options.resolve ?? systemResolver),
  });
  const connect: buildConnector.connector = (target, callback) => {
    // Node skips `lookup` for a literal IP, so a literal is judged here instead.
    if (isIP(target.hostname) !== 0) {
      const verdict = check(target.hostname);
      if (!verdict.allowed) {
        // Deferred: undici does not expect its connect callback to run synchronously.
        process.nextTick(() => callback(refusal(target.hostname, target.hostname, verdict), null));
        return;
      }
    }
    connector(target, callback);
  };
  return new Agent({
    connect,
    // Many concurrent exchanges to a handful of institutional upstreams: keep a
    // bounded pool per origin rather than open a socket per request (institution
    // servers are often modest), and never pipeline, so that one slow response
    // cannot hold up unrelated requests queued behind it.
    connections: options.connections ?? 64,
    pipelining: 1,
    // Below the 5 s idle timeout of common servers (Node's included), so we
    // rarely reuse a socket the upstream is about to close.
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
    keepAliveMaxTimeout: 60_000,
    // Backstops for modules that use the dispatcher directly; callUpstream sets its own.
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
}

function guardedLookup(check: (address: string) => Verdict, resolve: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    resolve(hostname).then(
      (found) => {
        const candidates = family === 4 || family === 6 ? found.filter((a) => a.family === family) : found;
        // Only allowed addresses are offered to connect(); a name with none is refused.
        const allowed = candidates.filter((a) => check(a.address).allowed);
        const first = allowed[0];
        if (first === undefined) {
          const refused = candidates[0];
          callback(refused ? refusal(hostname, refused.address, check(refused.address)) : notFound(hostname), '');
        } else if (options.all === true) {
          callback(null, allowed.map((a) => ({ address: a.address, family: a.family })));
        } else {
          callback(null, first.address, first.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}

function refusal(host: string, address: string, verdict: Verdict): RabtaError {
  const classes = verdict.classes.filter((cls) => cls !== 'public');
  // The address stays out of the problem document (it maps a member's network);
  // it travels in `cause` for the logs.
  return new RabtaError('egress-refused', `The upstream address is ${classes.join(' and ')}, which the egress policy does not allow`, {
    extensions: { addressClasses: classes },
    cause: { host, address },
  });
}

function notFound(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' });
}
