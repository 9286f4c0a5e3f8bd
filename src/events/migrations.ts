import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { ModuleMigrations } from '../store/index.js';
import { orderingKeyHasher } from './ordering.js';

// Migrations see the database before any schema type applies.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export const eventsMigrations: ModuleMigrations = (ctx) => {
  return {
    '0008_events': {
      async up(db: AnyDb) {
        await db.schema
          .createTable('topics')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('subsystem_id', 'text', (c) => c.notNull().references('subsystems.id'))
          .addColumn('code', 'text', (c) => c.notNull())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('schema', 'text', (c) => c.notNull())
          .addColumn('schema_digest', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('personal', 'integer', (c) => c.notNull())
          .addColumn('subject_path', 'text')
          .addColumn('ordering_key_path', 'text')
          .addColumn('retention_days', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('topic_access')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('topic_id', 'text', (c) => c.notNull().references('topics.id'))
          .addColumn('subscriber_id', 'text', (c) => c.notNull().references('subsystems.id'))
          .addColumn('purposes', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addUniqueConstraint('topic_access_topic_subscriber', ['topic_id', 'subscriber_id'])
          .execute();
        await db.schema
          .createTable('events')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('topic_id', 'text', (c) => c.notNull())
          .addColumn('publisher_id', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('purpose', 'text')
          .addColumn('legal_basis', 'text')
          .addColumn('ordering_key', 'text')
          .addColumn('idempotency_key', 'text')
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('payload_digest', 'text', (c) => c.notNull())
          // Both databases treat NULLs as distinct: events without a key never collide.
          .addUniqueConstraint('events_publisher_idempotency', ['publisher_id', 'idempotency_key'])
          .execute();
        await db.schema.createIndex('events_topic_at').on('events').columns(['topic_id', 'at']).execute();
        await db.schema
          .createTable('event_subscriptions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('topic_id', 'text', (c) => c.notNull().references('topics.id'))
          .addColumn('subscriber_id', 'text', (c) => c.notNull().references('subsystems.id'))
          .addColumn('mode', 'text', (c) => c.notNull())
          .addColumn('url', 'text')
          .addColumn('secret', 'text')
          .addColumn('filter', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('cursor', 'bigint', (c) => c.notNull())
          .addColumn('consecutive_dead', 'integer', (c) => c.notNull())
          .addColumn('failing_since', 'bigint')
          .addColumn('last_success_at', 'bigint')
          .addColumn('disabled_at', 'bigint')
          .addColumn('disabled_reason', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('event_subscriptions_topic').on('event_subscriptions').columns(['topic_id', 'status']).execute();
        await db.schema.createIndex('event_subscriptions_subscriber').on('event_subscriptions').column('subscriber_id').execute();
        await db.schema
          .createTable('event_deliveries')
          .$call(ctx.autoIncrementKey('id'))
          .addColumn('event_id', 'text', (c) => c.notNull().references('events.id'))
          .addColumn('subscription_id', 'text', (c) => c.notNull().references('event_subscriptions.id'))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('next_at', 'bigint')
          .addColumn('locked_until', 'bigint')
          .addColumn('locked_by', 'text')
          .addColumn('ordering_key', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('last_attempt_at', 'bigint')
          .addColumn('last_status', 'integer')
          .addColumn('last_error', 'text')
          .addColumn('delivered_at', 'bigint')
          .addColumn('dead_at', 'bigint')
          .execute();
        // What the workers scan: only the pending rows, by due time.
        await db.schema.createIndex('event_deliveries_due').on('event_deliveries').columns(['next_at', 'id']).where(sql.ref('status'), '=', sql.lit('pending')).execute();
        await db.schema.createIndex('event_deliveries_subscription').on('event_deliveries').columns(['subscription_id', 'id']).execute();
        await db.schema.createIndex('event_deliveries_key').on('event_deliveries').columns(['subscription_id', 'ordering_key', 'status']).execute();
        await db.schema.createIndex('event_deliveries_event').on('event_deliveries').column('event_id').execute();
        await db.schema.createIndex('event_deliveries_status').on('event_deliveries').columns(['status', 'created_at']).execute();
        await db.schema
          .createTable('event_delivery_attempts')
          .$call(ctx.autoIncrementKey('id'))
          .addColumn('delivery_id', 'bigint', (c) => c.notNull())
          .addColumn('attempt', 'integer', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('duration_ms', 'integer', (c) => c.notNull())
          .addColumn('status', 'integer')
          .addColumn('error', 'text')
          .addColumn('worker', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('event_delivery_attempts_delivery').on('event_delivery_attempts').columns(['delivery_id', 'attempt']).execute();
        await db.schema
          .createTable('event_notices')
          .$call(ctx.autoIncrementKey('id'))
          .addColumn('member_id', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('subscription_id', 'text', (c) => c.notNull())
          .addColumn('detail', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('event_notices_member').on('event_notices').columns(['member_id', 'id']).execute();
      },
    },
    '0009_topic_notice_rules': {
      async up(db: AnyDb) {
        await db.schema
          .createTable('topic_notice_rules')
          .addColumn('topic_id', 'text', (c) => c.primaryKey().references('topics.id'))
          .addColumn('text_ur', 'text', (c) => c.notNull())
          .addColumn('text_en', 'text', (c) => c.notNull())
          .addColumn('status_reply', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
    '0011_events_ordering_keys_hashed': {
      // Ordering keys were kept in clear (often a CNIC); they become the keyed hashes that publishing now stores.
      async up(db: AnyDb) {
        for (const table of ['events', 'event_deliveries']) {
          const keys = await db.selectFrom(table).select('ordering_key').distinct().where('ordering_key', 'is not', null).execute();
          if (keys.length === 0) continue;
          if (!ctx.subjectSecret) throw new Error(`${table} holds ordering keys in clear; hashing them needs the instance's subject secret`);
          const hash = orderingKeyHasher(ctx.subjectSecret);
          let done = 0;
          for (const { ordering_key: key } of keys as Array<{ ordering_key: string }>) {
            await db.updateTable(table).set({ ordering_key: hash(key) }).where('ordering_key', '=', key).execute();
            if (++done % 10_000 === 0) process.stderr.write(`migration: ${done}/${keys.length} ordering keys of ${table} hashed\n`);
          }
          process.stderr.write(`migration: ${keys.length} ordering keys of ${table} hashed\n`);
        }
      },
    },
    '0033_events_pending_keys': {
      // The ordering check asks only about pending deliveries; an index of every delivery by its key (a hashed
      // CNIC: random) had each delivery's settlement rewrite a random page of it, and a batch of a million
      // deliveries wrote one such page per row to the log. Pending ones alone stay few and their pages hot.
      async up(db: AnyDb) {
        await db.schema.dropIndex('event_deliveries_key').execute();
        await db.schema.createIndex('event_deliveries_pending_key').on('event_deliveries').columns(['subscription_id', 'ordering_key', 'id']).where(sql.ref('status'), '=', sql.lit('pending')).execute();
      },
    },
  };
};
