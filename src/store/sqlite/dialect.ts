import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteDialect } from 'kysely';
import type { StoreDialect } from '../dialect.js';

export interface SqliteOptions {
  file: string;
  synchronous: 'FULL' | 'NORMAL';
}

/**
 * One SQLite file in WAL mode. Locks are per process: an embedded instance is
 * one process, so an in-memory set is exact there.
 */
export function sqliteDialect(options: SqliteOptions): StoreDialect {
  if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
  const connection = new Database(options.file);
  connection.pragma('journal_mode = WAL');
  connection.pragma(`synchronous = ${options.synchronous}`);
  connection.pragma('busy_timeout = 5000');
  connection.pragma('foreign_keys = ON');
  const held = new Set<string>();
  return {
    name: 'sqlite',
    binaryType: 'blob',
    supportsSkipLocked: false,
    createKyselyDialect: () => new SqliteDialect({ database: connection }),
    async tryWithLock(name, fn) {
      if (held.has(name)) return undefined;
      held.add(name);
      try {
        return await fn();
      } finally {
        held.delete(name);
      }
    },
    async close() {
      if (connection.open) connection.close();
    },
  };
}
