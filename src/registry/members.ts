import { assertCode, isMemberClass, MEMBER_CLASSES, RabtaError } from '../core/index.js';
import type { Actor } from '../core/index.js';
import type { MemberRow } from './tables.js';
import { change, conflictOnDuplicate, notFound, requireAuthority } from './deps.js';
import type { RegistryDeps } from './deps.js';

export interface MemberInput {
  memberClass: string;
  code: string;
  nameEn: string;
  nameUr: string;
  province?: string | null;
}

export interface Member {
  id: string;
  memberClass: string;
  code: string;
  nameEn: string;
  nameUr: string;
  province: string | null;
  createdAt: string;
}

export async function createMember(deps: RegistryDeps, actor: Actor, input: MemberInput): Promise<Member> {
  requireAuthority(actor);
  if (!isMemberClass(input.memberClass)) {
    throw new RabtaError('bad-request', `member class must be one of ${MEMBER_CLASSES.join(', ')}`);
  }
  assertCode(input.code, 'member code');
  const id = `${deps.instance}/${input.memberClass}/${input.code}`;
  const row: MemberRow = {
    id,
    instance: deps.instance,
    member_class: input.memberClass,
    code: input.code,
    name_en: input.nameEn,
    name_ur: input.nameUr,
    province: input.province ?? null,
    created_at: deps.now(),
  };
  await conflictOnDuplicate('member', id, () =>
    change(deps, actor, 'member.create', id, { nameEn: row.name_en, nameUr: row.name_ur, province: row.province }, (db) =>
      db.insertInto('members').values(row).execute(),
    ),
  );
  return toMember(row);
}

export async function listMembers(deps: RegistryDeps): Promise<Member[]> {
  const rows = await deps.db.selectFrom('members').selectAll().orderBy('id').execute();
  return rows.map(toMember);
}

export async function getMember(deps: RegistryDeps, id: string): Promise<Member> {
  const row = await deps.db.selectFrom('members').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('member', id);
  return toMember(row);
}

function toMember(row: MemberRow): Member {
  return {
    id: row.id,
    memberClass: row.member_class,
    code: row.code,
    nameEn: row.name_en,
    nameUr: row.name_ur,
    province: row.province,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
