import type { Kysely } from 'kysely';
import type { ChangeRecorder } from '../core/index.js';
import type { Egress } from '../egress/index.js';
import type { LegalBasisCheck } from '../exchange/index.js';
import type { AppendInput } from '../ledger/service.js';
import type { Registry } from '../registry/index.js';
import type { Connection, StoreDialect, WriteBatcher } from '../store/index.js';
import type { RenderedNotice } from './notice-rules.js';
import type { EventsTables } from './tables.js';

/** What the tracker is told, in the publishing transaction, about an event that concerns people. */
export interface PersonalEvent {
  eventId: string;
  topic: string;
  publisher: string;
  at: number;
  purpose: string;
  legalBasis: 'consent' | 'statute';
  /** the statute, or the consent artefact ids, as the legal-basis check answered */
  reference: string | null;
  /** keyed hashes (HMAC-SHA-256 with the subject secret), one per distinct subject */
  subjectHashes: string[];
  /** the subscriber subsystems the event goes to (webhook or pull), each once */
  recipients: string[];
  /** what the subjects are told, when the topic has a notification rule */
  notice?: RenderedNotice;
}

/** The data tracker's and the citizen notices' entry point for events, in the publishing transaction; the consent module supplies it. */
/** runs in the publishing transaction; the hook views it through its own module's tables */
export type PersonalEventHook = (trx: Connection, events: PersonalEvent[]) => Promise<void>;

export interface EventsNotice {
  memberId: string;
  kind: 'subscription-disabled';
  subscriptionId: string;
  detail: string;
  at: number;
}

export interface EventsDeps {
  db: Kysely<EventsTables>;
  batch: WriteBatcher<EventsTables>;
  dialect: StoreDialect;
  registry: Registry;
  /** the registry's change recorder: topic, access and subscription changes are journalled like registry changes */
  recorder: ChangeRecorder;
  ledger: { append(db: Kysely<EventsTables>, input: AppendInput): Promise<void> };
  egress: Egress;
  /** the address classes the egress policy allows besides public ones (RABTA_EGRESS_ALLOW) */
  egressAllow: readonly string[];
  legalBasis: LegalBasisCheck;
  onPersonalEvents?: PersonalEventHook | undefined;
  subjectSecret: Buffer;
  now: () => number;
}

/** Topics, access rights and subscriptions are governed records: journaled like registry changes. */
export { journaledChange as change } from '../core/index.js';
export { iso, notFound, requireMemberScope } from '../core/index.js';
export { isUniqueViolation } from '../store/index.js';
