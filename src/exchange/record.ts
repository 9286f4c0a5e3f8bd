import type { Kysely } from 'kysely';
import { tablesOf } from '../store/index.js';
import type { Connection } from '../store/index.js';
import type { ExchangeRow, ExchangeTables } from './tables.js';

/**
 * The evidence of one mediated call: ids, times, sizes, digests, purpose and
 * the subjects' keyed hashes. Never a body, never a CNIC in clear.
 */
export type ExchangeRecord = ExchangeRow;

export interface ExchangeRecorder {
  /** `db` is the caller's transaction; a recorder may add rows of its own module to it */
  record(db: Connection, record: ExchangeRecord): Promise<void>;
}

export const databaseRecorder: ExchangeRecorder = {
  async record(db, record) {
    await tablesOf<ExchangeTables>(db).insertInto('exchanges').values(record).execute();
  },
};

export async function findExchange(db: Kysely<ExchangeTables>, id: string): Promise<ExchangeRecord | undefined> {
  return db.selectFrom('exchanges').selectAll().where('id', '=', id).executeTakeFirst();
}
