import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CompiledQuery, SqliteDialect, SqliteDriver } from 'kysely';
import type { DatabaseConnection, SqliteDialectConfig } from 'kysely';
import type { StoreDialect } from '../dialect.js';

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
  const take = connection.transaction((name: string, now: number) => {
    const row = connection.prepare('SELECT holder, expires_at FROM store_locks WHERE name = ?').get(name) as { holder: string; expires_at: number } | undefined;
    if (row && row.expires_at > now) return false;
    connection.prepare('INSERT INTO store_locks (name, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at').run(name, holder, now + LEASE_MS);
    return true;
  });
  return {
    name: 'sqlite',
    binaryType: 'blob',
    supportsSkipLocked: false,
    createKyselyDialect: () => new ImmediateSqliteDialect({ database: connection }),
    async tryWithLock(name, fn) {
      if (!take.immediate(name, Date.now())) return undefined;
      // Long work renews the lease, so it never lapses while the holder lives.
      const renew = setInterval(() => connection.prepare('UPDATE store_locks SET expires_at = ? WHERE name = ? AND holder = ?').run(Date.now() + LEASE_MS, name, holder), LEASE_MS / 3);
      try {
        return await fn();
      } finally {
        clearInterval(renew);
        if (connection.open) connection.prepare('DELETE FROM store_locks WHERE name = ? AND holder = ?').run(name, holder);
      }
    },
    async close() {
      if (connection.open) connection.close();
    },
  };
}
