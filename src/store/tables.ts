import type { Kysely } from 'kysely';

/**
 * A connection or an open transaction as it crosses from one module to
 * another (a ledger append, a journal entry or a hook inside the caller's
 * transaction). It names no tables, so it cannot be queried as it is: the
 * receiver views it through its own tables with `tablesOf`. Raw SQL still
 * runs on it (`sql…execute(connection)`).
 */
export type Connection = Pick<Kysely<Record<never, never>>, 'isTransaction' | 'getExecutor'>;

/**
 * The one place a connection gets table names: a module calls it with its own
 * tables only (`tablesOf<LedgerTables>(db)`), and no module exports its table
 * types, so no module can query another's tables.
 */
export function tablesOf<T>(connection: Connection): Kysely<T> {
  // The same Kysely instance or transaction; only its type changes.
  return connection as unknown as Kysely<T>;
}
