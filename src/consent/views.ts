import { memberIdOf } from '../core/index.js';
import type { Kysely } from 'kysely';

import { listConsentChanges } from './changes.js';
import { memoNames } from './names.js';
import type { MemberName, Names, PurposeName } from './names.js';
import { listTracker } from './tracker.js';
import { outcomeText } from './outcome-text.js';
import type { OutcomeText } from './outcome-text.js';
import type { Page } from './paging.js';
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

/** One access to a citizen's data, as their tracker shows it. */
export interface AccessEntry {
  at: string;
  exchangeId: string;
  institution: MemberName;
  subsystem: string;
  service: string;
  provider: MemberName;
  purpose: PurposeName | null;
  /** the basis established for the call; null when it was refused before or at that step */
  legalBasis: string | null;
  statute: string | null;
  consentId: string | null;
  /** `ok`, `upstream-error`, or the problem code the call was refused with */
  outcome: string;
  /** the outcome in words the citizen reads */
  outcomeText: OutcomeText;
  /** whether the call passed the legal-basis check, i.e. was forwarded to the provider */
  allowed: boolean;
  /** `exchange`: a call about the citizen; `event`: the institution published an event about them (the topic is in `service`) */
  kind: 'exchange' | 'event';
  /** for an event, the institutions it went to */
  recipients: MemberName[];
}

export async function accessOfCitizen(db: Kysely<ConsentTables>, names: Names, subjectHash: string, options: { limit: number; cursor?: string }): Promise<Page<AccessEntry>> {
  const page = await listTracker(db, subjectHash, options);
  const memo = memoNames(names);
  // Newest first: a refused call is "sent again" when a newer row of this page shows the same call succeeding.
  const retriedLater = (index: number) => {
    const row = page.items[index] as (typeof page.items)[number];
    return page.items.slice(0, index).some((newer) => newer.outcome === 'ok' && newer.client_id === row.client_id && newer.service_id === row.service_id && (newer.kind ?? 'exchange') === 'exchange');
  };
  return {
    next: page.next,
    items: await Promise.all(
      page.items.map(async (row, index) => withText({
        at: new Date(row.at).toISOString(),
        exchangeId: row.exchange_id,
        institution: await memo.member(row.client_member_id),
        subsystem: row.client_id,
        service: row.service_id,
        provider: await memo.member(row.provider_id),
        purpose: row.purpose === null ? null : await memo.purpose(row.purpose),
        legalBasis: row.legal_basis,
        statute: row.statute,
        consentId: row.consent_id,
        outcome: row.outcome,
        allowed: row.legal_basis !== null,
        kind: row.kind ?? 'exchange',
        recipients: row.recipients ? await Promise.all([...new Set((JSON.parse(row.recipients) as string[]).map(memberIdOf))].map((id) => memo.member(id))) : [],
      }, retriedLater(index))),
    ),
  };
}

function withText(entry: Omit<AccessEntry, 'outcomeText'>, retriedLater: boolean): AccessEntry {
  return { ...entry, outcomeText: outcomeText(entry, retriedLater) };
}
