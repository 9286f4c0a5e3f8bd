import type { Kysely, Migration } from 'kysely';
import type { Change } from '../core/index.js';
import type { JournalTables } from './journal-tables.js';
import { tablesOf } from '../store/index.js';
import type { Connection, ModuleMigrations } from '../store/index.js';

/**
 * The registry change journal. Registry changes hold no personal data, so they
 * are kept in clear; the Merkle log appends each one as a leaf.
 */
export const journalRecorder: { record(db: Connection, change: Change): Promise<number> } = {
  /** `db` is the caller's transaction, opened on whichever module's tables */
  async record(db: Connection, change: Change) {
    const row = await tablesOf<JournalTables>(db)
      .insertInto('registry_changes')
      .values({ at: change.at, actor: change.actor, action: change.action, target: change.target, details: JSON.stringify(change.details) })
      .returning('seq')
      .executeTakeFirstOrThrow();
    return row.seq;
  },
};

export async function listChanges(db: Connection, options: { after?: number; limit?: number } = {}) {
  const rows = await tablesOf<JournalTables>(db)
    .selectFrom('registry_changes')
    .selectAll()
    .where('seq', '>', options.after ?? 0)
    .orderBy('seq')
    .limit(Math.min(options.limit ?? 100, 1000))
    .execute();
  return rows.map((r) => ({ seq: r.seq, at: new Date(r.at).toISOString(), actor: r.actor, action: r.action, target: r.target, details: JSON.parse(r.details) as unknown }));
}

// Migrations see the database before any schema type applies.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export const journalMigrations: ModuleMigrations = (ctx) => ({
  '0002_journal': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('registry_changes')
        .$call(ctx.autoIncrementKey('seq'))
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .execute();
    },
  } satisfies Migration,
});
