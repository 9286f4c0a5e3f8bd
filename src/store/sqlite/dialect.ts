import { randomUUID } from 'node:crypto';
import type { Database as SqliteFile } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CompiledQuery, SqliteDialect, SqliteDriver, sql } from 'kysely';
import type { DatabaseConnection, SqliteDialectConfig } from 'kysely';
import type { StoreDialect } from '../dialect.js';
import { leaseLocks } from '../leases.js';

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

/** Loads better-sqlite3 only when a SQLite store opens: a PostgreSQL instance never does. */
async function openFile(options: SqliteOptions): Promise<SqliteFile> {
  const { default: Database } = await import('better-sqlite3');
  if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
  const connection = new Database(options.file);
  connection.pragma('journal_mode = WAL');
  connection.pragma(`synchronous = ${options.synchronous}`);
  connection.pragma('busy_timeout = 5000');
  connection.pragma('foreign_keys = ON');
  connection.exec('CREATE TABLE IF NOT EXISTS store_locks (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL)');
  return connection;
}

export function sqliteDialect(options: SqliteOptions): StoreDialect {
  let file: Promise<SqliteFile> | undefined;
  const open = () => (file ??= openFile(options));
  const holder = `${process.pid}-${randomUUID()}`;

  const locks = leaseLocks({
    async take(name) {
      const connection = await open();
      // Under the write lock (IMMEDIATE): read and write the lease as one step, whoever else shares the file.
      const take = connection.transaction((now: number) => {
        const row = connection.prepare('SELECT holder, expires_at FROM store_locks WHERE name = ?').get(name) as { holder: string; expires_at: number } | undefined;
        if (row && row.holder !== holder && row.expires_at > now && holderAlive(row.holder)) return false;
        connection.prepare('INSERT INTO store_locks (name, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at').run(name, holder, now + LEASE_MS);
        return true;
      });
      return take.immediate(Date.now());
    },
    async renew(name) {
      const connection = await open();
      if (connection.open) connection.prepare('UPDATE store_locks SET expires_at = ? WHERE name = ? AND holder = ?').run(Date.now() + LEASE_MS, name, holder);
    },
    async release(name) {
      const connection = await open();
      if (connection.open) connection.prepare('DELETE FROM store_locks WHERE name = ? AND holder = ?').run(name, holder);
    },
    async fence(trx, name) {
      // Inside an IMMEDIATE transaction: nobody else writes the file, so the lease cannot change hands before it ends.
      const result = await sql<{ holder: string }>`UPDATE store_locks SET expires_at = ${Date.now() + LEASE_MS} WHERE name = ${name} AND holder = ${holder} RETURNING holder`.execute(trx);
      return result.rows.length === 1;
    },
    renewEveryMs: LEASE_MS / 3,
  });

  return {
    name: 'sqlite',
    binaryType: 'blob',
    autoIncrementKey: (column) => (table) => table.addColumn(column, 'integer', (c) => c.primaryKey().autoIncrement()),
    supportsSkipLocked: false,
    serializesWrites: true,
    indexedBy: (index) => sql` INDEXED BY ${sql.id(index)}`,
    columnsOf: async (db, table) => new Set((await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db)).rows.map((r) => r.name)),
    holder,
    createKyselyDialect: () => new ImmediateSqliteDialect({ database: open }),
    ...locks,
    async close() {
      if (!file) return;
      const connection = await file;
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
