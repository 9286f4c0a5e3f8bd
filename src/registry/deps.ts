import type { Kysely } from 'kysely';
import { journaledChange } from '../core/index.js';
import type { Actor, ChangeRecorder } from '../core/index.js';
import type { RegistryTables } from './tables.js';

export interface RegistryDeps {
  db: Kysely<RegistryTables>;
  recorder: ChangeRecorder<RegistryTables>;
  instance: string;
  now: () => number;
}

/**
 * A registry change: journaled, and it bumps the registry version so every
 * node's cached view reloads on its next call.
 */
export async function change<T>(
  deps: RegistryDeps,
  actor: Actor,
  action: string,
  target: string,
  details: Record<string, unknown>,
  apply: (db: Kysely<RegistryTables>) => Promise<T>,
): Promise<T> {
  return journaledChange(deps, actor, action, target, details, async (trx) => {
    const result = await apply(trx);
    await trx.updateTable('registry_version').set((eb) => ({ version: eb('version', '+', 1) })).where('id', '=', 1).execute();
    return result;
  });
}

export { iso, notFound, requireAuthority, requireMemberScope } from '../core/index.js';
export { conflictOnDuplicate, isUniqueViolation } from '../store/index.js';

