import type { Actor } from '../core/index.js';
import { assertCode } from '../core/index.js';
import type { SubsystemRow } from './tables.js';
import { change, conflictOnDuplicate, notFound, requireMemberScope } from './deps.js';
import type { RegistryDeps } from './deps.js';
import { getMember } from './members.js';

export interface Subsystem {
  id: string;
  memberId: string;
  code: string;
  name: string;
  createdAt: string;
}

export async function createSubsystem(deps: RegistryDeps, actor: Actor, memberId: string, input: { code: string; name: string }): Promise<Subsystem> {
  requireMemberScope(actor, memberId);
  await getMember(deps, memberId);
  assertCode(input.code, 'subsystem code');
  const id = `${memberId}/${input.code}`;
  const row: SubsystemRow = { id, member_id: memberId, code: input.code, name: input.name, created_at: deps.now() };
  await conflictOnDuplicate('subsystem', id, () =>
    change(deps, actor, 'subsystem.create', id, { name: input.name }, (db) => db.insertInto('subsystems').values(row).execute()),
  );
  return toSubsystem(row);
}

export async function listSubsystems(deps: RegistryDeps, memberId?: string): Promise<Subsystem[]> {
  let query = deps.db.selectFrom('subsystems').selectAll().orderBy('id');
  if (memberId !== undefined) query = query.where('member_id', '=', memberId);
  return (await query.execute()).map(toSubsystem);
}

export async function getSubsystem(deps: RegistryDeps, id: string): Promise<Subsystem> {
  const row = await deps.db.selectFrom('subsystems').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('subsystem', id);
  return toSubsystem(row);
}

function toSubsystem(row: SubsystemRow): Subsystem {
  return { id: row.id, memberId: row.member_id, code: row.code, name: row.name, createdAt: new Date(row.created_at).toISOString() };
}
