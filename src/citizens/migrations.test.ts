import { sql } from 'kysely';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { consentMigrations } from '../consent/index.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { freshDatabase, testDialects } from '../store/testing.js';
import type { TestDatabase } from '../store/testing.js';
import { citizensMigrations } from './migrations.js';
import type { CitizensTables } from './tables.js';

const postgresUrl = inject('postgresUrl');

const CITIZEN = { subject_hash: 'a'.repeat(64), masked_cnic: '35202-*****67-1', mobile: '+923001234567', language: 'ur' as const, opted_out: '["PK/GOV/BISP"]', created_at: 1, updated_at: 2 };
const NOTICE = { id: 'n1', subject_hash: 'a'.repeat(64), at: 3, template: 'event-notice', language: 'ur' as const, params: '{"text":"x"}', status: 'sent' as const };

for (const dialect of testDialects(postgresUrl)) {
  describe(`the citizens module's tables on ${dialect}`, () => {
    let database: TestDatabase | undefined;
    let store: Store | undefined;
    afterEach(async () => {
      await store?.close();
      await database?.drop();
      store = undefined;
      database = undefined;
    });

    const open = async () => {
      database = await freshDatabase(dialect, postgresUrl);
      store = openStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, migrations: [consentMigrations, citizensMigrations] });
      return store;
    };

    it('makes them whole on a new database', async () => {
      const s = await open();
      expect(await s.migrate()).toContain('0012_citizens');
      await s.tables<CitizensTables>().insertInto('citizens').values(CITIZEN).execute();
      await s.tables<CitizensTables>().insertInto('citizen_notifications').values({ ...NOTICE, claimed_by: 'node', claimed_at: 4 }).execute();
      expect(await s.tables<CitizensTables>().selectFrom('citizen_notifications').select(['claimed_by', 'claimed_at']).executeTakeFirstOrThrow()).toEqual({ claimed_by: 'node', claimed_at: 4 });
    });

    it('keeps the rows of a database whose tables the consent module made, and adds what an older one lacks', async () => {
      const s = await open();
      await s.migrate();
      await s.tables<CitizensTables>().insertInto('citizens').values(CITIZEN).execute();
      await s.tables<CitizensTables>().insertInto('citizen_notifications').values(NOTICE).execute();
      // As a database migrated before the split, before 0010 gave notices their claim columns.
      await sql`delete from kysely_migration where name = '0012_citizens'`.execute(s.db);
      await sql`alter table citizen_notifications drop column claimed_by`.execute(s.db);
      await sql`alter table citizen_notifications drop column claimed_at`.execute(s.db);

      expect(await s.migrate()).toEqual(['0012_citizens']);
      expect(await s.tables<CitizensTables>().selectFrom('citizens').selectAll().execute()).toEqual([CITIZEN]);
      expect(await s.tables<CitizensTables>().selectFrom('citizen_notifications').selectAll().execute()).toEqual([{ ...NOTICE, claimed_by: null, claimed_at: null }]);
      await s.tables<CitizensTables>().updateTable('citizen_notifications').set({ claimed_by: 'node', claimed_at: 5 }).execute();

      // And once more on a database that already has everything: nothing changes.
      await sql`delete from kysely_migration where name = '0012_citizens'`.execute(s.db);
      expect(await s.migrate()).toEqual(['0012_citizens']);
      expect(await s.tables<CitizensTables>().selectFrom('citizen_notifications').select(['claimed_by', 'claimed_at']).executeTakeFirstOrThrow()).toEqual({ claimed_by: 'node', claimed_at: 5 });
    });
  });
}
