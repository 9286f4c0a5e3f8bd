import { afterEach, describe, expect, inject, it } from 'vitest';
import { journalMigrations } from '../ledger/index.js';
import { afterCommit, openStore } from './index.js';
import type { Store } from './index.js';
import { freshDatabase, testDialects } from './testing.js';
import type { TestDatabase } from './testing.js';

const postgresUrl = inject('postgresUrl');

interface JournalRows {
  registry_changes: { seq?: number; at: number; actor: string; action: string; target: string; details: string };
}

const change = { at: 1, actor: 'test', action: 'noted', target: 'x', details: '{}' };

for (const dialect of testDialects(postgresUrl)) {
  describe(`after-commit hooks on ${dialect}`, () => {
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
      store = openStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, migrations: [journalMigrations] });
      await store.migrate();
      return store.tables<JournalRows>();
    };

    it('runs a hook once its transaction has committed, once however often it was registered', async () => {
      const db = await open();
      const ran: string[] = [];
      const hook = () => ran.push('hook');
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('registry_changes').values(change).execute();
        await afterCommit(trx, hook);
        await afterCommit(trx, hook);
        ran.push('before commit');
      });
      expect(ran).toEqual(['before commit', 'hook']);
    });

    it('drops the hooks of a transaction that rolls back, and runs those of a plain connection at once', async () => {
      const db = await open();
      const ran: string[] = [];
      await expect(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('registry_changes').values(change).execute();
          await afterCommit(trx, () => ran.push('rolled back'));
          throw new Error('no');
        }),
      ).rejects.toThrow('no');
      await db.transaction().execute(async () => undefined);
      expect(ran).toEqual([]);
      await afterCommit(db, () => ran.push('now'));
      expect(ran).toEqual(['now']);
    });
  });
}
