import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { RabtaError } from '../core/index.js';

import type { ConsentStatus, ConsentTables } from './tables.js';

/** One change of a consent's status. The actor names a channel or a subsystem, never the citizen's CNIC. */
export interface ConsentChange {
  artefactId: string;
  /** null when the artefact is created */
  from: ConsentStatus | null;
  to: ConsentStatus;
  at: number;
  /** `consumer:PK/BANK/HBL/branch-app`, `citizen:sms`, `citizen:web`, `system:sweeper`, … */
  actor: string;
}

export interface RecordedConsentChange extends ConsentChange {
  id: string;
}

/** Where a change goes besides its row, in the same transaction (the ledger's salted commitment leaf). */
export interface ConsentChangeSink {
  record(db: Kysely<ConsentTables>, change: RecordedConsentChange): Promise<unknown>;
}

const ALLOWED: Record<ConsentStatus, readonly ConsentStatus[]> = {
  REQUESTED: ['ACTIVE', 'REJECTED', 'EXPIRED'],
  ACTIVE: ['REVOKED', 'EXPIRED'],
  REVOKED: [],
  EXPIRED: [],
  REJECTED: [],
};
const TERMINAL: readonly ConsentStatus[] = ['REVOKED', 'EXPIRED', 'REJECTED'];

/**
 * The one way a consent's status changes (REQUESTED → ACTIVE → REVOKED |
 * EXPIRED | REJECTED). Runs inside the caller's transaction: the status, its
 * `consent_changes` row and the sink's record commit together or not at all.
 * The update is conditional on the status the caller saw, so two nodes (or a
 * citizen and the sweeper) cannot both move the same artefact; the loser gets
 * a conflict.
 */
export async function recordConsentChange(db: Kysely<ConsentTables>, change: ConsentChange, sink?: ConsentChangeSink): Promise<RecordedConsentChange> {
  if (change.from === null) {
    if (change.to !== 'REQUESTED') throw new Error('a consent artefact starts as REQUESTED');
  } else {
    if (!ALLOWED[change.from].includes(change.to)) {
      throw new RabtaError('conflict', `a ${change.from} consent cannot become ${change.to}`, { extensions: { status: change.from } });
    }
    const result = await db
      .updateTable('consent_artefacts')
      .set({
        status: change.to,
        status_at: change.at,
        ...(change.to === 'ACTIVE' ? { activated_at: change.at } : {}),
        ...(TERMINAL.includes(change.to) ? { ended_at: change.at } : {}),
      })
      .where('id', '=', change.artefactId)
      .where('status', '=', change.from)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) {
      throw new RabtaError('conflict', `consent ${change.artefactId} is no longer ${change.from}`, { extensions: { id: change.artefactId } });
    }
  }
  const recorded: RecordedConsentChange = { id: randomUUID(), ...change };
  await db
    .insertInto('consent_changes')
    .values({ id: recorded.id, artefact_id: change.artefactId, from_status: change.from, to_status: change.to, at: change.at, actor: change.actor })
    .execute();
  await sink?.record(db, recorded);
  return recorded;
}

export async function listConsentChanges(db: Kysely<ConsentTables>, artefactId: string) {
  const rows = await db.selectFrom('consent_changes').selectAll().where('artefact_id', '=', artefactId).execute();
  // Status only moves forward, so the state left behind orders changes made in the same millisecond.
  const rank = (s: ConsentStatus | null) => (s === null ? 0 : s === 'REQUESTED' ? 1 : 2);
  rows.sort((a, b) => a.at - b.at || rank(a.from_status) - rank(b.from_status));
  return rows.map((r) => ({ from: r.from_status, to: r.to_status, at: new Date(r.at).toISOString(), actor: r.actor }));
}
