import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import type { ExchangeRow } from './tables.js';

/**
 * The evidence of one mediated call: ids, times, sizes, digests, purpose and
 * the subjects' keyed hashes. Never a body, never a CNIC in clear.
 */
export type ExchangeRecord = ExchangeRow;

export interface ExchangeRecorder {
  record(db: Kysely<Database>, record: ExchangeRecord): Promise<void>;
}

export const databaseRecorder: ExchangeRecorder = {
  async record(db, record) {
    await db.insertInto('exchanges').values(record).execute();
  },
};

export async function findExchange(db: Kysely<Database>, id: string): Promise<ExchangeRecord | undefined> {
  return db.selectFrom('exchanges').selectAll().where('id', '=', id).executeTakeFirst();
}
