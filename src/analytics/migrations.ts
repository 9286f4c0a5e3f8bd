import type { Kysely } from 'kysely';
import type { ModuleMigrations } from '../store/index.js';

// Migrations see the database before any schema type applies.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export const analyticsMigrations: ModuleMigrations = () => ({
  '0030_analytics': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('analytics_rollups')
        .addColumn('grain', 'text', (c) => c.notNull())
        .addColumn('period', 'bigint', (c) => c.notNull())
        .addColumn('measure', 'text', (c) => c.notNull())
        .addColumn('member', 'text', (c) => c.notNull())
        .addColumn('peer', 'text', (c) => c.notNull())
        .addColumn('dimension', 'text', (c) => c.notNull())
        .addColumn('district', 'text', (c) => c.notNull())
        .addColumn('n', 'bigint', (c) => c.notNull())
        .addColumn('good', 'bigint', (c) => c.notNull())
        .addColumn('ms', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('analytics_rollups_pk', ['grain', 'period', 'measure', 'member', 'peer', 'dimension', 'district'])
        .execute();
      await db.schema.createIndex('analytics_rollups_measure').on('analytics_rollups').columns(['measure', 'grain', 'period']).execute();
      await db.schema
        .createTable('analytics_open_items')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('member', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('analytics_open_items_pk', ['kind', 'id'])
        .execute();
      await db.schema.createTable('analytics_seen').addColumn('key', 'text', (c) => c.primaryKey()).execute();
      await db.schema.createTable('analytics_cursors').addColumn('name', 'text', (c) => c.primaryKey()).addColumn('position', 'bigint', (c) => c.notNull()).execute();
      await db.schema
        .createTable('analytics_releases')
        .addColumn('version', 'text', (c) => c.primaryKey())
        .addColumn('published_at', 'bigint', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('files', 'text', (c) => c.notNull())
        .execute();
    },
  },
});
