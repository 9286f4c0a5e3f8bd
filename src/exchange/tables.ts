/** The exchange's evidence: one row per mediated call, never a body or a CNIC. */
export interface ExchangeRow {
  id: string;
  at: number;
  client_id: string;
  service_id: string;
  method: string;
  path: string;
  purpose: string | null;
  legal_basis: string | null;
  subjects: string | null;
  key_id: string;
  status: number;
  outcome: string;
  request_bytes: number;
  response_bytes: number;
  request_digest: string | null;
  response_digest: string | null;
  duration_ms: number;
}

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
