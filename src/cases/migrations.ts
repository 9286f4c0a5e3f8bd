import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { ModuleMigrations } from '../store/index.js';
import { NATIONAL_HOLIDAYS } from './calendar.js';

// Migrations see the database before any schema type applies.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export const casesMigrations: ModuleMigrations = (ctx) => {
  return {
    '0011_cases': {
      async up(db: AnyDb) {
        await db.schema
          .createTable('case_categories')
          .addColumn('code', 'text', (c) => c.primaryKey())
          .addColumn('name_en', 'text', (c) => c.notNull())
          .addColumn('name_ur', 'text', (c) => c.notNull())
          .addColumn('description_en', 'text', (c) => c.notNull())
          .addColumn('lead_member', 'text')
          .addColumn('first_response_days', 'double precision', (c) => c.notNull())
          .addColumn('resolution_days', 'double precision', (c) => c.notNull())
          .addColumn('group_name', 'text', (c) => c.notNull())
          .addColumn('active', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createTable('case_holidays').addColumn('date', 'text', (c) => c.primaryKey()).addColumn('name', 'text', (c) => c.notNull()).execute();
        if (NATIONAL_HOLIDAYS.length > 0) await db.insertInto('case_holidays').values(NATIONAL_HOLIDAYS.map(([date, name]) => ({ date, name }))).execute();
        await db.schema
          .createTable('case_escalation_levels')
          .addColumn('member_id', 'text', (c) => c.notNull())
          .addColumn('level', 'integer', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('case_escalation_levels_pk', ['member_id', 'level'])
          .execute();
        await db.schema.createTable('case_counters').addColumn('year', 'integer', (c) => c.primaryKey()).addColumn('next', 'bigint', (c) => c.notNull()).execute();
        await db.schema
          .createTable('cases')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('reference', 'text', (c) => c.notNull().unique())
          .addColumn('category', 'text')
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('state_reason', 'text')
          .addColumn('lead_member', 'text')
          .addColumn('anonymous', 'integer', (c) => c.notNull())
          .addColumn('subject_hash', 'text')
          .addColumn('masked_cnic', 'text')
          .addColumn('mobile', 'text')
          .addColumn('language', 'text', (c) => c.notNull())
          .addColumn('district', 'text')
          .addColumn('address', 'text')
          .addColumn('lat', 'double precision')
          .addColumn('lng', 'double precision')
          .addColumn('text', 'text', (c) => c.notNull())
          .addColumn('channel', 'text', (c) => c.notNull())
          .addColumn('intake', 'text', (c) => c.notNull())
          .addColumn('token', 'text', (c) => c.notNull().unique())
          .addColumn('first_response_due', 'bigint')
          .addColumn('resolution_due', 'bigint')
          .addColumn('escalation_level', 'integer', (c) => c.notNull())
          .addColumn('satisfaction', 'integer')
          .addColumn('duplicate_of', 'text')
          .addColumn('event_id', 'text')
          .addColumn('rule_id', 'text')
          .addColumn('opened_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('closed_at', 'bigint')
          .addColumn('version', 'integer', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('cases_opened').on('cases').columns(['opened_at', 'id']).execute();
        await db.schema.createIndex('cases_lead_state').on('cases').columns(['lead_member', 'state']).execute();
        await db.schema.createIndex('cases_subject').on('cases').columns(['subject_hash', 'opened_at']).execute();
        await db.schema.createIndex('cases_mobile').on('cases').columns(['mobile', 'state']).execute();
        await db.schema.createIndex('cases_rule').on('cases').columns(['rule_id', 'subject_hash', 'opened_at']).execute();
        // The triage queue: cases still without a category or a lead.
        await db.schema.createIndex('cases_triage').on('cases').columns(['opened_at']).where(sql.ref('state'), '=', sql.lit('new')).execute();
        await db.schema
          .createTable('case_partners')
          .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
          .addColumn('member_id', 'text', (c) => c.notNull())
          .addColumn('added_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('case_partners_pk', ['case_id', 'member_id'])
          .execute();
        await db.schema.createIndex('case_partners_member').on('case_partners').column('member_id').execute();
        await db.schema
          .createTable('case_attachments')
          .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
          .addColumn('digest', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('media_type', 'text')
          .addPrimaryKeyConstraint('case_attachments_pk', ['case_id', 'digest'])
          .execute();
        await db.schema
          .createTable('case_tasks')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('assignee_member', 'text')
          .addColumn('due_at', 'bigint')
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('escalation_level', 'integer', (c) => c.notNull())
          .addColumn('overdue_since', 'bigint')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('completed_at', 'bigint')
          .execute();
        // What the sweep reads: only open tasks with a deadline, by due time — cheap however many cases are open.
        await db.schema.createIndex('case_tasks_due').on('case_tasks').columns(['due_at', 'id']).where(sql.ref('state'), '=', sql.lit('open')).execute();
        await db.schema.createIndex('case_tasks_case').on('case_tasks').column('case_id').execute();
        await db.schema
          .createTable('case_notes')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
          .addColumn('author', 'text', (c) => c.notNull())
          .addColumn('visibility', 'text', (c) => c.notNull())
          .addColumn('text', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('case_notes_case').on('case_notes').columns(['case_id', 'at']).execute();
        await db.schema
          .createTable('case_timeline')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('from_state', 'text')
          .addColumn('to_state', 'text')
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('detail', 'text', (c) => c.notNull())
          .addColumn('citizen_visible', 'integer', (c) => c.notNull())
          .addUniqueConstraint('case_timeline_case_seq', ['case_id', 'seq'])
          .execute();
        await db.schema
          .createTable('case_outbox')
          .$call(ctx.autoIncrementKey('id'))
          .addColumn('case_id', 'text', (c) => c.notNull())
          .addColumn('topic', 'text', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('published_at', 'bigint')
          .execute();
        await db.schema.createIndex('case_outbox_pending').on('case_outbox').column('id').where(sql.ref('published_at'), 'is', sql.lit(null)).execute();
        await db.schema
          .createTable('case_intake_keys')
          .addColumn('key_hash', 'text', (c) => c.primaryKey())
          .addColumn('member_id', 'text', (c) => c.notNull())
          .addColumn('label', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('revoked_at', 'bigint')
          .execute();
        await db.schema
          .createTable('case_rules')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('member_id', 'text', (c) => c.notNull())
          .addColumn('topic_id', 'text', (c) => c.notNull())
          .addColumn('category', 'text', (c) => c.notNull())
          .addColumn('lead_member', 'text', (c) => c.notNull())
          .addColumn('partners', 'text', (c) => c.notNull())
          .addColumn('within_days', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('case_rules_topic').on('case_rules').column('topic_id').execute();
        // Events that matched a rule, written in the publishing transaction; cases open from here after it commits.
        await db.schema
          .createTable('case_rule_matches')
          .$call(ctx.autoIncrementKey('id'))
          .addColumn('rule_id', 'text', (c) => c.notNull())
          .addColumn('event_id', 'text', (c) => c.notNull())
          .addColumn('subject_hash', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('done_at', 'bigint')
          .addColumn('case_id', 'text')
          .addUniqueConstraint('case_rule_matches_once', ['rule_id', 'event_id', 'subject_hash'])
          .execute();
        await db.schema.createIndex('case_rule_matches_pending').on('case_rule_matches').column('id').where(sql.ref('done_at'), 'is', sql.lit(null)).execute();
        await db.schema
          .createTable('case_notices')
          .$call(ctx.autoIncrementKey('id'))
          .addColumn('member_id', 'text', (c) => c.notNull())
          .addColumn('case_id', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('detail', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('case_notices_member').on('case_notices').columns(['member_id', 'id']).execute();
      },
    },
    '0012_cases_routing': {
      async up(db: AnyDb) {
        await db.schema
          .createTable('case_route_decisions')
          .addColumn('case_id', 'text', (c) => c.primaryKey())
          .addColumn('model_version', 'text', (c) => c.notNull())
          .addColumn('label', 'text', (c) => c.notNull())
          .addColumn('confidence', 'double precision', (c) => c.notNull())
          .addColumn('routed', 'integer', (c) => c.notNull())
          .addColumn('alternatives', 'text', (c) => c.notNull())
          .addColumn('decided_at', 'bigint', (c) => c.notNull())
          .addColumn('corrected_category', 'text')
          .addColumn('corrected_by', 'text')
          .addColumn('corrected_at', 'bigint')
          .execute();
        await db.schema.createIndex('case_route_decisions_corrected').on('case_route_decisions').column('corrected_at').where(sql.ref('corrected_at'), 'is not', sql.lit(null)).execute();
        // The primary key is what keeps "one case per anomaly" across runs and nodes.
        await db.schema
          .createTable('case_anomalies')
          .addColumn('anomaly_id', 'text', (c) => c.primaryKey())
          .addColumn('case_id', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
  };
};
