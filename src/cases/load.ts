import type { Kysely } from 'kysely';
import { RabtaError } from '../core/index.js';

import { parseReference } from './reference.js';
import type { CaseRow, CasesTables } from './tables.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A case by its reference (as typed: any case, spaces, Urdu digits) or id; a wrong check digit is its own problem. */
export async function loadCase(db: Kysely<CasesTables>, key: string): Promise<CaseRow> {
  const reference = UUID.test(key) ? undefined : parseReference(key);
  if (!UUID.test(key) && !reference) throw new RabtaError('unknown-case', `${key} is not a case reference (RB-YY-NNNNNN-C)`, { extensions: { reference: key } });
  const row = await db
    .selectFrom('cases')
    .selectAll()
    .where(reference ? 'reference' : 'id', '=', reference ?? key.toLowerCase())
    .executeTakeFirst();
  if (!row) throw new RabtaError('unknown-case', `case ${reference ?? key} does not exist`, { extensions: { reference: reference ?? key } });
  return row;
}

export async function partnersOf(db: Kysely<CasesTables>, caseId: string): Promise<string[]> {
  return (await db.selectFrom('case_partners').select('member_id').where('case_id', '=', caseId).orderBy('member_id').execute()).map((r) => r.member_id);
}
