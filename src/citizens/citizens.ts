import { isUniqueViolation } from '../store/index.js';
import type { Kysely } from 'kysely';
import { maskCnic, normalizeCnic, subjectHash, RabtaError } from '../core/index.js';
import type { Actor } from '../core/index.js';
import type { Language } from '../core/index.js';
import type { Connection } from '../store/index.js';
import type { CitizensDeps } from './deps.js';
import { normalizeMobile } from './mobile.js';
import type { CitizenRow, CitizensTables } from './tables.js';

/** Told, in the registering transaction, that a citizen's phone changed (consent moves their live reply codes to it). */
export type MobileChangeHook = (trx: Connection, subjectHash: string, mobile: string) => Promise<void>;

export interface CitizenInput {
  cnic: string;
  mobile: string;
  language: Language;
}

export interface Citizen {
  /** the masked CNIC; the registry never holds it in clear */
  cnic: string;
  mobile: string;
  language: Language;
  createdAt: string;
  updatedAt: string;
}

/**
 * The citizen registry: which phone answers for a CNIC, in which language. One
 * phone may serve several CNICs (a household). Registering again updates the
 * phone and language; the hooks hear of a new phone in the same transaction
 * (live reply codes follow the citizen to it).
 */
export async function registerCitizen(deps: CitizensDeps, hooks: readonly MobileChangeHook[], actor: Actor, input: CitizenInput): Promise<{ citizen: Citizen; created: boolean }> {
  if (actor.role !== 'authority-admin' && actor.role !== 'system') throw new RabtaError('forbidden', 'only the authority registers citizens');
  const digits = normalizeCnic(input.cnic);
  if (!digits) throw new RabtaError('subject-malformed', 'cnic must be a CNIC, NNNNN-NNNNNNN-N');
  const mobile = normalizeMobile(input.mobile);
  if (!mobile) throw new RabtaError('bad-request', 'mobile must be a phone number in E.164, e.g. +923001234567');
  if (input.language !== 'ur' && input.language !== 'en') throw new RabtaError('bad-request', 'language must be ur or en');
  const hash = subjectHash(deps.keyring.subjectSecret, digits);
  const now = deps.now();
  const language = input.language;
  try {
    return await upsert(deps, hooks, hash, maskCnic(digits), mobile, language, now);
  } catch (error) {
    // Two registrations of one CNIC at once: the loser's insert collides; its second try is an update.
    if (!isUniqueViolation(error)) throw error;
    return upsert(deps, hooks, hash, maskCnic(digits), mobile, language, now);
  }
}

async function upsert(deps: CitizensDeps, hooks: readonly MobileChangeHook[], hash: string, masked: string, mobile: string, language: Language, now: number): Promise<{ citizen: Citizen; created: boolean }> {
  return deps.db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('citizens').selectAll().where('subject_hash', '=', hash).executeTakeFirst();
    if (existing) {
      await trx.updateTable('citizens').set({ mobile, language, updated_at: now }).where('subject_hash', '=', hash).execute();
      if (existing.mobile !== mobile) for (const hook of hooks) await hook(trx, hash, mobile);
      return { citizen: toCitizen({ ...existing, mobile, language, updated_at: now }), created: false };
    }
    const row: CitizenRow = { subject_hash: hash, masked_cnic: masked, mobile, language, opted_out: '[]', created_at: now, updated_at: now };
    await trx.insertInto('citizens').values(row).execute();
    return { citizen: toCitizen(row), created: true };
  });
}

export async function findCitizen(db: Kysely<CitizensTables>, hash: string): Promise<CitizenRow | undefined> {
  return db.selectFrom('citizens').selectAll().where('subject_hash', '=', hash).executeTakeFirst();
}

export async function citizensByMobile(db: Kysely<CitizensTables>, mobile: string): Promise<CitizenRow[]> {
  return db.selectFrom('citizens').selectAll().where('mobile', '=', mobile).orderBy('created_at').execute();
}

function toCitizen(row: CitizenRow): Citizen {
  return {
    cnic: row.masked_cnic,
    mobile: row.mobile,
    language: row.language,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
