
import type { ExchangeRecord, ExchangeRecorder } from '../core/index.js';
import type { ExchangeTables } from './tables.js';
import { tablesOf } from '../store/index.js';
import type { Connection } from '../store/index.js';

/** The exchange's own part of the evidence: its row. */
export const databaseRecorder: ExchangeRecorder<ExchangeTables> = {
  async record(db, record) {
    await db.insertInto('exchanges').values(record).execute();
  },
};

export async function findExchange(connection: Connection, id: string): Promise<ExchangeRecord | undefined> {
  return tablesOf<ExchangeTables>(connection).selectFrom('exchanges').selectAll().where('id', '=', id).executeTakeFirst();
}
