import { randomUUID } from 'node:crypto';
import type { Database as SqliteFile } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CompiledQuery, SqliteDialect, SqliteDriver, sql } from 'kysely';
import type { DatabaseConnection, SqliteDatabase, SqliteDialectConfig } from 'kysely';
import type { StoreDialect } from '../dialect.js';
import { leaseLocks } from '../leases.js';
import { walSync } from './wal-sync.js';
import type { WalSync } from './wal-sync.js';

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
 *
 * It waits without blocking: SQLite's own busy handler sleeps (1 ms, 2 ms,
 * 5 ms, …) with the event loop stopped, so a process whose neighbour holds
 * the lock for an fsync could neither serve nor sign meanwhile. BEGIN is
 * tried with no busy timeout, and on SQLITE_BUSY the event loop runs until
 * the next try, for as long as busy_timeout would have waited.
 *
 * Durability (`synchronous = FULL`) is kept the same way, off the event loop:
 * the file commits with NORMAL and a connection that wrote is released only
 * once `wal-sync.ts`'s fdatasync covers its writes, so no caller hears of a
 * commit before it is on disk, while the connection (and the file's write
 * lock) already serves the next transaction.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  readonly #file: () => Promise<SqliteFile>;
  readonly #writes: Writes;
  constructor(config: SqliteDialectConfig, file: () => Promise<SqliteFile>, writes: Writes) {
    super(config);
    this.#file = file;
    this.#writes = writes;
  }
  override async releaseConnection(): Promise<void> {
    // Read before unlocking: the next holder's writes are its own to wait for.
    const owed = this.#writes.since;
    this.#writes.since = false;
    await super.releaseConnection();
    if (owed && this.#writes.sync) await this.#writes.sync.durable();
  }
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const begin = beginWithoutWaiting(await this.#file());
    const deadline = Date.now() + BUSY_TIMEOUT_MS;
    for (let attempt = 0; ; attempt++) {
      if (begin()) return;
      if (Date.now() >= deadline) break;
      // The first retries come back at once (the holder's commit may be a fraction of a millisecond), then every millisecond.
      await (attempt < 2 ? new Promise<void>((resolve) => setImmediate(resolve)) : new Promise<void>((resolve) => setTimeout(resolve, 1)));
    }
    // Out of patience: the ordinary way, so the failure is SQLite's own SQLITE_BUSY.
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

const BUSY_TIMEOUT_MS = 5000;

const beginOf = new WeakMap<SqliteFile, () => boolean>();

/** BEGIN IMMEDIATE with no busy timeout: false if another connection holds the write lock. */
function beginWithoutWaiting(file: SqliteFile): () => boolean {
  let begin = beginOf.get(file);
  if (begin) return begin;
  const noWait = file.prepare('PRAGMA busy_timeout = 0');
  const wait = file.prepare(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  const statement = file.prepare('BEGIN IMMEDIATE');
  begin = () => {
    noWait.run();
    try {
      statement.run();
      return true;
    } catch (error) {
      // SQLITE_BUSY and its extended codes (…_RECOVERY while another process replays the WAL, …_SNAPSHOT).
      if (String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY')) return false;
      throw error;
    } finally {
      // Every other statement (leases, autocommit writes) keeps waiting the usual way.
      wait.run();
    }
  };
  beginOf.set(file, begin);
  return begin;
}

/** Whether the connection's holder wrote since it acquired it, and the WAL's sync when commits are to be durable. */
interface Writes {
  since: boolean;
  sync: WalSync | undefined;
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #file: () => Promise<SqliteFile>;
  readonly #writes: Writes;
  constructor(file: () => Promise<SqliteFile>, writes: Writes) {
    // Kysely prepares every query it runs; the same SQL is prepared once here and its statement reused.
    const config: SqliteDialectConfig = { database: async () => reusingStatements(await file(), writes) };
    super(config);
    this.#config = config;
    this.#file = file;
    this.#writes = writes;
  }
  override createDriver() {
    return new ImmediateSqliteDriver(this.#config, this.#file, this.#writes);
  }
}

/** How many distinct statements stay prepared (queries with IN lists or many rows each have their own SQL). */
const STATEMENT_CACHE = 500;

/**
 * The file as Kysely sees it, with prepared statements reused by their SQL,
 * the most recently used kept: preparing is a good part of a small query's
 * cost. A statement still being iterated (a stream) is busy and not shared.
 */
function reusingStatements(file: SqliteFile, writes: Writes): SqliteDatabase {
  const cache = new Map<string, SqliteStatementOf>();
  return {
    close: () => file.close(),
    prepare(sql: string) {
      const hit = cache.get(sql);
      if (hit && !hit.busy) {
        cache.delete(sql);
        cache.set(sql, hit);
        // Kysely runs what it prepares at once: a statement that may write makes the holder wait for the sync.
        if (!hit.readonly) writes.since = true;
        return hit;
      }
      const statement = file.prepare(sql);
      if (!statement.readonly) writes.since = true;
      if (!hit) {
        cache.set(sql, statement);
        if (cache.size > STATEMENT_CACHE) cache.delete(cache.keys().next().value as string);
      }
      return statement;
    },
  };
}

type SqliteStatementOf = ReturnType<SqliteFile['prepare']>;

/** Loads better-sqlite3 only when a SQLite store opens: a PostgreSQL instance never does. */
async function openFile(options: SqliteOptions, writes: Writes): Promise<SqliteFile> {
  const { default: Database } = await import('better-sqlite3');
  if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
  const connection = new Database(options.file);
  const wal = connection.pragma('journal_mode = WAL', { simple: true }) === 'wal';
  // FULL's fsync is made after the commit, off the event loop (see ImmediateSqliteDriver); a memory database
  // (or a file system where WAL is refused) keeps SQLite's own.
  if (wal && options.synchronous === 'FULL') writes.sync = walSync(`${connection.name}-wal`);
  connection.pragma(`synchronous = ${writes.sync ? 'NORMAL' : options.synchronous}`);
  connection.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  connection.pragma('foreign_keys = ON');
  connection.exec('CREATE TABLE IF NOT EXISTS store_locks (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL)');
  return connection;
}

export function sqliteDialect(options: SqliteOptions): StoreDialect {
  let file: Promise<SqliteFile> | undefined;
  const writes: Writes = { since: false, sync: undefined };
  const open = () => (file ??= openFile(options, writes));
  const holder = `${process.pid}-${randomUUID()}`;

  const locks = leaseLocks({
    async take(name) {
      const connection = await open();
      const heldByOther = (row: { holder: string; expires_at: number } | undefined, now: number) => row !== undefined && row.holder !== holder && row.expires_at > now && holderAlive(row.holder);
      const read = () => connection.prepare('SELECT holder, expires_at FROM store_locks WHERE name = ?').get(name) as { holder: string; expires_at: number } | undefined;
      // A look first, which WAL never blocks: a node that is not the holder asks often (the sequencer's poll)
      // and would otherwise wait for the write lock, with its event loop stopped, only to be told no.
      if (!connection.inTransaction && heldByOther(read(), Date.now())) return false;
      // Under the write lock (IMMEDIATE): read and write the lease as one step, whoever else shares the file.
      const take = connection.transaction((now: number) => {
        if (heldByOther(read(), now)) return false;
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
    createKyselyDialect: () => new ImmediateSqliteDialect(open, writes),
    // One file, one writer at a time: the migrator's transaction is the lock (a node's workers never migrate).
    withMigrationLock: (fn) => fn(),
    async durableTransaction(db, fn) {
      await open();
      if (!writes.sync) return db.transaction().execute(fn);
      // SQLite's own FULL syncs the WAL inside COMMIT, before other readers see the frames; the
      // setting cannot change inside a transaction, so it is set around it on the same connection.
      return db.connection().execute(async (connection) => {
        await sql`PRAGMA synchronous = FULL`.execute(connection);
        try {
          return await connection.transaction().execute(fn);
        } finally {
          await sql`PRAGMA synchronous = NORMAL`.execute(connection);
          // Synced by that COMMIT, or rolled back: nothing of this holder's is left to sync.
          writes.since = false;
        }
      });
    },
    ...locks,
    async close() {
      await writes.sync?.close();
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
