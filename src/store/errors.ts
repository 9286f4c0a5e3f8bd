import { RabtaError } from '../core/problems.js';

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
