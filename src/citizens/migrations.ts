import type { Kysely, Migration } from 'kysely';
import type { ModuleMigrations } from '../store/index.js';

// Migrations see the database before any schema type applies.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * The citizens module's tables, under the names they had when the consent
 * module made them (0006_consent, 0010_citizen_event_notices). On a database
 * migrated then, this finds them and keeps their rows; it only adds what an
 * older one lacks (the claim columns of 0010). On a new database it makes
 * them whole.
 */
export const citizensMigrations: ModuleMigrations = (context) => ({
  '0012_citizens': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('citizens')
        .ifNotExists()
        .addColumn('subject_hash', 'text', (c) => c.primaryKey())
        .addColumn('masked_cnic', 'text', (c) => c.notNull())
        .addColumn('mobile', 'text', (c) => c.notNull())
        .addColumn('language', 'text', (c) => c.notNull())
        .addColumn('opted_out', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('citizens_mobile').ifNotExists().on('citizens').column('mobile').execute();

      await db.schema
        .createTable('citizen_otps')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subject_hash', 'text', (c) => c.notNull())
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .execute();
      await db.schema.createIndex('citizen_otps_subject').ifNotExists().on('citizen_otps').columns(['subject_hash', 'created_at']).execute();

      await db.schema
        .createTable('citizen_rate_counters')
        .ifNotExists()
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('window_start', 'bigint', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('citizen_rate_counters_pk', ['key', 'window_start'])
        .execute();

      await db.schema
        .createTable('citizen_notifications')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subject_hash', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('template', 'text', (c) => c.notNull())
        .addColumn('language', 'text', (c) => c.notNull())
        .addColumn('params', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .execute();
      // Notices from events wait in the table until a sender claims them (claimed_at lets a crashed claim lapse).
      const columns = await context.columnsOf(db, 'citizen_notifications');
      if (!columns.has('claimed_by')) await db.schema.alterTable('citizen_notifications').addColumn('claimed_by', 'text').execute();
      if (!columns.has('claimed_at')) await db.schema.alterTable('citizen_notifications').addColumn('claimed_at', 'bigint').execute();
      await db.schema.createIndex('citizen_notifications_subject_at').ifNotExists().on('citizen_notifications').columns(['subject_hash', 'at', 'id']).execute();
      await db.schema.createIndex('citizen_notifications_waiting').ifNotExists().on('citizen_notifications').columns(['status', 'at']).execute();
    },
  } satisfies Migration,
});
