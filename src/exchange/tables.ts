import type { ExchangeRecord } from '../core/index.js';

/** The exchange's evidence: one row per mediated call, never a body or a CNIC (the shape is core's shared `ExchangeRecord`). */
export type ExchangeRow = ExchangeRecord;

export interface NonceRow {
  key_id: string;
  nonce: string;
  expires_at: number;
}

export interface QuotaRow {
  client_id: string;
  service_id: string;
  window_start: number;
  count: number;
}

export interface ExchangeTables {
  exchanges: ExchangeRow;
  nonces: NonceRow;
  quota_counters: QuotaRow;
}
