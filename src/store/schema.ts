import type { CasesTables } from '../cases/tables.js';
import type { CitizensTables } from '../citizens/tables.js';
import type { ConsentTables } from '../consent/tables.js';
import type { EventsTables } from '../events/tables.js';
import type { ExchangeTables } from '../exchange/tables.js';
import type { JournalTables } from '../ledger/journal-tables.js';
import type { LedgerTables } from '../ledger/tables.js';
import type { RegistryTables } from '../registry/tables.js';

/**
 * The whole schema, for Kysely's types only. Each module declares and migrates
 * its own tables and queries only those; this is where the types meet.
 */
export interface Database extends RegistryTables, JournalTables, ExchangeTables, LedgerTables, ConsentTables, CitizensTables, EventsTables, CasesTables {}
