import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import type { ExchangeRecord, ExchangeRecorder } from '../core/index.js';

/** The exchange's own part of the evidence: its row. */
export const databaseRecorder: ExchangeRecorder<Database> = {
  async record(db, record) {
    await db.insertInto('exchanges').values(record).execute();
  },
};

export async function findExchange(db: Kysely<Database>, id: string): Promise<ExchangeRecord | undefined> {
  return db.selectFrom('exchanges').selectAll().where('id', '=', id).executeTakeFirst();
}
