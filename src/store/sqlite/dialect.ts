import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CompiledQuery, SqliteDialect, SqliteDriver, sql } from 'kysely';
import type { DatabaseConnection, SqliteDialectConfig } from 'kysely';
import type { LockLease, StoreDialect } from '../dialect.js';
import { LockLost } from '../errors.js';

const LEASE_MS = 15_000;

export interface SqliteOptions {
  file: string;
  synchronous: 'FULL' | 'NORMAL';
}

/**
 * One SQLite file in WAL mode. Several processes may share the file (a
 * cluster on one machine), so named locks are leases in the file itself,
 * taken under SQLite's write lock; a lease outlives a crashed holder only
 * until it expires.
 */
/**
 * Transactions begin IMMEDIATE: they take the write lock at the start. A
 * deferred one that read first and then writes fails at once (SQLITE_BUSY,
 * whatever busy_timeout says) when another process on the file committed in
 * between; an immediate one waits its turn instead.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver() {
    return new ImmediateSqliteDriver(this.#config);
  }
}

export function sqliteDialect(options: SqliteOptions): StoreDialect {
  if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
  const connection = new Database(options.file);
  connection.pragma('journal_mode = WAL');
  connection.pragma(`synchronous = ${options.synchronous}`);
  connection.pragma('busy_timeout = 5000');
  connection.pragma('foreign_keys = ON');
  connection.exec('CREATE TABLE IF NOT EXISTS store_locks (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL)');
  const holder = `${process.pid}-${randomUUID()}`;
  const kept = new Set<string>();
  const running = new Set<string>();
  const take = connection.transaction((name: string, now: number) => {
    const row = connection.prepare('SELECT holder, expires_at FROM store_locks WHERE name = ?').get(name) as { holder: string; expires_at: number } | undefined;
    if (row && row.holder !== holder && row.expires_at > now && holderAlive(row.holder)) return false;
    connection.prepare('INSERT INTO store_locks (name, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at').run(name, holder, now + LEASE_MS);
    return true;
  });
  const release = (name: string) => {
    if (connection.open) connection.prepare('DELETE FROM store_locks WHERE name = ? AND holder = ?').run(name, holder);
  };
  return {
    name: 'sqlite',
    binaryType: 'blob',
    supportsSkipLocked: false,
    holder,
    createKyselyDialect: () => new ImmediateSqliteDialect({ database: connection }),
    async tryWithLock(name, fn, lockOptions = {}) {
      // The lease names this process, so two runs in it would both pass the row: one at a time here too.
      if (running.has(name)) return undefined;
      running.add(name);
      try {
        if (!take.immediate(name, Date.now())) {
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
          // Inside an IMMEDIATE transaction: nobody else writes the file, so the lease cannot change hands before it ends.
          const result = await sql<{ holder: string }>`UPDATE store_locks SET expires_at = ${Date.now() + LEASE_MS} WHERE name = ${name} AND holder = ${holder} RETURNING holder`.execute(trx);
          if (result.rows.length !== 1) throw new LockLost(name);
        },
      };
      // Long work renews the lease, so it never lapses while the holder lives.
      const renew = setInterval(() => connection.prepare('UPDATE store_locks SET expires_at = ? WHERE name = ? AND holder = ?').run(Date.now() + LEASE_MS, name, holder), LEASE_MS / 3);
      try {
        return await fn(lease);
      } finally {
        clearInterval(renew);
        if (!lockOptions.keep) release(name);
        running.delete(name);
      }
    },
    async releaseLocks() {
      for (const name of kept) release(name);
      kept.clear();
    },
    async close() {
      if (connection.open) connection.close();
    },
  };
}

/**
 * The file is on this machine, so are its holders: a holder whose process is
 * gone (killed, crashed) holds nothing, and its lease is taken at once.
 */
function holderAlive(holder: string): boolean {
  const pid = Number(holder.split('-')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
