import { randomUUID } from 'node:crypto';
import { maskCnic, normalizeCnic, subjectHash, memberIdOf, RabtaError } from '../core/index.js';
import type { ConsentForConsumer } from '../core/index.js';
import { signArtefact } from './artefact.js';
import type { ConsentTerms } from './artefact.js';
import { recordConsentChange } from './changes.js';
import type { ConsentDeps } from './deps.js';
import type { Names } from './names.js';
import { inLanguage, pakistanDate } from './names.js';
import { insertWithReplyCode } from './reply-codes.js';
import type { ConsentArtefactRow, ConsentStatus } from './tables.js';

export interface ConsentRequestInput {
  cnic: string;
  /** service ids (or event topic ids), all of one provider member */
  services: string[];
  purpose: string;
  /** ms; default now (never earlier) */
  validFrom?: number;
  validUntil: number;
  dataLifeDays: number;
  frequency: { count: number; per: 'day' | 'month' };
}

export type { ConsentForConsumer } from '../core/index.js';

/**
 * A consumer asks a citizen for consent (a signed call). The request is
 * checked against the catalogue — a consent purpose, one provider, and an
 * access right of the consumer for every service and this purpose — then
 * signed and stored as REQUESTED. A registered citizen gets an SMS with a
 * reply code; for an unknown CNIC the same artefact is stored without one, so
 * the consumer's answer is the same either way.
 */
