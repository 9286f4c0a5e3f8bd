import { describe, expect, it } from 'vitest';
import type { EventsDeps } from './deps.js';

/**
 * The events module is handed a Kysely typed with its own tables: the
 * compiler refuses a query on another module's (tsc runs over every
 * *.test.ts; each line below would compile if the tables were global again).
 */
describe('the events module’s tables', () => {
  it('are its own: another module’s table does not compile', () => {
    const query = (db: EventsDeps['db']) => [
      db.selectFrom('event_deliveries').select('id'),
      // @ts-expect-error consent's table: its data comes through consent's interface
      db.selectFrom('consent_artefacts'),
      // @ts-expect-error the ledger's table: leaves go through ledger.append
      db.selectFrom('ledger_records'),
      // @ts-expect-error the registry's table: members come through the registry
      db.selectFrom('members'),
      // @ts-expect-error the exchange module's table
      db.selectFrom('exchanges'),
    ];
    expect(query).toBeTypeOf('function');
  });
});
