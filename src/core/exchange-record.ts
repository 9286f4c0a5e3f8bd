import type { Kysely } from 'kysely';

/**
 * The evidence of one mediated call: ids, times, sizes, digests, purpose and
 * the subjects' keyed hashes. Never a body, never a CNIC in clear. The
 * exchange writes it; the ledger commits to it and the consent module's data
 * tracker reads it, so the shape is a shared contract. Its fields are the
 * exchange's row as stored and committed to in the ledger (snake_case), so a
 * receipt's record is byte for byte what was committed.
 */
export interface ExchangeRecord {
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

/** Writes an exchange's evidence in the caller's transaction; the platform chains the exchange's row, the tracker and the ledger leaf. */
export interface ExchangeRecorder<DB> {
  record(db: Kysely<DB>, record: ExchangeRecord): Promise<void>;
}
