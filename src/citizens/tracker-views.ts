import { memberIdOf } from '../core/index.js';
import type { Page } from '../core/index.js';
import { memoNames } from '../consent/index.js';
import type { MemberName, Names, PurposeName, TrackerRow } from '../consent/index.js';
import { outcomeText } from './outcome-text.js';
import type { OutcomeText } from './outcome-text.js';

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

/** One page of a citizen's tracker (consent keeps the rows), in the words and names the citizen reads. */
export async function accessOfCitizen(tracker: Page<TrackerRow>, names: Names): Promise<Page<AccessEntry>> {
  const page = tracker;
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
