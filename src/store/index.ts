import { join } from 'node:path';
import { Kysely } from 'kysely';
import type { StoreDialect } from './dialect.js';
import { migrateToLatest } from './migrate.js';
import type { ModuleMigrations } from './migrate.js';
import { postgresDialect } from './postgres/dialect.js';
import { sqliteDialect } from './sqlite/dialect.js';
import { tablesOf } from './tables.js';
import type { Connection } from './tables.js';
import { createWriteBatcher } from './batcher.js';
import { withCommitHooks } from './commit-hooks.js';
import type { WriteBatcher } from './batcher.js';

export type { LockLease, LockOptions, StoreDialect } from './dialect.js';
export type { MigrationContext, ModuleMigrations } from './migrate.js';
export type { Connection } from './tables.js';
export { tablesOf } from './tables.js';
export type { WriteBatcher } from './batcher.js';
export { asRabtaError, conflictOnDuplicate, isDatabaseUnavailable, isUniqueViolation, LockLost } from './errors.js';
export { startsWith, underMember } from './prefix.js';
export { afterCommit } from './commit-hooks.js';
export { reusable } from './reusable.js';
export { ensureDatabase } from './postgres/databases.js';

export interface Store {
  /** the connection, naming no tables: a module sees it through its own with `tables()` */
  readonly db: Connection;
  /**
   * The connection as one module sees it, with that module's tables only: the
   * platform hands `store.tables()` to a module, whose deps name the tables.
   */
  tables<T>(): Kysely<T>;
  /** group commit for the small writes of the hot path (see batcher.ts), seen with one module's tables */
  batch<T>(): WriteBatcher<T>;
  /**
   * For a write to a row that every caller updates (a quota counter). Where
   * writes serialize anyway (SQLite) it joins the group commit; elsewhere it
   * commits alone, because in a group its row lock would be held until the
   * whole group commits, and other nodes' groups would queue behind it.
   */
  contended<T>(): WriteBatcher<T>;
  readonly dialect: StoreDialect;
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

export interface StoreOptions {
  databaseUrl?: string | undefined;
  sqliteFile?: string;
  dataDir?: string;
  sqliteSynchronous?: 'FULL' | 'NORMAL';
  poolSize?: number;
  migrations: ModuleMigrations[];
  /** what a migration may need to hash values an older release kept in clear */
  subjectSecret?: Buffer;
}

/** SQLite unless a PostgreSQL URL is given. */
export function openStore(options: StoreOptions): Store {
  const dialect = options.databaseUrl
    ? postgresDialect({ url: options.databaseUrl, poolSize: options.poolSize })
    : sqliteDialect({
        file: options.sqliteFile ?? join(options.dataDir ?? 'data', 'rabta.db'),
        synchronous: options.sqliteSynchronous ?? 'FULL',
      });
  // No tables named here: each module names its own (tables.ts).
  const db = new Kysely<Record<never, never>>({ dialect: withCommitHooks(dialect.createKyselyDialect()) });
  const batch = createWriteBatcher(db, 256);
  const alone: WriteBatcher<Record<never, never>> = { run: (write) => db.transaction().execute(write) };
  return {
    db,
    tables: <T>() => tablesOf<T>(db),
    // One batcher for every module, so their small writes share a commit; each sees it with its own tables.
    batch: <T>() => batch as unknown as WriteBatcher<T>,
    contended: <T>() => (dialect.serializesWrites ? batch : alone) as unknown as WriteBatcher<T>,
    dialect,
    migrate: () => migrateToLatest(db, dialect, options.migrations, { subjectSecret: options.subjectSecret }),
    async close() {
      await dialect.releaseLocks();
      // Kysely's destroy ends the pool / closes the connection through the dialect.
      await db.destroy();
      await dialect.close().catch(() => undefined);
    },
  };
}

/** Booleans are stored as 0/1 so the same rows work on both databases. */
export const bool = (value: boolean): number => (value ? 1 : 0);
export const isTrue = (value: number | boolean | null | undefined): boolean => value === 1 || value === true;
