import type { Kysely } from 'kysely';
import type { ModuleMigrations } from '../store/index.js';

// Migrations see the database before any schema type applies.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export const exchangeMigrations: ModuleMigrations = () => ({
  '0003_exchange': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('exchanges')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('service_id', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text')
        .addColumn('legal_basis', 'text')
        .addColumn('subjects', 'text')
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('request_bytes', 'bigint', (c) => c.notNull())
        .addColumn('response_bytes', 'bigint', (c) => c.notNull())
        .addColumn('request_digest', 'text')
        .addColumn('response_digest', 'text')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('exchanges_client_at').on('exchanges').columns(['client_id', 'at']).execute();
      await db.schema.createIndex('exchanges_service_at').on('exchanges').columns(['service_id', 'at']).execute();
      await db.schema
        .createTable('nonces')
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('nonce', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('nonces_pk', ['key_id', 'nonce'])
        .execute();
      await db.schema.createIndex('nonces_expires').on('nonces').column('expires_at').execute();
      await db.schema
        .createTable('quota_counters')
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('service_id', 'text', (c) => c.notNull())
        .addColumn('window_start', 'bigint', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('quota_counters_pk', ['client_id', 'service_id', 'window_start'])
        .execute();
    },
  },
});
