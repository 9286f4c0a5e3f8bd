import type { Kysely } from 'kysely';
import type { ModuleMigrations } from '../store/index.js';

// Migrations see the database before any schema type applies.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export const ledgerMigrations: ModuleMigrations = (ctx) => ({
  '0005_ledger': {
    async up(db: AnyDb) {
      const bytes = ctx.binaryType;
      await db.schema
        .createTable('ledger_records')
        .$call(ctx.autoIncrementKey('id'))
        .addColumn('kind', 'integer', (c) => c.notNull())
        .addColumn('ref', 'text', (c) => c.notNull())
        .addColumn('entry', bytes, (c) => c.notNull())
        .addColumn('salt', bytes)
        .addColumn('record', 'text')
        .addColumn('leaf_index', 'bigint', (c) => c.unique())
        .addColumn('queued_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ledger_records_ref').on('ledger_records').columns(['kind', 'ref']).execute();
      await db.schema
        .createTable('ledger_tiles')
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('idx', 'bigint', (c) => c.notNull())
        .addColumn('data', bytes, (c) => c.notNull())
        .addPrimaryKeyConstraint('ledger_tiles_pk', ['level', 'idx'])
        .execute();
      await db.schema
        .createTable('ledger_bundles')
        .addColumn('idx', 'bigint', (c) => c.primaryKey())
        .addColumn('data', bytes, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ledger_checkpoints')
        .addColumn('size', 'bigint', (c) => c.primaryKey())
        .addColumn('root', bytes, (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ledger_cosignatures')
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('witness', 'text', (c) => c.notNull())
        .addColumn('line', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('ledger_cosignatures_pk', ['size', 'witness'])
        .execute();
    },
  },
});
