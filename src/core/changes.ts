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
