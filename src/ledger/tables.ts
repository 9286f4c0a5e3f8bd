import type { Generated } from 'kysely';
import type { JournalTables } from './journal-tables.js';

/**
 * The log's storage. `ledger_records` is the durable queue and the index of
 * what was logged: a row is written in the same transaction as the business
 * record it stands for, and gets its leaf index when the sequencer integrates
 * it. Tiles and entry bundles hold the tree itself, so proofs never rebuild it.
 */
export interface LedgerRecordRow {
  id: Generated<number>;
  kind: number;
  ref: string;
  entry: Buffer;
  /** the salt of a commitment leaf; null for leaves in clear */
  salt: Buffer | null;
  /** canonical JSON of the committed record, handed out with receipts */
  record: string | null;
  leaf_index: number | null;
  queued_at: number;
}

export interface LedgerTileRow {
  level: number;
  idx: number;
  /** the tile's hashes; a partial tile is rewritten as it grows */
  data: Buffer;
}

export interface LedgerBundleRow {
  idx: number;
  data: Buffer;
}

export interface LedgerCheckpointRow {
  size: number;
  root: Buffer;
  note: string;
  at: number;
}

export interface LedgerCosignatureRow {
  size: number;
  witness: string;
  line: string;
  at: number;
}

/** the ledger module's tables: the log's own and the registry change journal */
export interface LedgerTables extends JournalTables {
  ledger_records: LedgerRecordRow;
  ledger_tiles: LedgerTileRow;
  ledger_bundles: LedgerBundleRow;
  ledger_checkpoints: LedgerCheckpointRow;
  ledger_cosignatures: LedgerCosignatureRow;
}
