import type { Language } from '../core/index.js';

/**
 * The citizens module's tables (they keep the names they had in the consent
 * module). Times are Unix milliseconds. A citizen is only ever known by the
 * keyed hash of the CNIC (`subject_hash`) and the masked CNIC; the CNIC
 * itself is never stored.
 */
export interface CitizenRow {
  subject_hash: string;
  masked_cnic: string;
  /** E.164 */
  mobile: string;
  language: Language;
  /** JSON array of member ids the citizen has opted out of (reserved) */
  opted_out: string;
  created_at: number;
  updated_at: number;
}

export interface OtpRow {
  id: string;
  subject_hash: string;
  code_hash: string;
  created_at: number;
  expires_at: number;
  attempts: number;
  used_at: number | null;
}

export interface RateCounterRow {
  key: string;
  window_start: number;
  count: number;
}

export interface CitizenNotificationRow {
  id: string;
  subject_hash: string;
  at: number;
  template: string;
  language: Language;
  /** JSON; never holds an OTP code */
  params: string;
  /** `suppressed`: an institution's notice the citizen opted out of (kept for STATUS, never sent) */
  status: 'queued' | 'sending' | 'sent' | 'failed' | 'suppressed';
  claimed_by?: string | null;
  claimed_at?: number | null;
}

export interface CitizensTables {
  citizens: CitizenRow;
  citizen_otps: OtpRow;
  citizen_rate_counters: RateCounterRow;
  citizen_notifications: CitizenNotificationRow;
}
