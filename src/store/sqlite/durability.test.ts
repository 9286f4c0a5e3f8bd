import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
import { registryMigrations } from '../../registry/index.js';
import { openStore } from '../index.js';
import type { Store } from '../index.js';

interface RegistryTables {
  members: { id: string; instance: string; member_class: string; code: string; name_en: string; name_ur: string; province: string | null; created_at: number };
}

const member = (id: string) => ({ id, instance: 'PK', member_class: 'GOV', code: id, name_en: id, name_ur: id, province: null, created_at: 1 });

describe('SQLite with synchronous=FULL', () => {
  let dir: string;
  let store: Store | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** The datasyncs of every FileHandle from now on (they share one prototype), each noted once it finished. */
  async function watchSyncs(): Promise<string[]> {
    dir = mkdtempSync(join(tmpdir(), 'rabta-durability-'));
    const probe = await open(join(dir, 'probe'), 'w');
    const prototype = Object.getPrototypeOf(probe) as { datasync(): Promise<void> };
    await probe.close();
    const synced: string[] = [];
    const original = prototype.datasync;
    vi.spyOn(prototype, 'datasync').mockImplementation(async function (this: unknown) {
      await original.call(this);
      synced.push('sync');
    });
    return synced;
  }

  it('commits without an fsync on the event loop and answers each write only after the WAL is synced', async () => {
    const synced = await watchSyncs();

    store = openStore({ dataDir: dir, sqliteSynchronous: 'FULL', migrations: [registryMigrations] });
    await store.migrate();
    const db = store.tables<RegistryTables>();
    // The connection itself commits with NORMAL (1): the store makes the fsync.
    expect((await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(db)).rows[0]?.synchronous).toBe(1);

    synced.length = 0;
    await db.transaction().execute((trx) => trx.insertInto('members').values(member('A')).execute());
    expect(synced.length).toBeGreaterThanOrEqual(1);

    synced.length = 0;
    await db.insertInto('members').values(member('B')).execute();
    expect(synced.length).toBeGreaterThanOrEqual(1);

    // Reads owe nothing.
    synced.length = 0;
    await db.selectFrom('members').selectAll().execute();
    await db.transaction().execute((trx) => trx.selectFrom('members').selectAll().execute());
    expect(synced).toEqual([]);

    // Writes made together share syncs: fewer syncs than writes, and every one answered.
    synced.length = 0;
    await Promise.all(Array.from({ length: 20 }, (_, i) => db.transaction().execute((trx) => trx.insertInto('members').values(member(`C${i}`)).execute())));
    expect(synced.length).toBeGreaterThanOrEqual(1);
    expect(synced.length).toBeLessThan(20);
    expect((await db.selectFrom('members').select('id').execute()).length).toBe(22);
  });

  it('makes no fsync of its own with NORMAL', async () => {
    const synced = await watchSyncs();
    store = openStore({ dataDir: dir, sqliteSynchronous: 'NORMAL', migrations: [registryMigrations] });
    await store.migrate();
    await store.tables<RegistryTables>().insertInto('members').values(member('A')).execute();
    expect((await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(store.tables())).rows[0]?.synchronous).toBe(1);
    expect(synced).toEqual([]);
  });
});
