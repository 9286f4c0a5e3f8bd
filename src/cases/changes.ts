import { randomUUID } from 'node:crypto';
import type { Kysely, Updateable } from 'kysely';
import { RabtaError } from '../core/index.js';

import { actorLabel } from './actors.js';
import type { CaseActor } from './actors.js';
import type { CasesDeps, CaseTopic } from './deps.js';
import { assertTransition } from './states.js';
import type { CaseState } from './states.js';
import type { CaseRow, CasesTables } from './tables.js';

export interface CaseChange {
  kind: string;
  /** a state change; absent for notes, tasks and partners */
  to?: CaseState;
  actor: CaseActor;
  /** ids, members, levels — never the citizen's text */
  detail?: Record<string, unknown>;
  citizenVisible?: boolean;
  /** columns of the case row that change with it */
  set?: Updateable<CaseRow>;
  /** the `case.*` topic this change is published on */
  topic?: CaseTopic;
}

export interface RecordedChange {
  id: string;
  seq: number;
  at: number;
}

/**
 * The one way a case changes, inside the caller's transaction: the case row
 * (conditional on the version the caller read, so two writers cannot both move
 * it), a timeline entry, the ledger leaf (a salted commitment to case id,
 * seq, kind, states, actor and time — no text) and the outbox row that
 * publishes it on the instance's `case.*` topics. All commit together or not
 * at all.
 */
export async function recordChange(trx: Kysely<CasesTables>, deps: CasesDeps, row: CaseRow, change: CaseChange): Promise<RecordedChange & { row: CaseRow }> {
  if (change.to !== undefined) assertTransition(row.state, change.to);
  const at = deps.now();
  const next: CaseRow = { ...row, ...(change.set as Partial<CaseRow>), ...(change.to ? { state: change.to } : {}), updated_at: at, version: row.version + 1 };
  const result = await trx
    .updateTable('cases')
    .set({ ...change.set, ...(change.to ? { state: change.to } : {}), updated_at: at, version: next.version })
    .where('id', '=', row.id)
    .where('version', '=', row.version)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    throw new RabtaError('conflict', `case ${row.reference} changed meanwhile; read it again`, { extensions: { reference: row.reference } });
  }
  const last = await trx.selectFrom('case_timeline').select((eb) => eb.fn.max('seq').as('seq')).where('case_id', '=', row.id).executeTakeFirst();
  const seq = Number(last?.seq ?? 0) + 1;
  const id = randomUUID();
  const detail = change.detail ?? {};
  const actor = actorLabel(change.actor);
  await trx
    .insertInto('case_timeline')
    .values({
      id,
      case_id: row.id,
      seq,
      at,
      kind: change.kind,
      from_state: change.to ? row.state : null,
      to_state: change.to ?? (change.kind === 'opened' ? row.state : null),
      actor,
      detail: JSON.stringify(detail),
      citizen_visible: change.citizenVisible === false ? 0 : 1,
    })
    .execute();
  await deps.ledger.append(trx, {
    ref: id,
    at,
    record: { case: row.id, reference: row.reference, seq, kind: change.kind, from: change.to ? row.state : null, to: change.to ?? (change.kind === 'opened' ? row.state : null), actor, at, detail },
  });
  if (change.topic) await queueEvent(trx, change.topic, next, at, { change: change.kind, seq, ...detail });
  return { id, seq, at, row: next };
}

/** What the institutions on the case hear: the case's public face, never the citizen's text or CNIC. */
export async function queueEvent(trx: Kysely<CasesTables>, topic: CaseTopic, row: CaseRow, at: number, extra: Record<string, unknown>): Promise<void> {
  const partners = (await trx.selectFrom('case_partners').select('member_id').where('case_id', '=', row.id).orderBy('member_id').execute()).map((p) => p.member_id);
  const payload = {
    reference: row.reference,
    caseId: row.id,
    state: row.state,
    category: row.category,
    lead: row.lead_member,
    partners,
    district: row.district,
    escalationLevel: row.escalation_level,
    resolutionDue: row.resolution_due === null ? null : new Date(row.resolution_due).toISOString(),
    at: new Date(at).toISOString(),
    ...extra,
  };
  await trx.insertInto('case_outbox').values({ case_id: row.id, topic, payload: JSON.stringify(payload), at, published_at: null }).execute();
}
