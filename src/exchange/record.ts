import type { Kysely } from 'kysely';
import type { ExchangeRecord, ExchangeRecorder } from '../core/index.js';
import type { ExchangeTables } from './tables.js';
import { reusable, tablesOf } from '../store/index.js';
import type { Connection } from '../store/index.js';

const COLUMNS = ['id', 'at', 'client_id', 'service_id', 'method', 'path', 'purpose', 'legal_basis', 'subjects', 'key_id', 'status', 'outcome', 'request_bytes', 'response_bytes', 'request_digest', 'response_digest', 'duration_ms'] as const satisfies ReadonlyArray<keyof ExchangeRecord>;

// Every column of the record, in COLUMNS' order (the type check keeps the two lists in step).
const insertExchange = reusable((db: Kysely<ExchangeTables>, value) => db.insertInto('exchanges').values(Object.fromEntries(COLUMNS.map((c, i) => [c, value(i)])) as unknown as ExchangeRecord));

/** The exchange's own part of the evidence: its row. */
export const databaseRecorder: ExchangeRecorder<ExchangeTables> = {
  async record(db, record) {
    await insertExchange(db, COLUMNS.map((c) => record[c]));
  },
};

export async function findExchange(connection: Connection, id: string): Promise<ExchangeRecord | undefined> {
  return tablesOf<ExchangeTables>(connection).selectFrom('exchanges').selectAll().where('id', '=', id).executeTakeFirst();
}
