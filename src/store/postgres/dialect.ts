import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import { PostgresDialect, sql } from 'kysely';
import type { LockLease, StoreDialect } from '../dialect.js';
import { LockLost } from '../errors.js';

export interface PostgresOptions {
  url: string;
  poolSize?: number;
  /** how long a named lock's lease lasts without renewal (default 3 s) */
  leaseMs?: number;
}

// int8 columns hold millisecond timestamps and counters, all below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** The database's clock in ms: every node compares leases against the same clock. */
const NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

/**
 * Named locks are lease rows, not session-level advisory locks: a lease needs
 * no session of its own, so the locks work through PgBouncer in transaction
 * mode (which hands each transaction to any server connection and would lose a
 * session lock), and a dead holder's lease lapses after `leaseMs`. A live
 * holder renews every third of it.
 */
export function postgresDialect(options: PostgresOptions): StoreDialect {
  // A bounded connect timeout: with the server down, a request fails (503) instead of waiting forever.
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, connectionTimeoutMillis: 5000 });
  // A client that loses its server must not crash the process: idle ones report to the pool, and a
  // checked-out one (between a transaction's statements) to itself; its query, if any, fails (503).
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const leaseMs = options.leaseMs ?? 3000;
  const holder = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  const kept = new Set<string>();
  const running = new Set<string>();
  let ready: Promise<void> | undefined;

  // Created on first use rather than by a migration: the store owns it, and migrations belong to modules.
  const ensureTable = () =>
    (ready ??= pool
      .query('CREATE TABLE IF NOT EXISTS store_locks (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at BIGINT NOT NULL)')
      .then(
        () => undefined,
        async (error: unknown) => {
          ready = undefined;
          // Two nodes creating it at once: one wins, the other sees a duplicate type; the table is there either way.
          if (!['23505', '42P07'].includes((error as { code?: string }).code ?? '')) throw error;
        },
      ));

  async function take(name: string): Promise<boolean> {
    await ensureTable();
    const { rows } = await pool.query(
      `INSERT INTO store_locks (name, holder, expires_at) VALUES ($1, $2, ${NOW_MS} + $3)
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
       WHERE store_locks.holder = EXCLUDED.holder OR store_locks.expires_at <= ${NOW_MS}
       RETURNING holder`,
      [name, holder, leaseMs],
    );
    return rows.length === 1;
  }

  const renew = (name: string) => pool.query(`UPDATE store_locks SET expires_at = ${NOW_MS} + $3 WHERE name = $1 AND holder = $2`, [name, holder, leaseMs]);
  const release = (name: string) => pool.query('DELETE FROM store_locks WHERE name = $1 AND holder = $2', [name, holder]);

  return {
    name: 'postgres',
    binaryType: 'bytea',
    supportsSkipLocked: true,
    holder,
    createKyselyDialect: () => new PostgresDialect({ pool }),
    async tryWithLock(name, fn, lockOptions = {}) {
      // The lease names this process, so two runs in it would both pass the row: one at a time here too.
      if (running.has(name)) return undefined;
      running.add(name);
      try {
        if (!(await take(name))) {
          running.delete(name);
          return undefined;
        }
      } catch (error) {
        running.delete(name);
        throw error;
      }
      if (lockOptions.keep) kept.add(name);
      const lease: LockLease = {
        async fence(trx) {
          // The UPDATE row-locks the lease until the caller's transaction ends, so nobody takes it over meanwhile.
          const result = await sql<{ holder: string }>`UPDATE store_locks SET expires_at = ${sql.raw(NOW_MS)} + ${leaseMs} WHERE name = ${name} AND holder = ${holder} AND expires_at > ${sql.raw(NOW_MS)} RETURNING holder`.execute(trx);
          if (result.rows.length !== 1) throw new LockLost(name);
        },
      };
      const timer = setInterval(() => void renew(name).catch(() => undefined), Math.max(100, Math.floor(leaseMs / 3)));
      try {
        return await fn(lease);
      } finally {
        clearInterval(timer);
        if (!lockOptions.keep) await release(name).catch(() => undefined);
        running.delete(name);
      }
    },
    async releaseLocks() {
      // A leader that stops on purpose hands over at once instead of after its lease.
      await Promise.all([...kept].map((name) => release(name).catch(() => undefined)));
      kept.clear();
    },
    async close() {
      if (!pool.ended) await pool.end();
    },
  };
}
