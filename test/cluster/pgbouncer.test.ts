import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { SYSTEM_ACTOR } from '../../src/core/changes.js';
import { newKeysFile, writeKeysFile } from '../../src/keyring/index.js';
import { verifyConsistency } from '../../src/ledger/index.js';
import { createPlatform } from '../../src/platform/index.js';
import type { Platform } from '../../src/platform/index.js';
import { freshDatabase } from '../../src/store/testing.js';
import type { TestDatabase } from '../../src/store/testing.js';
import { startPgbouncer } from './pgbouncer.js';
import type { Pgbouncer } from './pgbouncer.js';
import type { AllTables } from '../tables.js';

const postgresUrl = inject('postgresUrl');

/**
 * PgBouncer in transaction-pooling mode hands each transaction to whichever
 * server connection is free, so nothing may rely on a session: these cases run
 * several nodes' platforms through a real PgBouncer on the real server.
 */
describe.runIf(postgresUrl)('nodes through PgBouncer in transaction mode', () => {
  let bouncer: Pgbouncer;
  let database: TestDatabase;
  let env: Record<string, string>;
  const nodes: Platform[] = [];

  beforeAll(async () => {
    const server = new URL(postgresUrl as string);
    bouncer = await startPgbouncer({ host: server.hostname, port: Number(server.port || 5432) }, { poolSize: 4 });
    database = await freshDatabase('postgres', postgresUrl);
    const name = new URL(database.databaseUrl as string).pathname.slice(1);
    env = { RABTA_DATA_DIR: database.dataDir, DATABASE_URL: bouncer.url(name), RABTA_KEYS_FILE: `${database.dataDir}/keys.json`, RABTA_LOG_LEVEL: 'error' };
    writeKeysFile(env.RABTA_KEYS_FILE as string, await newKeysFile());
    // The first node migrates; the store's migration lock is a lease, which works through PgBouncer (pgbouncer-migrate.test.ts).
    nodes.push(await createPlatform(loadConfig(env), { background: false }));
    nodes.push(await createPlatform(loadConfig(env), { background: false, migrate: false }));
    nodes.push(await createPlatform(loadConfig(env), { background: false, migrate: false }));
  });

  afterAll(async () => {
    for (const node of nodes) await node.close();
    await bouncer?.stop();
    await database?.drop();
  });

  it('goes through PgBouncer: the server sees PgBouncer’s pooled connections, no more than its pool', async () => {
    const rows = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database()`.execute(nodes[0]!.store.tables<AllTables>());
    expect(rows.rows[0]!.n).toBeGreaterThan(0);
    expect(rows.rows[0]!.n).toBeLessThanOrEqual(4);
  });

  it('keeps one sequencer among the nodes, integrating every queued leaf into one consistent chain', async () => {
    await nodes[0]!.registry.createMember(SYSTEM_ACTOR, { memberClass: 'GOV', code: 'NADRA', nameEn: 'NADRA', nameUr: 'نادرا' });
    for (let round = 0; round < 6; round++) {
      await Promise.all(nodes.map((node, i) => node.registry.createSubsystem(SYSTEM_ACTOR, 'PK/GOV/NADRA', { code: `s-${round}-${i}`, name: 'x' })));
      const results = await Promise.all([...nodes, ...nodes].map((node) => node.ledger.integrate()));
      // Exactly one node holds the lease (the first to take it keeps it); the others did nothing.
      const holders = new Set(results.map((r, i) => (r ? i % nodes.length : -1)).filter((i) => i >= 0));
      expect(holders.size).toBe(1);
    }
    const db = nodes[0]!.store.tables<AllTables>();
    const leaves = await db.selectFrom('ledger_records').select('leaf_index').execute();
    const indexes = leaves.map((l) => l.leaf_index);
    expect(indexes.every((i) => i !== null)).toBe(true);
    expect(new Set(indexes).size).toBe(indexes.length);
    expect(Math.max(...(indexes as number[]))).toBe(indexes.length - 1);
    const checkpoints = await db.selectFrom('ledger_checkpoints').select(['size', 'root']).orderBy('size').execute();
    expect(checkpoints.length).toBeGreaterThan(1);
    for (let i = 1; i < checkpoints.length; i++) {
      const [a, b] = [checkpoints[i - 1]!, checkpoints[i]!];
      const proof = await nodes[i % nodes.length]!.ledger.consistencyProof(a.size, b.size);
      expect(verifyConsistency(a.size, b.size, proof, a.root, b.root)).toMatchObject({ ok: true });
    }
  });

  it('hands the sequencer over when its holder stops, and the next one continues the same chain', async () => {
    const holderRow = await sql<{ holder: string }>`select holder from store_locks where name = 'ledger-sequencer'`.execute(nodes[0]!.store.tables<AllTables>());
    const holder = nodes.findIndex((node) => node.store.dialect.holder === holderRow.rows[0]?.holder);
    expect(holder).toBeGreaterThanOrEqual(0);
    const before = await nodes[0]!.ledger.latestCheckpoint();
    const [leaving] = nodes.splice(holder, 1);
    await leaving!.close();
    await nodes[0]!.registry.createSubsystem(SYSTEM_ACTOR, 'PK/GOV/NADRA', { code: 'after-handover', name: 'x' });
    const results = await Promise.all(nodes.map((node) => node.ledger.integrate()));
    expect(results.filter((r) => r && r.added > 0)).toHaveLength(1);
    const after = await nodes[0]!.ledger.latestCheckpoint();
    expect(after!.size).toBeGreaterThan(before!.size);
    const rows = await nodes[0]!.store.tables<AllTables>().selectFrom('ledger_checkpoints').select(['size', 'root']).where('size', 'in', [before!.size, after!.size]).orderBy('size').execute();
    const proof = await nodes[1]!.ledger.consistencyProof(before!.size, after!.size);
    expect(verifyConsistency(before!.size, after!.size, proof, rows[0]!.root, rows[1]!.root)).toMatchObject({ ok: true });
  });

  it('lets one holder at a time run a sweep lock, and releases it for the next', async () => {
    let inside = 0;
    let most = 0;
    const runs = await Promise.all(
      [...nodes, ...nodes].map((node) =>
        node.store.dialect.tryWithLock('cluster-test-sweep', async () => {
          inside++;
          most = Math.max(most, inside);
          await sql`select pg_sleep(0.05)`.execute(node.store.tables<AllTables>());
          inside--;
          return true;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(runs.filter(Boolean).length).toBeGreaterThanOrEqual(1);
    // Released after each run: any node takes it next.
    expect(await nodes[1]!.store.dialect.tryWithLock('cluster-test-sweep', async () => 'next')).toBe('next');
  });
});
