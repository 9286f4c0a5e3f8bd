import type { Kysely } from 'kysely';
import { RabtaError } from '../core/index.js';

import type { CaseActor } from './actors.js';
import type { CasesDeps } from './deps.js';
import type { CaseCategoryRow, CasesTables } from './tables.js';

export interface CategoryInput {
  code: string;
  nameEn: string;
  nameUr: string;
  description?: string;
  lead?: string | null;
  firstResponseDays: number;
  resolutionDays: number;
  group?: string;
}

export interface Category {
  code: string;
  nameEn: string;
  nameUr: string;
  description: string;
  lead: string | null;
  firstResponseDays: number;
  resolutionDays: number;
  group: string;
  active: boolean;
}

// Underscores too: the grievance router's labels (WATER_SANITATION) are category codes.
const CODE = /^[A-Z][A-Z0-9_-]{1,31}$/;

export function requireAuthorityActor(actor: CaseActor, what: string): void {
  if (actor.kind !== 'authority' && actor.kind !== 'system') throw new RabtaError('forbidden', `only the authority may ${what}`);
}

/** The authority's catalogue of case categories: creating again with the same code updates it. */
export async function putCategory(deps: CasesDeps, actor: CaseActor, input: CategoryInput): Promise<Category> {
  requireAuthorityActor(actor, 'keep the case catalogue');
  if (!CODE.test(input.code)) throw new RabtaError('bad-request', 'a category code is 2–32 upper-case letters, digits, dashes or underscores, e.g. PAYMENT-FAILED');
  if (!input.nameEn.trim() || !input.nameUr.trim()) throw new RabtaError('bad-request', 'a category has a name in English and in Urdu');
  for (const [name, days] of [['firstResponseDays', input.firstResponseDays], ['resolutionDays', input.resolutionDays]] as const) {
    if (!Number.isFinite(days) || days <= 0 || days > 365) throw new RabtaError('bad-request', `${name} must be a number of working days between 0 and 365`);
  }
  if (input.resolutionDays < input.firstResponseDays) throw new RabtaError('bad-request', 'resolutionDays cannot be shorter than firstResponseDays');
  if (input.lead && !(await deps.directory.memberExists(input.lead))) throw new RabtaError('bad-request', `no such member: ${input.lead}`);
  const now = deps.now();
  const row: CaseCategoryRow = {
    code: input.code,
    name_en: input.nameEn.trim(),
    name_ur: input.nameUr.trim(),
    description_en: input.description?.trim() ?? input.nameEn.trim(),
    lead_member: input.lead ?? null,
    first_response_days: input.firstResponseDays,
    resolution_days: input.resolutionDays,
    group_name: input.group ?? 'general',
    active: 1,
    created_at: now,
    updated_at: now,
  };
  await deps.db
    .insertInto('case_categories')
    .values(row)
    .onConflict((oc) => oc.column('code').doUpdateSet({ ...row, created_at: undefined } as Partial<CaseCategoryRow>))
    .execute();
  return toCategory(row);
}

export async function listCategories(db: Kysely<CasesTables>): Promise<Category[]> {
  const rows = await db.selectFrom('case_categories').selectAll().where('active', '=', 1).orderBy('code').execute();
  return rows.map(toCategory);
}

export async function findCategory(db: Kysely<CasesTables>, code: string): Promise<CaseCategoryRow | undefined> {
  return db.selectFrom('case_categories').selectAll().where('code', '=', code).where('active', '=', 1).executeTakeFirst();
}

export async function requireCategory(db: Kysely<CasesTables>, code: string): Promise<CaseCategoryRow> {
  const row = await findCategory(db, code);
  if (!row) throw new RabtaError('unknown-category', `${code} is not a category in the catalogue`, { extensions: { category: code } });
  return row;
}

export function toCategory(row: CaseCategoryRow): Category {
  return {
    code: row.code,
    nameEn: row.name_en,
    nameUr: row.name_ur,
    description: row.description_en,
    lead: row.lead_member,
    firstResponseDays: row.first_response_days,
    resolutionDays: row.resolution_days,
    group: row.group_name,
    active: row.active === 1,
  };
}

export async function holidays(db: Kysely<CasesTables>): Promise<Set<string>> {
  return new Set((await db.selectFrom('case_holidays').select('date').execute()).map((r) => r.date));
}

export async function putHoliday(deps: CasesDeps, actor: CaseActor, input: { date: string; name: string }): Promise<void> {
  requireAuthorityActor(actor, 'set public holidays');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.date) || Number.isNaN(Date.parse(input.date))) throw new RabtaError('bad-request', 'date must be YYYY-MM-DD');
  await deps.db.insertInto('case_holidays').values(input).onConflict((oc) => oc.column('date').doUpdateSet({ name: input.name })).execute();
}

export interface EscalationLevel {
  level: number;
  role: string;
}

/** Without its own, an institution escalates to its officer, then its head. */
export const DEFAULT_LEVELS: readonly EscalationLevel[] = [
  { level: 1, role: 'grievance officer' },
  { level: 2, role: 'head of institution' },
];

export async function setEscalationLevels(deps: CasesDeps, actor: CaseActor, memberId: string, roles: string[]): Promise<EscalationLevel[]> {
  if (actor.kind === 'institution' ? actor.member !== memberId : actor.kind !== 'authority' && actor.kind !== 'system') {
    throw new RabtaError('forbidden', 'an institution names only its own escalation levels');
  }
  if (roles.length === 0 || roles.length > 6 || roles.some((r) => !r.trim() || r.length > 100)) throw new RabtaError('bad-request', 'name 1 to 6 escalation levels, the officer role first and the head last');
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('case_escalation_levels').where('member_id', '=', memberId).execute();
    await trx.insertInto('case_escalation_levels').values(roles.map((role, i) => ({ member_id: memberId, level: i + 1, role: role.trim() }))).execute();
  });
  return escalationLevels(deps.db, memberId);
}

export async function escalationLevels(db: Kysely<CasesTables>, memberId: string): Promise<EscalationLevel[]> {
  const rows = await db.selectFrom('case_escalation_levels').select(['level', 'role']).where('member_id', '=', memberId).orderBy('level').execute();
  return rows.length > 0 ? rows : [...DEFAULT_LEVELS];
}