export async function requestConsent(deps: ConsentDeps, names: Names, clientId: string, input: ConsentRequestInput): Promise<ConsentForConsumer> {
  const digits = normalizeCnic(input.cnic);
  if (!digits) throw new RabtaError('subject-malformed', 'cnic must be a CNIC, NNNNN-NNNNNNN-N');
  const services = [...new Set(input.services)];
  if (services.length === 0 || services.length > 20) throw new RabtaError('bad-request', 'name 1 to 20 services');
  const view = await deps.registry.view();
  const topics = deps.topics?.();
  // A consent may also cover an event topic of the provider: its events then reach this subscriber for the purpose.
  const isTopic = new Set<string>();
  for (const id of services) {
    if (await view.service(id)) continue;
    if (topics && (await topics.exists(id))) isTopic.add(id);
    else throw new RabtaError('unknown-service', `no service or topic ${id}`, { extensions: { service: id } });
  }
  const provider = memberIdOf(services[0] as string);
  if (services.some((s) => memberIdOf(s) !== provider)) throw new RabtaError('bad-request', 'one consent covers the services of one provider; ask each provider separately');
  const purpose = await view.purpose(input.purpose);
  if (!purpose) throw new RabtaError('unknown-purpose', `purpose ${input.purpose} is not in the catalogue`);
  if (purpose.legalBasis !== 'consent') throw new RabtaError('bad-request', `purpose ${purpose.code} rests on ${purpose.statute ?? 'a statute'}: it needs no consent`);
  for (const id of services) {
    const allowed = isTopic.has(id) ? await topics?.purposes(id, clientId) : await view.allowedPurposes(id, clientId);
    if (!allowed) throw new RabtaError('no-access-right', `${clientId} has no access right to ${id}`);
    if (!allowed.includes(purpose.code)) throw new RabtaError('purpose-not-allowed', `${clientId} may call ${id} only for ${allowed.join(', ')}`, { extensions: { allowed } });
  }
  const now = deps.now();
  const validFrom = Math.max(input.validFrom ?? now, now);
  if (!(input.validUntil > validFrom)) throw new RabtaError('bad-request', 'validUntil must be later than validFrom and now');
  if (input.validUntil - now > deps.limits.maxValidityMs) throw new RabtaError('bad-request', `a consent lasts at most ${Math.round(deps.limits.maxValidityMs / 86_400_000)} days`);
  if (!Number.isInteger(input.dataLifeDays) || input.dataLifeDays < 1) throw new RabtaError('bad-request', 'dataLifeDays must be a positive whole number');
  if (!Number.isInteger(input.frequency.count) || input.frequency.count < 1) throw new RabtaError('bad-request', 'frequency.count must be a positive whole number');

  const hash = subjectHash(deps.keyring.subjectSecret, digits);
  // Counted for unknown CNICs too (their requests are stored alike), so the limit reveals nothing.
  const pending = await deps.db
    .selectFrom('consent_artefacts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('subject_hash', '=', hash)
    .where('consumer_id', '=', clientId)
    .where('status', '=', 'REQUESTED')
    .executeTakeFirstOrThrow();
  if (Number(pending.n) >= deps.limits.pendingPerConsumer) {
    throw new RabtaError('rate-limited', `${clientId} already has ${deps.limits.pendingPerConsumer} unanswered requests to this citizen`, { extensions: { pending: Number(pending.n) } });
  }

  const key = deps.keyring.consent[0];
  if (!key) throw new RabtaError('unavailable', 'no consent key in force');
  const citizen = await deps.citizens.find(deps.db, hash);
  const terms: ConsentTerms = {
    id: randomUUID(),
    citizen: hash,
    consumer: clientId,
    provider,
    services,
    purpose: purpose.code,
    dataLife: { days: input.dataLifeDays },
    frequency: { count: input.frequency.count, per: input.frequency.per },
    validFrom: new Date(validFrom).toISOString(),
    validUntil: new Date(input.validUntil).toISOString(),
  };
  const jws = await signArtefact(terms, deps.publicUrl, now, key);
  const row: Omit<ConsentArtefactRow, 'reply_mobile' | 'reply_code'> = {
    id: terms.id,
    subject_hash: hash,
    consumer_id: clientId,
    provider_id: provider,
    services: JSON.stringify(services),
    purpose: purpose.code,
    data_life_days: input.dataLifeDays,
    frequency_count: input.frequency.count,
    frequency_per: input.frequency.per,
    valid_from: validFrom,
    valid_until: input.validUntil,
    jws,
    requested_at: now,
    status: 'REQUESTED',
    status_at: now,
    activated_at: null,
    ended_at: null,
  };
  // Looked up for unknown CNICs too, so both answers cost the same.
  const language = citizen?.language ?? 'ur';
  const wording = {
    consumer: inLanguage(await names.member(clientId), language),
    provider: inLanguage(await names.member(provider), language),
    purpose: language === 'ur' ? purpose.nameUr : purpose.nameEn,
  };
  const outgoing = await deps.db.transaction().execute(async (trx) => {
    let code: string | undefined;
    if (citizen) code = await insertWithReplyCode(trx, row, citizen.mobile);
    else await trx.insertInto('consent_artefacts').values({ ...row, reply_mobile: null, reply_code: null }).execute();
    await recordConsentChange(trx, { artefactId: row.id, from: null, to: 'REQUESTED', at: now, actor: `consumer:${clientId}` }, deps.changeSink);
    if (!citizen || code === undefined) return undefined;
    return deps.citizens.queue(trx, {
      subjectHash: hash,
      mobile: citizen.mobile,
      language: citizen.language,
      template: 'consent-request',
      params: { ...wording, cnic: maskCnic(digits), code, validUntil: pakistanDate(input.validUntil) },
    });
  });
  // Not awaited, so the answer takes as long for an unknown CNIC as for a registered one.
  if (outgoing) void deps.citizens.dispatch([outgoing]);
  return forConsumer({ ...row, reply_mobile: null, reply_code: null });
}

/** A consumer reads its own request; anyone else's is "not found". */
export async function consentForConsumer(deps: ConsentDeps, clientId: string, id: string): Promise<ConsentForConsumer> {
  const row = await deps.db.selectFrom('consent_artefacts').selectAll().where('id', '=', id).where('consumer_id', '=', clientId).executeTakeFirst();
  if (!row) throw new RabtaError('not-found', `no consent ${id} of ${clientId}`);
  return forConsumer(row);
}

/** A consumer's own requests, newest first (at most `limit`), optionally of one status. */
export async function consentsOfConsumer(deps: ConsentDeps, clientId: string, options: { status?: ConsentArtefactRow['status']; limit: number }): Promise<ConsentForConsumer[]> {
  let query = deps.db.selectFrom('consent_artefacts').selectAll().where('consumer_id', '=', clientId);
  if (options.status !== undefined) query = query.where('status', '=', options.status);
  const rows = await query.orderBy('requested_at', 'desc').orderBy('id').limit(options.limit).execute();
  return rows.map(forConsumer);
}

function forConsumer(row: ConsentArtefactRow): ConsentForConsumer {
  return {
    id: row.id,
    status: row.status,
    statusAt: new Date(row.status_at).toISOString(),
    consumer: row.consumer_id,
    provider: row.provider_id,
    services: JSON.parse(row.services) as string[],
    purpose: row.purpose,
    dataLifeDays: row.data_life_days,
    frequency: { count: row.frequency_count, per: row.frequency_per },
    validFrom: new Date(row.valid_from).toISOString(),
    validUntil: new Date(row.valid_until).toISOString(),
    requestedAt: new Date(row.requested_at).toISOString(),
    artefact: row.jws,
  };
}
