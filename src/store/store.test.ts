import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { sql } from 'kysely';
import type { Generated, Kysely } from 'kysely';
import { journalMigrations } from '../ledger/index.js';
import { registryMigrations } from '../registry/index.js';
import { LockLost, openStore } from './index.js';
import type { Store } from './index.js';
import { freshDatabase, testDialects } from './testing.js';
import type { TestDatabase } from './testing.js';
import { isUniqueViolation } from './index.js';

const postgresUrl = inject('postgresUrl');

/** The one registry table these tests write, as the store sees it: no module's table types. */
interface RegistryTables {
  members: { id: string; instance: string; member_class: string; code: string; name_en: string; name_ur: string; province: string | null; created_at: number };
}

/** Opens a store in a fresh process and prints the database drivers that process loaded (both are CommonJS). */
const DRIVER_PROBE = `
import { createRequire } from 'node:module';
const { openStore } = await import(process.argv[1]);
const store = openStore({ databaseUrl: process.argv[2] || undefined, dataDir: process.argv[3], migrations: [] });
await store.migrate();
await store.close();
const drivers = Object.keys(createRequire(import.meta.url).cache).map((file) => /node_modules\\/(pg|better-sqlite3)\\//.exec(file)?.[1]).filter(Boolean);
console.log(JSON.stringify([...new Set(drivers)]));
`;

for (const dialect of testDialects(postgresUrl)) {
  describe(`store on ${dialect}`, () => {
    let database: TestDatabase;
    let stores: Store[] = [];
    const open = async () => {
      database ??= await freshDatabase(dialect, postgresUrl);
      const store = openStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, migrations: [registryMigrations, journalMigrations] });
      stores.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of stores) await store.close();
      stores = [];
      await database?.drop();
      database = undefined as unknown as TestDatabase;
    });

    it('migrates once and then has nothing left to do', async () => {
      const store = await open();
      expect(await store.migrate()).toEqual(['0001_registry', '0002_journal', '0004_registry_version']);
      expect(await store.migrate()).toEqual([]);
    });

    it('rolls back a whole transaction when any statement fails', async () => {
      const store = await open();
      await store.migrate();
      const member = { id: 'PK/GOV/X', instance: 'PK', member_class: 'GOV', code: 'X', name_en: 'X', name_ur: 'ایکس', province: null, created_at: 1 };
      await expect(
        store.tables<RegistryTables>().transaction().execute(async (trx) => {
          await trx.insertInto('members').values(member).execute();
          await trx.insertInto('members').values(member).execute();
        }),
      ).rejects.toSatisfy(isUniqueViolation);
      const rows = await store.tables<RegistryTables>().selectFrom('members').selectAll().execute();
      expect(rows).toEqual([]);
    });

    it('keeps millisecond timestamps and Urdu text exact', async () => {
      const store = await open();
      await store.migrate();
      const at = Date.UTC(2026, 10, 28, 12, 0, 0, 123);
      await store.tables<RegistryTables>().insertInto('members').values({ id: 'PK/GOV/NADRA', instance: 'PK', member_class: 'GOV', code: 'NADRA', name_en: 'NADRA', name_ur: 'نادرا', province: null, created_at: at }).execute();
      const row = await store.tables<RegistryTables>().selectFrom('members').selectAll().executeTakeFirstOrThrow();
      expect(row.created_at).toBe(at);
      expect(row.name_ur).toBe('نادرا');
    });

    it('loads the driver of its own database and not the other', async () => {
      database = await freshDatabase(dialect, postgresUrl);
      const index = new URL('./index.ts', import.meta.url).pathname;
      const args = ['--import', 'tsx', '--input-type=module', '-e', DRIVER_PROBE, index, database.databaseUrl ?? '', database.dataDir];
      const { stdout } = await promisify(execFile)(process.execPath, args);
      expect(JSON.parse(stdout)).toEqual([dialect === 'sqlite' ? 'better-sqlite3' : 'pg']);
    });

    it('numbers the rows of an auto-increment key one by one, as the dialect declares it', async () => {
      const store = openStore({
        databaseUrl: (database = await freshDatabase(dialect, postgresUrl)).databaseUrl,
        dataDir: database.dataDir,
        migrations: [(ctx) => ({ '0001_counted': { up: (db: Kysely<unknown>) => db.schema.createTable('counted').$call(ctx.autoIncrementKey('id')).addColumn('name', 'text').execute() } })],
      });
      stores.push(store);
      await store.migrate();
      const counted = store.db as unknown as Kysely<{ counted: { id: Generated<number>; name: string } }>;
      await counted.insertInto('counted').values([{ name: 'a' }, { name: 'b' }]).execute();
      expect(await counted.selectFrom('counted').select(['id', 'name']).orderBy('id').execute()).toEqual([{ id: 1, name: 'a' }, { id: 2, name: 'b' }]);
    });

    it('lets only one holder of a named lock run at a time', async () => {
      const a = await open();
      const b = await open();
      await a.migrate();
      let release!: () => void;
      let entered!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const holding = new Promise<void>((resolve) => (entered = resolve));
      const first = a.dialect.tryWithLock('sequencer', async () => {
        entered();
        await held;
        return 'first';
      });
      await holding;
      const other = b;
      expect(await other.dialect.tryWithLock('sequencer', async () => 'second')).toBeUndefined();
      release();
      expect(await first).toBe('first');
      expect(await other.dialect.tryWithLock('sequencer', async () => 'second')).toBe('second');
      await sql`select 1`.execute(b.db);
    });

    it('keeps a leader lock after its work until the holder closes, then hands it over', async () => {
      const a = await open();
      const b = await open();
      await a.migrate();
      expect(await a.dialect.tryWithLock('leader', async () => 'a', { keep: true })).toBe('a');
      expect(await b.dialect.tryWithLock('leader', async () => 'b', { keep: true })).toBeUndefined();
      // The holder takes it again (renewing its lease) while it lives.
      expect(await a.dialect.tryWithLock('leader', async () => 'a again', { keep: true })).toBe('a again');
      const holders = await sql<{ holder: string }>`select holder from store_locks where name = 'leader'`.execute(b.db);
      expect(holders.rows).toEqual([{ holder: a.dialect.holder }]);
      await a.close();
      stores = stores.filter((s) => s !== a);
      expect(await b.dialect.tryWithLock('leader', async () => 'b', { keep: true })).toBe('b');
    });

    it('writes nothing when the holder finds in its transaction that its lease was taken over', async () => {
      const a = await open();
      const b = await open();
      await a.migrate();
      const member = { id: 'PK/GOV/F', instance: 'PK', member_class: 'GOV', code: 'F', name_en: 'F', name_ur: 'ف', province: null, created_at: 1 };
      const attempt = a.dialect.tryWithLock('fenced', async (lease) => {
        // As if this holder paused past its lease and another node took over meanwhile.
        await sql`update store_locks set holder = 'someone-else' where name = 'fenced'`.execute(b.db);
        return a.tables<RegistryTables>().transaction().execute(async (trx) => {
          await lease.fence(trx);
          await trx.insertInto('members').values(member).execute();
        });
      });
      await expect(attempt).rejects.toBeInstanceOf(LockLost);
      expect(await b.tables<RegistryTables>().selectFrom('members').selectAll().execute()).toEqual([]);
    });
  });
}
