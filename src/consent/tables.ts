/**
 * The consent module's tables. Times are Unix milliseconds. A citizen is only
 * ever known by the keyed hash of the CNIC (`subject_hash`); the citizens
 * module holds the masked CNIC and the phone.
 */
import type { ConsentStatus } from '../core/index.js';

export { CONSENT_STATUSES } from '../core/index.js';
export type { ConsentStatus } from '../core/index.js';

/**
 * The terms are immutable (the JWS is their signed form); only the status
 * columns and the reply code's liveness change, and only through
 * recordConsentChange.
 */
export interface ConsentArtefactRow {
  id: string;
  subject_hash: string;
  consumer_id: string;
  provider_id: string;
  /** JSON array of service ids */
  services: string;
  purpose: string;
  data_life_days: number;
  frequency_count: number;
  frequency_per: 'day' | 'month';
  valid_from: number;
  valid_until: number;
  jws: string;
  requested_at: number;
  status: ConsentStatus;
  status_at: number;
  activated_at: number | null;
  ended_at: number | null;
  /** the number the request was sent to; null when the CNIC is not registered */
  reply_mobile: string | null;
  /** 4–6 digits, unique among the live (REQUESTED or ACTIVE) artefacts of reply_mobile */
  reply_code: string | null;
}

export interface ConsentChangeRow {
  id: string;
  artefact_id: string;
  from_status: ConsentStatus | null;
  to_status: ConsentStatus;
  at: number;
  actor: string;
}

export interface ConsentUsageRow {
  artefact_id: string;
  window_start: number;
  count: number;
}

/** The citizen's data tracker: one row per subject of every personal exchange. */
export interface TrackerRow {
  exchange_id: string;
  subject_hash: string;
  at: number;
  client_id: string;
  client_member_id: string;
  service_id: string;
  provider_id: string;
  purpose: string | null;
  legal_basis: string | null;
  statute: string | null;
  consent_id: string | null;
  outcome: string;
  status: number;
  /** 'exchange' (a call through the exchange) or 'event' (a publication about the subject) */
  kind?: 'exchange' | 'event';
  /** an event's subscriber subsystems, JSON; null for exchanges */
  recipients?: string | null;
}

export interface ConsentTables {
  consent_artefacts: ConsentArtefactRow;
  consent_changes: ConsentChangeRow;
  consent_usage: ConsentUsageRow;
  tracker_entries: TrackerRow;
}
