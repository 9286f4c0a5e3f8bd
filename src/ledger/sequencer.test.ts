import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { openStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { freshDatabase, testDialects } from '../store/testing.js';
import type { TestDatabase } from '../store/testing.js';
import { LEAF_KIND } from './canonical.js';
import { journalMigrations } from './journal.js';
import { ledgerMigrations } from './migrations.js';
import { verifyConsistency } from './merkle-verify.js';
import { noteSignerFromSeed } from './note.js';
import { integrateQueued } from './sequencer.js';
import { createLedger } from './service.js';
import type { Ledger } from './service.js';
import type { LedgerTables } from './tables.js';

const postgresUrl = inject('postgresUrl');

/** A poll that never comes within a test: only a commit's wake-up can integrate. */
const NEVER_MS = 3_600_000;

for (const dialect of testDialects(postgresUrl)) {
  describe(`sequencer on ${dialect}`, () => {
    let database: TestDatabase | undefined;
    let store: Store | undefined;
    let ledger: Ledger | undefined;
    afterEach(async () => {
      await ledger?.stop();
      await store?.close();
      await database?.drop();
      [ledger, store, database] = [undefined, undefined, undefined];
    });
    const open = async () => {
      database = await freshDatabase(dialect, postgresUrl);
      store = openStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, migrations: [journalMigrations, ledgerMigrations] });
      await store.migrate();
      ledger = createLedger({ db: store.tables(), dialect: store.dialect, host: 'ledger.test', logSeed: randomBytes(32), now: Date.now, intervalMs: NEVER_MS });
      return { db: store.tables<LedgerTables>(), ledger };
    };
    const leaf = (ref: string) => ({ kind: LEAF_KIND.exchange, ref, at: 1, record: { id: ref } });

    it('integrates a leaf as soon as its transaction commits, without waiting for the poll', async () => {
      const { db, ledger } = await open();
      const heard: number[] = [];
      ledger.onCheckpoint((checkpoint) => heard.push(checkpoint.size));
      ledger.start();
      await db.transaction().execute((trx) => ledger.append(trx, leaf('one')));
      await vi.waitFor(async () => expect((await ledger.latestCheckpoint())?.size).toBe(1), { timeout: 10_000, interval: 5 });
      expect(heard).toEqual([1]);
    });

    it('integrates a burst of commits into one chain, leaving nothing queued', async () => {
      const { db, ledger } = await open();
      ledger.start();
      await Promise.all(Array.from({ length: 40 }, (_, i) => db.transaction().execute((trx) => ledger.append(trx, leaf(`burst-${i}`)))));
      await vi.waitFor(async () => expect((await ledger.latestCheckpoint())?.size).toBe(40), { timeout: 10_000, interval: 5 });
      const queued = await db.selectFrom('ledger_records').select('id').where('leaf_index', 'is', null).execute();
      expect(queued).toEqual([]);
      const indexes = (await db.selectFrom('ledger_records').select('leaf_index').orderBy('leaf_index').execute()).map((r) => r.leaf_index);
      expect(indexes).toEqual(Array.from({ length: 40 }, (_, i) => i));
    });

    it('does not integrate a leaf whose transaction rolled back', async () => {
      const { db, ledger } = await open();
      ledger.start();
      await expect(
        db.transaction().execute(async (trx) => {
          await ledger.append(trx, leaf('gone'));
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      await db.transaction().execute((trx) => ledger.append(trx, leaf('kept')));
      await vi.waitFor(async () => expect((await ledger.latestCheckpoint())?.size).toBe(1), { timeout: 10_000, interval: 5 });
      expect((await db.selectFrom('ledger_records').select('ref').execute()).map((r) => r.ref)).toEqual(['kept']);
    });

    it('integrates a queue longer than a batch in several checkpoints, ids with gaps included', async () => {
      const { db, ledger } = await open();
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < 50; i++) await ledger.append(trx, leaf(`many-${i}`));
      });
      // Gaps in the ids, as rolled-back transactions leave them on PostgreSQL.
      await db.deleteFrom('ledger_records').where('ref', 'in', ['many-10', 'many-11', 'many-30']).execute();
      const signer = noteSignerFromSeed('ledger.test/ledger', randomBytes(32));
      const heard: number[] = [];
      const deps = { db, dialect: (store as Store).dialect, origin: 'ledger.test/ledger', signer, now: Date.now, batchSize: 16 };
      expect(await integrateQueued(deps, (batch) => heard.push(batch.size))).toMatchObject({ size: 47, added: 15 });
      expect(heard).toEqual([16, 32, 47]);
      const indexes = (await db.selectFrom('ledger_records').select('leaf_index').orderBy('id').execute()).map((r) => r.leaf_index);
      expect(indexes).toEqual(Array.from({ length: 47 }, (_, i) => i));
      const checkpoints = await db.selectFrom('ledger_checkpoints').select(['size', 'root']).orderBy('size').execute();
      const [first, last] = [checkpoints[0]!, checkpoints[2]!];
      expect(verifyConsistency(first.size, last.size, await ledger.consistencyProof(first.size, last.size), first.root, last.root)).toMatchObject({ ok: true });
    });
  });
}
