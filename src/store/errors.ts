import { RabtaError } from '../core/index.js';

/** Unique-constraint violations of both drivers, so a race on a unique key still ends in a 409. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string } | null;
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Runs an insert, turning a unique-key race into the 409 problem every module answers with. */
export async function conflictOnDuplicate<T>(what: string, id: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isUniqueViolation(error)) throw new RabtaError('conflict', `${what} ${id} already exists`, { extensions: { id } });
    throw error;
  }
}

/** The holder of a named lock found, in its own transaction, that its lease had lapsed. */
export class LockLost extends Error {
  constructor(name: string) {
    super(`the lease on lock ${name} lapsed`);
    this.name = 'LockLost';
  }
}

/**
 * The database is down or unreachable (refused, reset, shutting down, no
 * connection in time): the request may succeed later, so it is a 503.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300'].includes(e.code)) return true;
  const message = e.message ?? '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|server closed the connection|the database system is (starting up|shutting down)|query_wait_timeout|no more connections allowed/i.test(message);
}

/**
 * What any failure means to whoever asked: a RabtaError stays itself; the
 * database gone away is `unavailable` (try again; nothing was acknowledged);
 * anything else is `internal`, with the error kept as its cause for the log.
 */
export function asRabtaError(error: unknown): RabtaError {
  if (error instanceof RabtaError) return error;
  if (isDatabaseUnavailable(error)) return new RabtaError('unavailable', 'the database does not answer; try again shortly', { cause: error });
  return new RabtaError('internal', 'internal error', { cause: error });
}
