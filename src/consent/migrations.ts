import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import type { ModuleMigrations } from '../store/index.js';

// Migrations see the database before any schema type applies.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Until the citizens module had its own migrations, 0006 and 0010 also made
 * its tables; a database migrated then has them, and `0012_citizens` (see
 * src/citizens/migrations.ts) leaves them as they are.
 */
export const consentMigrations: ModuleMigrations = () => ({
  '0006_consent': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('consent_artefacts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subject_hash', 'text', (c) => c.notNull())
        .addColumn('consumer_id', 'text', (c) => c.notNull())
        .addColumn('provider_id', 'text', (c) => c.notNull())
        .addColumn('services', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('data_life_days', 'integer', (c) => c.notNull())
        .addColumn('frequency_count', 'integer', (c) => c.notNull())
        .addColumn('frequency_per', 'text', (c) => c.notNull())
        .addColumn('valid_from', 'bigint', (c) => c.notNull())
        .addColumn('valid_until', 'bigint', (c) => c.notNull())
        .addColumn('jws', 'text', (c) => c.notNull())
        .addColumn('requested_at', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_at', 'bigint', (c) => c.notNull())
        .addColumn('activated_at', 'bigint')
        .addColumn('ended_at', 'bigint')
        .addColumn('reply_mobile', 'text')
        .addColumn('reply_code', 'text')
        .execute();
      await db.schema.createIndex('consent_artefacts_subject').on('consent_artefacts').columns(['subject_hash', 'consumer_id']).execute();
      await db.schema.createIndex('consent_artefacts_due').on('consent_artefacts').columns(['status', 'valid_until']).execute();
      // A reply code names one live request of a phone; the database keeps it so across nodes.
      await db.schema
        .createIndex('consent_artefacts_reply_code')
        .on('consent_artefacts')
        .columns(['reply_mobile', 'reply_code'])
        .unique()
        .where(sql<boolean>`status in ('REQUESTED', 'ACTIVE')`)
        .execute();

      await db.schema
        .createTable('consent_changes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('artefact_id', 'text', (c) => c.notNull().references('consent_artefacts.id'))
        .addColumn('from_status', 'text')
        .addColumn('to_status', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('consent_changes_artefact').on('consent_changes').columns(['artefact_id', 'at']).execute();

      await db.schema
        .createTable('consent_usage')
        .addColumn('artefact_id', 'text', (c) => c.notNull())
        .addColumn('window_start', 'bigint', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('consent_usage_pk', ['artefact_id', 'window_start'])
        .execute();

      await db.schema
        .createTable('tracker_entries')
        .addColumn('exchange_id', 'text', (c) => c.notNull())
        .addColumn('subject_hash', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('client_member_id', 'text', (c) => c.notNull())
        .addColumn('service_id', 'text', (c) => c.notNull())
        .addColumn('provider_id', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text')
        .addColumn('legal_basis', 'text')
        .addColumn('statute', 'text')
        .addColumn('consent_id', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('tracker_entries_pk', ['exchange_id', 'subject_hash'])
        .execute();
      await db.schema.createIndex('tracker_entries_subject_at').on('tracker_entries').columns(['subject_hash', 'at', 'exchange_id']).execute();

    },
  } satisfies Migration,
  '0010_citizen_event_notices': {
    async up(db: AnyDb) {
      // Events reach the tracker too: which kind of record a row is, and to whom an event went.
      await db.schema.alterTable('tracker_entries').addColumn('kind', 'text', (c) => c.notNull().defaultTo('exchange')).execute();
      await db.schema.alterTable('tracker_entries').addColumn('recipients', 'text').execute();
    },
  } satisfies Migration,
});
