import type { CreateTableBuilder, Dialect, Kysely, RawBuilder, Transaction } from 'kysely';

/** What the holder of a named lock can do while it runs. */
export interface LockLease {
  /**
   * Checks, inside the caller's transaction, that this holder still has the
   * lock, and keeps anyone from taking it over until that transaction ends
   * (a row lock on PostgreSQL; SQLite's write lock). Throws LockLost if the
   * lease lapsed: the transaction then rolls back and writes nothing.
   */
  // Kysely<any>: the lock table is the store's own and in no module's schema.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  fence(trx: Kysely<any>): Promise<void>;
}

export interface LockOptions {
  /**
   * Keep holding the lock after `fn` returns, until the lease lapses or the
   * holder takes it again: a leader (the ledger sequencer) stays on one node
   * while that node lives, and another takes over within a lease after it dies.
   */
  keep?: boolean;
}

/** Adds an auto-increment integer primary key `column` to a table being created. */
export type AutoIncrementKey = (column: string) => <TB extends string, C extends string>(table: CreateTableBuilder<TB, C>) => CreateTableBuilder<TB, C>;

/**
 * What the core needs from a database besides SQL: how to build the Kysely
 * dialect, and the few things that differ, as capabilities (the way Kysely's
 * DialectAdapter does it), so that no module asks which database it runs on.
 * One folder per database implements it and is the only place that loads its
 * driver, on first use.
 */
export interface StoreDialect {
  /** for people (logs, readiness): nothing branches on it */
  readonly name: 'sqlite' | 'postgres';
  createKyselyDialect(): Dialect;
  /** Column type for raw bytes. */
  readonly binaryType: 'blob' | 'bytea';
  readonly autoIncrementKey: AutoIncrementKey;
  /** Whether `SELECT … FOR UPDATE SKIP LOCKED` is available (several workers share a queue). */
  readonly supportsSkipLocked: boolean;
  /**
   * Whether one transaction writes at a time, so that ids are handed out in
   * commit order without a lock of one's own (SQLite); otherwise a writer that
   * needs that order takes a row lock (PostgreSQL).
   */
  readonly serializesWrites: boolean;
  /**
   * A hint after a table in FROM that makes the planner use `index`, where the
   * database takes one and needs it (SQLite without statistics); empty elsewhere.
   */
  indexedBy(index: string): RawBuilder<unknown>;
  /** the columns of a table in the schema the store uses (a migration that adds what an older one lacks) */
  // Kysely<any>: migrations see the database before any module's tables apply.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  columnsOf(db: Kysely<any>, table: string): Promise<Set<string>>;
  /** who this process is when it holds a lock (tests and operators read it in `store_locks`) */
  readonly holder: string;
  /**
   * Runs `fn` while holding a named lock that no other node can hold; returns
   * undefined without running it if another holder has it. The lock is a
   * lease row (`store_locks`: holder, expires_at), renewed while `fn` runs, so
   * it works through PgBouncer in transaction mode and lapses if the holder dies.
   */
  tryWithLock<T>(name: string, fn: (lease: LockLease) => Promise<T>, options?: LockOptions): Promise<T | undefined>;
  /**
   * Runs `fn` in a transaction whose writes no other reader sees before they
   * are on disk: the ledger's checkpoints (one served and then lost to a power
   * cut could be signed again over other leaves, a fork). Every PostgreSQL
   * commit is like this; the SQLite store makes a commit durable just after
   * others can see it (see sqlite/dialect.ts), except in this transaction.
   */
  durableTransaction<DB, T>(db: Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` (the migrations) alone among every process on this database,
   * waiting for its turn: nodes that start together must not run one migration
   * twice, nor wait for ever for a lock a pooled connection kept.
   */
  withMigrationLock<T>(fn: () => Promise<T>): Promise<T>;
  /** hands over the locks kept with `keep` (a clean stop), before the connections close */
  releaseLocks(): Promise<void>;
  close(): Promise<void>;
}
