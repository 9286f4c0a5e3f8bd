import type { AnalyticsTables } from '../src/analytics/tables.js';
import type { CasesTables } from '../src/cases/tables.js';
import type { CitizensTables } from '../src/citizens/tables.js';
import type { ConsentTables } from '../src/consent/tables.js';
import type { EventsTables } from '../src/events/tables.js';
import type { ExchangeTables } from '../src/exchange/tables.js';
import type { LedgerTables } from '../src/ledger/tables.js';
import type { RegistryTables } from '../src/registry/tables.js';

/**
 * Every module's tables, for the integration tests, benches and examples
 * outside src/ that check a whole deployment's rows (`store.tables<AllTables>()`).
 * Inside src/ a module sees only its own tables, and another's data through
 * that module's interface.
 */
export interface AllTables extends RegistryTables, AnalyticsTables, LedgerTables, ExchangeTables, ConsentTables, CitizensTables, EventsTables, CasesTables {}
