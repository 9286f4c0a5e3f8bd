import { assertCode, RabtaError } from '../core/index.js';
import type { Actor } from '../core/index.js';
import { bool, isTrue, underMember } from '../store/index.js';
import type { ServiceRow } from './tables.js';
import { change, conflictOnDuplicate, iso, notFound, requireMemberScope } from './deps.js';
import type { RegistryDeps } from './deps.js';
import { getSubsystem } from './subsystems.js';

export interface ServiceInput {
  code: string;
  title: string;
  upstreamUrl: string;
  openapi?: Record<string, unknown> | null;
  enabled?: boolean;
  personal?: boolean;
  /** `header` (Rabta-Subject) for single-subject calls, or a JSON field path such as `rows[].cnic` for batches */
  subjectLocation?: string | null;
  bodyLimit?: number;
  quotaPerMinute?: number | null;
}

export type ServiceUpdate = Partial<Omit<ServiceInput, 'code'>>;

export interface Service {
  id: string;
  subsystemId: string;
  memberId: string;
  code: string;
  title: string;
  upstreamUrl: string;
  enabled: boolean;
  personal: boolean;
  subjectLocation: string | null;
  bodyLimit: number;
  quotaPerMinute: number | null;
  hasOpenapi: boolean;
  createdAt: string;
  updatedAt: string;
}

const SUBJECT_PATH = /^(header|[A-Za-z_][A-Za-z0-9_]*(\[\])?(\.[A-Za-z_][A-Za-z0-9_]*(\[\])?)*)$/;

export async function createService(deps: RegistryDeps, actor: Actor, subsystemId: string, input: ServiceInput, defaultBodyLimit: number): Promise<Service> {
  const subsystem = await getSubsystem(deps, subsystemId);
  requireMemberScope(actor, subsystem.memberId);
  assertCode(input.code, 'service code');
  const now = deps.now();
  const row: ServiceRow = {
    id: `${subsystemId}/${input.code}`,
    subsystem_id: subsystemId,
    code: input.code,
    title: input.title,
    upstream_url: checkUpstream(input.upstreamUrl),
    openapi: checkOpenapi(input.openapi),
    enabled: bool(input.enabled ?? true),
    personal: bool(input.personal ?? false),
    subject_location: input.subjectLocation ?? null,
    body_limit: input.bodyLimit ?? defaultBodyLimit,
    quota_per_minute: input.quotaPerMinute ?? null,
    created_at: now,
    updated_at: now,
  };
  checkPersonal(row);
  await conflictOnDuplicate('service', row.id, () =>
    change(deps, actor, 'service.create', row.id, describe(row), (db) => db.insertInto('services').values(row).execute()),
  );
  return toService(row);
}

export async function updateService(deps: RegistryDeps, actor: Actor, serviceId: string, input: ServiceUpdate): Promise<Service> {
  const current = await findService(deps, serviceId);
  requireMemberScope(actor, memberOf(current));
  const next: ServiceRow = {
    ...current,
    title: input.title ?? current.title,
    upstream_url: input.upstreamUrl === undefined ? current.upstream_url : checkUpstream(input.upstreamUrl),
    openapi: input.openapi === undefined ? current.openapi : checkOpenapi(input.openapi),
    enabled: input.enabled === undefined ? current.enabled : bool(input.enabled),
    personal: input.personal === undefined ? current.personal : bool(input.personal),
    subject_location: input.subjectLocation === undefined ? current.subject_location : input.subjectLocation,
    body_limit: input.bodyLimit ?? current.body_limit,
    quota_per_minute: input.quotaPerMinute === undefined ? current.quota_per_minute : input.quotaPerMinute,
    updated_at: deps.now(),
  };
  checkPersonal(next);
  await change(deps, actor, 'service.update', serviceId, describe(next), (db) =>
    db.updateTable('services').set(next).where('id', '=', serviceId).execute(),
  );
  return toService(next);
}

export async function listServices(deps: RegistryDeps, filter: { memberId?: string } = {}): Promise<Service[]> {
  let query = deps.db.selectFrom('services').selectAll().orderBy('id');
  if (filter.memberId) query = query.where(underMember('id', filter.memberId));
  return (await query.execute()).map(toService);
}

export async function getService(deps: RegistryDeps, serviceId: string): Promise<Service> {
  return toService(await findService(deps, serviceId));
}

export async function getServiceOpenapi(deps: RegistryDeps, serviceId: string): Promise<Record<string, unknown>> {
  const row = await findService(deps, serviceId);
  if (row.openapi === null) throw new RabtaError('not-found', `service ${serviceId} has no OpenAPI document`);
  return JSON.parse(row.openapi) as Record<string, unknown>;
}

/** The exchange reads the raw row: it needs the upstream and limits, nothing else. */
export async function findServiceRow(deps: RegistryDeps, serviceId: string): Promise<ServiceRow | undefined> {
  return deps.db.selectFrom('services').selectAll().where('id', '=', serviceId).executeTakeFirst();
}

async function findService(deps: RegistryDeps, serviceId: string): Promise<ServiceRow> {
  const row = await findServiceRow(deps, serviceId);
  if (!row) throw notFound('service', serviceId);
  return row;
}

function checkUpstream(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RabtaError('bad-request', `upstreamUrl "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new RabtaError('bad-request', 'upstreamUrl must be http or https');
  if (parsed.username || parsed.password) throw new RabtaError('bad-request', 'upstreamUrl must not carry credentials');
  return parsed.toString().replace(/\/$/, '');
}

function checkOpenapi(doc: Record<string, unknown> | null | undefined): string | null {
  if (doc === undefined || doc === null) return null;
  if (typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.1')) {
    throw new RabtaError('bad-request', 'the service description must be an OpenAPI 3.1 document ("openapi": "3.1.x")');
  }
  return JSON.stringify(doc);
}

function checkPersonal(row: ServiceRow): void {
  if (row.subject_location !== null && !SUBJECT_PATH.test(row.subject_location)) {
    throw new RabtaError('bad-request', 'subjectLocation must be "header" or a field path such as rows[].cnic');
  }
  if (isTrue(row.personal) && row.subject_location === null) {
    throw new RabtaError('bad-request', 'a personal service must say where its subjects are (subjectLocation)');
  }
}

function memberOf(row: ServiceRow): string {
  return row.subsystem_id.split('/').slice(0, 3).join('/');
}

function describe(row: ServiceRow): Record<string, unknown> {
  return {
    title: row.title,
    upstreamUrl: row.upstream_url,
    enabled: isTrue(row.enabled),
    personal: isTrue(row.personal),
    subjectLocation: row.subject_location,
    bodyLimit: row.body_limit,
    quotaPerMinute: row.quota_per_minute,
  };
}

export function toService(row: ServiceRow): Service {
  return {
    id: row.id,
    subsystemId: row.subsystem_id,
    memberId: memberOf(row),
    code: row.code,
    title: row.title,
    upstreamUrl: row.upstream_url,
    enabled: isTrue(row.enabled),
    personal: isTrue(row.personal),
    subjectLocation: row.subject_location,
    bodyLimit: row.body_limit,
    quotaPerMinute: row.quota_per_minute,
    hasOpenapi: row.openapi !== null,
    createdAt: iso(row.created_at) as string,
    updatedAt: iso(row.updated_at) as string,
  };
}
