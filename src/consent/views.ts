import type { Kysely } from 'kysely';

import { listConsentChanges } from './changes.js';
import { memoNames } from './names.js';
import type { MemberName, Names, PurposeName } from './names.js';
import type { ConsentArtefactRow, ConsentStatus, ConsentTables } from './tables.js';

/** A consent as its citizen sees it: who asks, from whom, what for, until when, and how to answer by SMS. */
export interface ConsentForCitizen {
  id: string;
  status: ConsentStatus;
  statusAt: string;
  consumer: { subsystem: string; institution: MemberName };
  provider: MemberName;
  services: string[];
  purpose: PurposeName;
  dataLifeDays: number;
  frequency: { count: number; per: 'day' | 'month' };
  validFrom: string;
  validUntil: string;
  requestedAt: string;
  /** the code to answer by SMS while the request or consent is live */
  replyCode: string | null;
  artefact: string;
  history: Array<{ from: string | null; to: string; at: string; actor: string }>;
}

export async function consentsOfCitizen(db: Kysely<ConsentTables>, names: Names, subjectHash: string): Promise<ConsentForCitizen[]> {
  const rows = await db.selectFrom('consent_artefacts').selectAll().where('subject_hash', '=', subjectHash).orderBy('requested_at', 'desc').orderBy('id').limit(500).execute();
  const memo = memoNames(names);
  return Promise.all(rows.map((row) => consentForCitizen(db, memo, row)));
}

export async function consentForCitizen(db: Kysely<ConsentTables>, names: Names, row: ConsentArtefactRow): Promise<ConsentForCitizen> {
  const live = row.status === 'REQUESTED' || row.status === 'ACTIVE';
  return {
    id: row.id,
    status: row.status,
    statusAt: new Date(row.status_at).toISOString(),
    consumer: { subsystem: row.consumer_id, institution: await names.member(row.consumer_id) },
    provider: await names.member(row.provider_id),
    services: JSON.parse(row.services) as string[],
    purpose: await names.purpose(row.purpose),
    dataLifeDays: row.data_life_days,
    frequency: { count: row.frequency_count, per: row.frequency_per },
    validFrom: new Date(row.valid_from).toISOString(),
    validUntil: new Date(row.valid_until).toISOString(),
    requestedAt: new Date(row.requested_at).toISOString(),
    replyCode: live ? row.reply_code : null,
    artefact: row.jws,
    history: await listConsentChanges(db, row.id),
  };
}
