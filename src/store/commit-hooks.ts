import type { DatabaseConnection, Dialect, Driver } from 'kysely';
import type { Connection } from './tables.js';

/**
 * Work to do once a transaction has committed — in this process, without the
 * database's help (no LISTEN/NOTIFY, so PgBouncer in transaction mode keeps
 * working). The store's driver runs a connection's hooks right after its
 * COMMIT succeeds and drops them on ROLLBACK. A hook is a hint, such as waking
 * the ledger's sequencer: one registered inside a rolled-back savepoint still
 * runs at the outer commit, and one on a connection the store's driver never
 * handed out runs at once.
 */
const pending = new WeakMap<DatabaseConnection, Set<() => void>>();
const hooked = new WeakSet<DatabaseConnection>();

/**
 * Runs `hook` once `connection`'s transaction commits, or now if `connection`
 * is not a transaction (its statements committed as they ran). The same hook
 * registered twice in one transaction runs once.
 */
export async function afterCommit(connection: Connection, hook: () => void): Promise<void> {
  if (!connection.isTransaction) return runHooks([hook]);
  await connection.getExecutor().provideConnection(async (raw) => {
    if (!hooked.has(raw)) return runHooks([hook]);
    const hooks = pending.get(raw);
    if (hooks) hooks.add(hook);
    else pending.set(raw, new Set([hook]));
  });
}

function runHooks(hooks: Iterable<() => void>): void {
  for (const hook of hooks) {
    try {
      hook();
    } catch (error) {
      // The transaction has committed and its caller must hear so; a broken hook is still reported.
      process.emitWarning(`an after-commit hook failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** The dialect with a driver that runs after-commit hooks. */
export function withCommitHooks(dialect: Dialect): Dialect {
  return {
    createDriver: () => hookDriver(dialect.createDriver()),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}

function hookDriver(inner: Driver): Driver {
  const driver: Driver = {
    init: () => inner.init(),
    async acquireConnection() {
      const connection = await inner.acquireConnection();
      hooked.add(connection);
      return connection;
    },
    async beginTransaction(connection, settings) {
      // Left over only if a previous transaction on this connection ended without COMMIT or ROLLBACK succeeding.
      pending.delete(connection);
      await inner.beginTransaction(connection, settings);
    },
    async commitTransaction(connection) {
      await inner.commitTransaction(connection);
      const hooks = pending.get(connection);
      pending.delete(connection);
      if (hooks) runHooks(hooks);
    },
    async rollbackTransaction(connection) {
      pending.delete(connection);
      await inner.rollbackTransaction(connection);
    },
    releaseConnection: (connection) => inner.releaseConnection(connection),
    destroy: () => inner.destroy(),
  };
  // Kysely asks whether a driver has savepoints by looking for the methods: only forward those the inner one has.
  if (inner.savepoint) driver.savepoint = inner.savepoint.bind(inner);
  if (inner.rollbackToSavepoint) driver.rollbackToSavepoint = inner.rollbackToSavepoint.bind(inner);
  if (inner.releaseSavepoint) driver.releaseSavepoint = inner.releaseSavepoint.bind(inner);
  return driver;
}
