import type { Kysely } from 'kysely';
import type { Actor, ChangeRecorder } from '../core/changes.js';
import { RabtaError } from '../core/problems.js';
import type { Database } from '../store/index.js';

export interface RegistryDeps {
  db: Kysely<Database>;
  recorder: ChangeRecorder;
  instance: string;
  now: () => number;
}

/** Runs a change and its journal entry in one transaction. */
export async function change<T>(
  deps: RegistryDeps,
  actor: Actor,
  action: string,
  target: string,
  details: Record<string, unknown>,
  apply: (db: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return deps.db.transaction().execute(async (trx) => {
    const result = await apply(trx);
    // Readers cache the registry per version; any change makes every node reload.
    await trx.updateTable('registry_version').set((eb) => ({ version: eb('version', '+', 1) })).where('id', '=', 1).execute();
    await deps.recorder.record(trx, { actor: actor.id, action, target, details, at: deps.now() });
    return result;
  });
}

export function requireAuthority(actor: Actor): void {
  if (actor.role !== 'authority-admin' && actor.role !== 'system') {
    throw new RabtaError('forbidden', 'only the authority may do this');
  }
}

export function requireMemberScope(actor: Actor, memberId: string): void {
  if (actor.role === 'authority-admin' || actor.role === 'system') return;
  if (actor.memberId !== memberId) {
    throw new RabtaError('forbidden', `this token acts for ${actor.memberId ?? 'no member'}, not ${memberId}`);
  }
}

export function notFound(what: string, id: string): RabtaError {
  return new RabtaError('not-found', `${what} ${id} does not exist`, { extensions: { id } });
}

/** Unique-constraint violations of both drivers, so a race still ends in a 409. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string } | null;
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export async function conflictOnDuplicate<T>(what: string, id: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isUniqueViolation(error)) throw new RabtaError('conflict', `${what} ${id} already exists`, { extensions: { id } });
    throw error;
  }
}

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
