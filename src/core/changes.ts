import type { Kysely } from 'kysely';

/** Who did something through the admin API or a local command. */
export interface Actor {
  /** operator id, or `system` for bootstrap and the demo seed */
  id: string;
  role: 'authority-admin' | 'member-admin' | 'system';
  memberId: string | null;
}

export const SYSTEM_ACTOR: Actor = { id: 'system', role: 'system', memberId: null };

/** One registry change: who, what, on which object, when. Holds no personal data. */
export interface Change {
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
  at: number;
}

/**
 * Every registry change passes through `record`, inside the same transaction as
 * the change itself, so the journal and the registry never disagree.
 */
export interface ChangeRecorder<DB> {
  record(db: Kysely<DB>, change: Change): Promise<unknown>;
}

/**
 * Runs a governed change and its journal entry in one transaction, so the
 * journal and the records never disagree. Registry, topics and subscriptions
 * all change this way.
 */
export async function journaledChange<DB, T>(
  deps: { db: Kysely<DB>; recorder: ChangeRecorder<DB>; now: () => number },
  actor: Actor,
  action: string,
  target: string,
  details: Record<string, unknown>,
  apply: (db: Kysely<DB>) => Promise<T>,
): Promise<T> {
  return deps.db.transaction().execute(async (trx) => {
    const result = await apply(trx);
    await deps.recorder.record(trx, { actor: actor.id, action, target, details, at: deps.now() });
    return result;
  });
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * The journal is public and kept forever, while a URL a member registers may
 * carry a secret in its userinfo or query (`…/hook?token=…`). A URL goes into
 * the journal as scheme, host and path; `?…` says a query was left out.
 */
export function journalUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  if (url.origin === 'null') return value;
  return `${url.origin}${url.pathname}${url.search ? '?…' : ''}`;
}

/** A change's details as the public journal keeps them: every URL in them through `journalUrl`. */
export function journalDetails(details: Record<string, unknown>): Record<string, unknown> {
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return URL_LIKE.test(value) ? journalUrl(value) : value;
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  return walk(details) as Record<string, unknown>;
}
