import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MIGRATIONS } from '../../src/platform/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { freshDatabase } from '../../src/store/testing.js';
import type { TestDatabase } from '../../src/store/testing.js';
import { startPgbouncer } from './pgbouncer.js';
import type { Pgbouncer } from './pgbouncer.js';

const postgresUrl = inject('postgresUrl');

/**
 * Nodes that start together migrate together. Through PgBouncer in transaction
 * mode a session-level lock is taken on one server connection and released on
 * another (or not at all): the lock stays behind on a pooled connection and the
 * next node to migrate waits for it for ever. Migrations must serialize with a
 * lock that needs no session.
 */
describe.runIf(postgresUrl)('migrations of nodes starting together through PgBouncer', () => {
  let bouncer: Pgbouncer;
  let database: TestDatabase;
  let url: string;
  const stores: Store[] = [];

  beforeAll(async () => {
    const server = new URL(postgresUrl as string);
    bouncer = await startPgbouncer({ host: server.hostname, port: Number(server.port || 5432) }, { poolSize: 6 });
    database = await freshDatabase('postgres', postgresUrl);
    url = bouncer.url(new URL(database.databaseUrl as string).pathname.slice(1));
  });

  afterAll(async () => {
    for (const store of stores) await store.close();
    await bouncer?.stop();
    await database?.drop();
  });

  const open = () => {
    const store = openStore({ databaseUrl: url, migrations: MIGRATIONS, poolSize: 3 });
    stores.push(store);
    return store;
  };

  /** a count, asked of the server directly (PgBouncer's pooled connections are the server's too) */
  async function count(query: string): Promise<number> {
    const client = new pg.Client({ connectionString: database.databaseUrl });
    await client.connect();
    try {
      return (await client.query<{ n: number }>(query)).rows[0]!.n;
    } finally {
      await client.end();
    }
  }
  const advisoryLocks = () =>
    count("select count(*)::int as n from pg_locks l join pg_database d on d.oid = l.database where l.locktype = 'advisory' and d.datname = current_database()");

  it('runs each migration once when several nodes migrate at once, and leaves no lock behind for the next', async () => {
    for (let round = 0; round < 4; round++) {
      const results = await Promise.all([open(), open(), open(), open()].map((store) => store.migrate()));
      const ran = results.flat();
      // The first round creates every table once, whoever runs each migration; later rounds find nothing to do.
      expect(ran.length).toBe(round === 0 ? new Set(ran).size : 0);
      if (round === 0) expect(ran.length).toBe(await count('select count(*)::int as n from kysely_migration'));
      expect(await advisoryLocks()).toBe(0);
    }
  }, 120_000);
});
