import type { Kysely } from 'kysely';
import type { ChangeRecorder, Jobs, LegalBasisCheck, PersonalEventHook } from '../core/index.js';
import type { Egress } from '../egress/index.js';
import type { AppendInput } from '../ledger/index.js';
import type { Registry } from '../registry/index.js';
import type { StoreDialect, WriteBatcher } from '../store/index.js';
import type { EventsTables } from './tables.js';

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
  recorder: ChangeRecorder<EventsTables>;
  /** an event's leaf, queued in the publishing transaction; a batch's leaves at once (multi-row INSERTs) */
  ledger: { appendAll(db: Kysely<EventsTables>, inputs: readonly AppendInput[]): Promise<void> };
  egress: Egress;
  /** the address classes the egress policy allows besides public ones (RABTA_EGRESS_ALLOW) */
  egressAllow: readonly string[];
  legalBasis: LegalBasisCheck;
  /** the data tracker's and the citizen notices' hook (the consent module supplies it) */
  onPersonalEvents?: PersonalEventHook<EventsTables> | undefined;
  subjectSecret: Buffer;
  now: () => number;
  /** runs the retention sweep and reports the delivery worker's failures (the platform's jobs) */
  jobs?: Jobs;
}

/** Topics, access rights and subscriptions are governed records: journaled like registry changes. */
export { journaledChange as change } from '../core/index.js';
export { iso, notFound, requireMemberScope } from '../core/index.js';
export { isUniqueViolation } from '../store/index.js';
