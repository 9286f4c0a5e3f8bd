import type { Selectable } from 'kysely';
import { tablesOf } from '../store/index.js';
import type { Connection } from '../store/index.js';
import type { LedgerRecordRow, LedgerTables } from './tables.js';

// The ledger's face for tests: an in-memory log served over HTTP, and test witnesses.
export { memoryLog, plainFetch, seed, serveLog, testWitness } from './test-log.js';
export type { MemoryLog, ServedLog } from './test-log.js';

/**
 * The rows the ledger keeps for what other modules logged, so that a module's
 * tests can check its leaves (a commitment, never a CNIC in clear) without
 * naming the ledger's tables.
 */
export async function ledgerRecords(db: Connection, where: { kind?: number; ref?: string } = {}): Promise<Array<Selectable<LedgerRecordRow>>> {
  let query = tablesOf<LedgerTables>(db).selectFrom('ledger_records').selectAll();
  if (where.kind !== undefined) query = query.where('kind', '=', where.kind);
  if (where.ref !== undefined) query = query.where('ref', '=', where.ref);
  return query.orderBy('id').execute();
}
