import type { KeyObject } from 'node:crypto';
import { request } from 'undici';
import { RabtaError } from '../core/index.js';
import { keyIdOf, publicKeyFromJwk } from './keys.js';
import type { KeyResolver } from './verify.js';

/**
 * Rabta's exchange keys, read from `/.well-known/rabta.json`, which lists
 * every public key in force with its validity (DESIGN.md "Keys"). During a
 * rotation old and new are both listed, so a map of all of them is returned.
 */

const WELL_KNOWN = '/.well-known/rabta.json';

interface ListedKey {
  use?: unknown;
  jwk?: { kid?: unknown } & Record<string, unknown>;
  notBefore?: unknown;
  notAfter?: unknown;
}

/** Accepts Rabta's base URL or the full well-known URL. */
export function wellKnownUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.endsWith(WELL_KNOWN) ? trimmed : trimmed + WELL_KNOWN;
}

function inForce(key: ListedKey, now: number): boolean {
  const time = (value: unknown, name: string): number | null => {
    if (value === null || value === undefined) return null;
    const t = typeof value === 'string' ? Date.parse(value) : NaN;
    if (Number.isNaN(t)) throw new RabtaError('unavailable', `rabta.json: a key's ${name} is not an ISO time`);
    return t;
  };
  const notBefore = time(key.notBefore, 'notBefore');
  const notAfter = time(key.notAfter, 'notAfter');
  return (notBefore === null || notBefore <= now) && (notAfter === null || now < notAfter);
}

/** The exchange keys in force at `now`, by kid. */
export async function fetchInstanceKeys(baseUrl: string, options: { now?: number } = {}): Promise<Map<string, KeyObject>> {
  const url = wellKnownUrl(baseUrl);
  let doc: unknown;
  try {
    const response = await request(url, { headers: { accept: 'application/json' } });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new Error(`HTTP ${response.statusCode}`);
    }
    doc = await response.body.json();
  } catch (error) {
    throw new RabtaError('unavailable', `cannot read ${url}: ${(error as Error).message}`, { cause: error });
  }
  const keys = (doc as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) throw new RabtaError('unavailable', `${url} has no keys list`);
  const now = options.now ?? Date.now();
  const found = new Map<string, KeyObject>();
  for (const key of keys as ListedKey[]) {
    if (key?.use !== 'exchange' || !key.jwk || !inForce(key, now)) continue;
    const kid = await keyIdOf(key.jwk);
    // A kid that is not the thumbprint would make signatures name a key other than the one used.
    if (key.jwk.kid !== undefined && key.jwk.kid !== kid) throw new RabtaError('unavailable', `${url}: kid ${String(key.jwk.kid)} is not the key's thumbprint ${kid}`);
    found.set(kid, publicKeyFromJwk(key.jwk));
  }
  if (found.size === 0) throw new RabtaError('unavailable', `${url} lists no exchange key in force`);
  return found;
}

export interface KeySourceOptions {
  /** re-read the document this often (ms); default 10 minutes */
  refreshMs?: number;
  /** an unknown kid triggers a re-read at most this often (ms); default 30 s */
  unknownKidRefetchMs?: number;
  now?: () => number;
}

/**
 * A resolver over the well-known document, cached. An unknown kid re-reads the
 * document (a rotation may just have happened), but not more often than
 * `unknownKidRefetchMs`, so forged kids cannot make us hammer Rabta. When a
 * refresh fails, the keys already known stay in use until one succeeds.
 */
export function instanceKeySource(url: string, options: KeySourceOptions = {}): KeyResolver {
  const refreshMs = options.refreshMs ?? 10 * 60_000;
  const refetchMs = options.unknownKidRefetchMs ?? 30_000;
  const now = options.now ?? Date.now;
  let keys: Map<string, KeyObject> | undefined;
  let fetchedAt = -Infinity;
  let triedAt = -Infinity;
  let loading: Promise<void> | undefined;
  const load = async (): Promise<void> => {
    triedAt = now();
    loading ??= fetchInstanceKeys(url, { now: now() })
      .then((fresh) => {
        keys = fresh;
        fetchedAt = now();
      })
      .finally(() => {
        loading = undefined;
      });
    try {
      await loading;
    } catch (error) {
      if (!keys) throw error;
    }
  };
  const mayTry = () => !keys || now() - triedAt > refetchMs;
  return async (kid) => {
    if (now() - fetchedAt > refreshMs && mayTry()) await load();
    if (!keys?.has(kid) && mayTry()) await load();
    const key = keys?.get(kid);
    if (!key) throw new RabtaError('unknown-key', `${kid} is not an exchange key of this Rabta instance`);
    return key;
  };
}

/** A resolver over a fixed map of keys. */
export function keyResolverOf(keys: ReadonlyMap<string, KeyObject>): KeyResolver {
  return async (kid) => {
    const key = keys.get(kid);
    if (!key) throw new RabtaError('unknown-key', `${kid} is not a known exchange key`);
    return key;
  };
}
