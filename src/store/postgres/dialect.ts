import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Pool } from 'pg';
import { PostgresAdapter, PostgresDialect, sql } from 'kysely';
import type { StoreDialect } from '../dialect.js';
import { leaseLocks, withLockWaiting } from '../leases.js';

export interface PostgresOptions {
  url: string;
  poolSize?: number;
  /** how long a named lock's lease lasts without renewal (default 3 s) */
  leaseMs?: number;
}

/** The database's clock in ms: every node compares leases against the same clock. */
const NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

/** Loads pg only when a PostgreSQL store opens: a SQLite instance never does. */
async function createPool(options: PostgresOptions): Promise<Pool> {
  const { default: pg } = await import('pg');
  // int8 columns hold millisecond timestamps and counters, all below 2^53.
  pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
  // A bounded connect timeout: with the server down, a request fails (503) instead of waiting forever.
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, connectionTimeoutMillis: 5000 });
  // A client that loses its server must not crash the process: idle ones report to the pool, and a
  // checked-out one (between a transaction's statements) to itself; its query, if any, fails (503).
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/**
 * Kysely's migrator serializes with a session-level advisory lock, taken and
 * released outside its transaction. Through PgBouncer in transaction mode the
 * two statements may run on different server connections: the release misses,
 * the lock stays on a pooled connection, and the next node to start waits for
 * it for ever. The store takes a lease instead (`withMigrationLock`).
 */
class LeaseMigrationsAdapter extends PostgresAdapter {
  override async acquireMigrationLock(): Promise<void> {}
  override async releaseMigrationLock(): Promise<void> {}
}

class StorePostgresDialect extends PostgresDialect {
  override createAdapter(): PostgresAdapter {
    return new LeaseMigrationsAdapter();
  }
}

/**
 * Named locks are lease rows, not session-level advisory locks: a lease needs
 * no session of its own, so the locks work through PgBouncer in transaction
 * mode (which hands each transaction to any server connection and would lose a
 * session lock), and a dead holder's lease lapses after `leaseMs`. A live
 * holder renews every third of it.
 */
export function postgresDialect(options: PostgresOptions): StoreDialect {
  let pool: Promise<Pool> | undefined;
  const connect = () => (pool ??= createPool(options));
  const leaseMs = options.leaseMs ?? 3000;
  const holder = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  let ready: Promise<void> | undefined;

  // Created on first use rather than by a migration: the store owns it, and migrations belong to modules.
  const ensureTable = () =>
    (ready ??= connect()
      .then((p) => p.query('CREATE TABLE IF NOT EXISTS store_locks (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at BIGINT NOT NULL)'))
      .then(
        () => undefined,
        async (error: unknown) => {
          ready = undefined;
          // Two nodes creating it at once: one wins; the other sees a duplicate key in the catalogue (23505), a
          // duplicate table (42P07) or a duplicate row type (42710, "type … already exists"). The table is there.
          if (!['23505', '42P07', '42710'].includes((error as { code?: string }).code ?? '')) throw error;
        },
      ));
  const query = async (text: string, values: unknown[]) => (await connect()).query(text, values);

  const locks = leaseLocks({
    async take(name) {
      await ensureTable();
      const { rows } = await query(
        `INSERT INTO store_locks (name, holder, expires_at) VALUES ($1, $2, ${NOW_MS} + $3)
         ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
         WHERE store_locks.holder = EXCLUDED.holder OR store_locks.expires_at <= ${NOW_MS}
         RETURNING holder`,
        [name, holder, leaseMs],
      );
      return rows.length === 1;
    },
    renew: async (name) => void (await query(`UPDATE store_locks SET expires_at = ${NOW_MS} + $3 WHERE name = $1 AND holder = $2`, [name, holder, leaseMs])),
    release: async (name) => void (await query('DELETE FROM store_locks WHERE name = $1 AND holder = $2', [name, holder])),
    async fence(trx, name) {
      // The UPDATE row-locks the lease until the caller's transaction ends, so nobody takes it over meanwhile.
      const result = await sql<{ holder: string }>`UPDATE store_locks SET expires_at = ${sql.raw(NOW_MS)} + ${leaseMs} WHERE name = ${name} AND holder = ${holder} AND expires_at > ${sql.raw(NOW_MS)} RETURNING holder`.execute(trx);
      return result.rows.length === 1;
    },
    renewEveryMs: Math.max(100, Math.floor(leaseMs / 3)),
  });

  return {
    name: 'postgres',
    binaryType: 'bytea',
    autoIncrementKey: (column) => (table) => table.addColumn(column, 'bigserial', (c) => c.primaryKey()),
    supportsSkipLocked: true,
    serializesWrites: false,
    indexedBy: () => sql``,
    // information_schema lists every schema's tables: only the one the store uses counts.
    columnsOf: async (db, table) =>
      new Set((await sql<{ name: string }>`select column_name as name from information_schema.columns where table_schema = current_schema() and table_name = ${table}`.execute(db)).rows.map((r) => r.name)),
    holder,
    createKyselyDialect: () => new StorePostgresDialect({ pool: connect }),
    withMigrationLock: (fn) => withLockWaiting(locks.tryWithLock, 'store-migrations', fn),
    // With synchronous_commit on (the server's default) a commit is seen only once its WAL is flushed.
    durableTransaction: (db, fn) => db.transaction().execute(fn),
    ...locks,
    async close() {
      if (!pool) return;
      const opened = await pool;
      if (!opened.ended) await opened.end();
    },
  };
}
