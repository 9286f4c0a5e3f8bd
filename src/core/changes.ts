import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';

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
export interface ChangeRecorder {
  record(db: Kysely<Database>, change: Change): Promise<unknown>;
}

/**
 * Runs a governed change and its journal entry in one transaction, so the
 * journal and the records never disagree. Registry, topics and subscriptions
 * all change this way.
 */
export async function journaledChange<T>(
  deps: { db: Kysely<Database>; recorder: ChangeRecorder; now: () => number },
  actor: Actor,
  action: string,
  target: string,
  details: Record<string, unknown>,
  apply: (db: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return deps.db.transaction().execute(async (trx) => {
    const result = await apply(trx);
    await deps.recorder.record(trx, { actor: actor.id, action, target, details, at: deps.now() });
    return result;
  });
}
