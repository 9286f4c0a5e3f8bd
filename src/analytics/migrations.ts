import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { ModuleMigrations } from '../store/index.js';

// Migrations see the database before any schema type applies.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const KEY = ['grain', 'period', 'measure', 'member', 'peer', 'dimension', 'district'] as const;

export const analyticsMigrations: ModuleMigrations = (context) => ({
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
  '0031_analytics_rollups_clustered': {
    // The rollups are read by ranges of their key and written by upserts on it: on SQLite the
    // rows live in the key's own b-tree (WITHOUT ROWID), one b-tree to search and write instead
    // of a rowid table and its key index. The (measure, grain, period) index served no query
    // the key's prefix does not (every read names grain and period), so it goes, on both.
    async up(db: AnyDb) {
      await db.schema.dropIndex('analytics_rollups_measure').execute();
      // binaryType tells the databases apart: 'blob' is SQLite.
      if (context.binaryType !== 'blob') return;
      await db.schema
        .createTable('analytics_rollups_clustered')
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
        .addPrimaryKeyConstraint('analytics_rollups_clustered_pk', [...KEY])
        .modifyEnd(sql`without rowid`)
        .execute();
      await sql`insert into analytics_rollups_clustered select grain, period, measure, member, peer, dimension, district, n, good, ms from analytics_rollups`.execute(db);
      await db.schema.dropTable('analytics_rollups').execute();
      await db.schema.alterTable('analytics_rollups_clustered').renameTo('analytics_rollups').execute();
    },
  },
  '0032_analytics_consent_provider': {
    // A consent's provider, kept from its request so its approval, rejection or revocation counts for the pair.
    async up(db: AnyDb) {
      await db.schema.alterTable('analytics_open_items').addColumn('peer', 'text', (c) => c.notNull().defaultTo('')).execute();
    },
  },
});
