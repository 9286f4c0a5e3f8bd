import { randomUUID } from 'node:crypto';
import { memberIdOf, RabtaError } from '../core/index.js';
import type { Actor } from '../core/index.js';
import type { AccessRightRow } from './tables.js';
import { change, conflictOnDuplicate, iso, notFound, requireMemberScope } from './deps.js';
import type { RegistryDeps } from './deps.js';
import { getPurpose } from './purposes.js';
import { getService } from './services.js';
import { getSubsystem } from './subsystems.js';
import { underMember } from '../store/index.js';

export interface AccessRight {
  id: string;
  serviceId: string;
  clientId: string;
  purposes: string[];
  createdAt: string;
}

/** The provider (or the authority) grants a client subsystem one service, for some purposes. */
export async function grantAccess(deps: RegistryDeps, actor: Actor, input: { serviceId: string; clientId: string; purposes: string[] }): Promise<AccessRight> {
  const service = await getService(deps, input.serviceId);
  requireMemberScope(actor, service.memberId);
  await getSubsystem(deps, input.clientId);
  if (input.purposes.length === 0) throw new RabtaError('bad-request', 'an access right names at least one purpose');
  for (const code of new Set(input.purposes)) await getPurpose(deps, code);
  const row: AccessRightRow = {
    id: randomUUID(),
    service_id: input.serviceId,
    client_id: input.clientId,
    purposes: JSON.stringify([...new Set(input.purposes)].sort()),
    created_at: deps.now(),
  };
  await conflictOnDuplicate('access right for', `${input.clientId} on ${input.serviceId}`, () =>
    change(deps, actor, 'access.grant', input.serviceId, { client: input.clientId, purposes: JSON.parse(row.purposes) as string[] }, (db) =>
      db.insertInto('access_rights').values(row).execute(),
    ),
  );
  return toAccess(row);
}

export async function revokeAccess(deps: RegistryDeps, actor: Actor, id: string): Promise<void> {
  const row = await deps.db.selectFrom('access_rights').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('access right', id);
  requireMemberScope(actor, memberIdOf(row.service_id));
  await change(deps, actor, 'access.revoke', row.service_id, { client: row.client_id }, (db) =>
    db.deleteFrom('access_rights').where('id', '=', id).execute(),
  );
}

export async function listAccess(deps: RegistryDeps, filter: { serviceId?: string; clientId?: string; memberId?: string } = {}): Promise<AccessRight[]> {
  let query = deps.db.selectFrom('access_rights').selectAll().orderBy('service_id').orderBy('client_id');
  if (filter.serviceId) query = query.where('service_id', '=', filter.serviceId);
  if (filter.clientId) query = query.where('client_id', '=', filter.clientId);
  if (filter.memberId) {
    const member = filter.memberId;
    query = query.where((eb) => eb.or([underMember('service_id', member), underMember('client_id', member)]));
  }
  return (await query.execute()).map(toAccess);
}

/** The purposes `clientId` may call `serviceId` for, or undefined when it has no right at all. */
export async function allowedPurposes(deps: RegistryDeps, serviceId: string, clientId: string): Promise<string[] | undefined> {
  const row = await deps.db
    .selectFrom('access_rights')
    .select('purposes')
    .where('service_id', '=', serviceId)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return row ? (JSON.parse(row.purposes) as string[]) : undefined;
}

function toAccess(row: AccessRightRow): AccessRight {
  return { id: row.id, serviceId: row.service_id, clientId: row.client_id, purposes: JSON.parse(row.purposes) as string[], createdAt: iso(row.created_at) as string };
}
