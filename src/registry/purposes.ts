import type { Actor } from '../core/index.js';
import { RabtaError } from '../core/index.js';
import type { PurposeRow } from './tables.js';
import { change, conflictOnDuplicate, notFound, requireAuthority } from './deps.js';
import type { RegistryDeps } from './deps.js';

export interface Purpose {
  code: string;
  nameEn: string;
  nameUr: string;
  legalBasis: 'consent' | 'statute';
  statute: string | null;
}

const PURPOSE_CODE = /^[a-z][a-z0-9-]{1,63}$/;

/** The purpose catalogue is the authority's: every purpose names its legal basis. */
export async function createPurpose(deps: RegistryDeps, actor: Actor, input: Purpose): Promise<Purpose> {
  requireAuthority(actor);
  if (!PURPOSE_CODE.test(input.code)) throw new RabtaError('bad-request', 'a purpose code is lower-case letters, digits and dashes, e.g. payment-verification');
  if (input.legalBasis !== 'consent' && input.legalBasis !== 'statute') throw new RabtaError('bad-request', 'legalBasis must be consent or statute');
  if (input.legalBasis === 'statute' && !input.statute) throw new RabtaError('bad-request', 'a statute purpose must name its statute');
  const row: PurposeRow = {
    code: input.code,
    name_en: input.nameEn,
    name_ur: input.nameUr,
    legal_basis: input.legalBasis,
    statute: input.legalBasis === 'statute' ? (input.statute ?? null) : null,
    created_at: deps.now(),
  };
  await conflictOnDuplicate('purpose', row.code, () =>
    change(deps, actor, 'purpose.create', row.code, { ...toPurpose(row) }, (db) => db.insertInto('purposes').values(row).execute()),
  );
  return toPurpose(row);
}

export async function listPurposes(deps: RegistryDeps): Promise<Purpose[]> {
  return (await deps.db.selectFrom('purposes').selectAll().orderBy('code').execute()).map(toPurpose);
}

export async function findPurpose(deps: RegistryDeps, code: string): Promise<Purpose | undefined> {
  const row = await deps.db.selectFrom('purposes').selectAll().where('code', '=', code).executeTakeFirst();
  return row ? toPurpose(row) : undefined;
}

export async function getPurpose(deps: RegistryDeps, code: string): Promise<Purpose> {
  const purpose = await findPurpose(deps, code);
  if (!purpose) throw notFound('purpose', code);
  return purpose;
}

export function toPurpose(row: PurposeRow): Purpose {
  return { code: row.code, nameEn: row.name_en, nameUr: row.name_ur, legalBasis: row.legal_basis, statute: row.statute };
}
