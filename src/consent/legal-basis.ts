import type { Kysely } from 'kysely';
import { subjectHash, memberIdOf, RabtaError } from '../core/index.js';
import type { ProblemCode } from '../core/index.js';
import type { LegalBasisCheck, LegalBasisQuestion } from '../core/index.js';

import type { ConsentDeps } from './deps.js';
import { takeUses } from './frequency.js';
import type { ConsentArtefactRow, ConsentTables } from './tables.js';

export type Verdict = { ok: true; artefact: ConsentArtefactRow } | { ok: false; code: ProblemCode; detail: string; consent?: string };

/**
 * Whether one subject's artefacts (those of this consumer and provider) allow
 * a call to `serviceId` for `purpose` at `at`: an ACTIVE artefact naming the
 * service and the purpose, in force at that moment. When none does, the
 * problem says why, judged by the newest artefact with these exact terms:
 * revoked, expired, or (failing those) another purpose covered, else missing.
 */
export function judge(artefacts: ConsentArtefactRow[], serviceId: string, purpose: string, at: number): Verdict {
  const covering = artefacts.filter((a) => (JSON.parse(a.services) as string[]).includes(serviceId));
  const exact = covering.filter((a) => a.purpose === purpose);
  const inForce = (a: ConsentArtefactRow) => a.status === 'ACTIVE' && a.valid_from <= at && at < a.valid_until;
  const active = exact.filter(inForce).sort((a, b) => (b.activated_at ?? 0) - (a.activated_at ?? 0));
  if (active[0]) return { ok: true, artefact: active[0] };
  const latest = [...exact].sort((a, b) => b.requested_at - a.requested_at)[0];
  if (latest?.status === 'REVOKED') return { ok: false, code: 'consent-revoked', detail: `the citizen revoked consent ${latest.id}`, consent: latest.id };
  if (latest?.status === 'EXPIRED' || (latest?.status === 'ACTIVE' && at >= latest.valid_until)) {
    return { ok: false, code: 'consent-expired', detail: `consent ${latest.id} expired`, consent: latest.id };
  }
  if (covering.some(inForce)) return { ok: false, code: 'consent-purpose-not-covered', detail: `the citizen’s consent for this service does not cover purpose ${purpose}` };
  const why = latest?.status === 'REQUESTED' ? ' (a request awaits the citizen’s answer)' : latest?.status === 'ACTIVE' ? ' (the consent is not yet in force)' : '';
  return { ok: false, code: 'consent-missing', detail: `no active consent of the citizen covers this call${why}`, ...(latest ? { consent: latest.id } : {}) };
}

const CHUNK = 500;

/** The artefacts of these subjects for one consumer and provider, by subject. */
export async function artefactsOf(db: Kysely<ConsentTables>, hashes: string[], consumer: string, provider: string): Promise<Map<string, ConsentArtefactRow[]>> {
  const bySubject = new Map<string, ConsentArtefactRow[]>();
  for (let i = 0; i < hashes.length; i += CHUNK) {
    const rows = await db
      .selectFrom('consent_artefacts')
      .selectAll()
      .where('subject_hash', 'in', hashes.slice(i, i + CHUNK))
      .where('consumer_id', '=', consumer)
      .where('provider_id', '=', provider)
      .execute();
    for (const row of rows) {
      const list = bySubject.get(row.subject_hash);
      if (list) list.push(row);
      else bySubject.set(row.subject_hash, [row]);
    }
  }
  return bySubject;
}

/**
 * The legal-basis step of the exchange (DESIGN.md "Legal basis, consent and
 * the data tracker"). A statute purpose passes on its statute. A consent
 * purpose needs, for every subject of the call, an ACTIVE artefact covering
 * client, provider, service, purpose and time, read fresh on every call (a
 * revocation holds from the next call on any node); then one use of each is
 * counted against its frequency limit, all or none. A service with no
 * subjects carries no personal data, so there is no one whose consent it needs.
 */
export function consentLegalBasis(deps: ConsentDeps, purposes: Map<string, LegalBasisQuestion['purpose']>): LegalBasisCheck {
  return {
    async check(question) {
      // Purposes never change once in the catalogue; the data tracker reads the statute from here.
      purposes.set(question.purpose.code, question.purpose);
      if (question.purpose.legalBasis === 'statute') return { legalBasis: 'statute', reference: question.purpose.statute };
      if (question.subjects.length === 0) return { legalBasis: 'consent', reference: null };
      const hashes = question.subjects.map((s) => subjectHash(deps.keyring.subjectSecret, s));
      const artefacts = await artefactsOf(deps.db, hashes, question.clientId, memberIdOf(question.serviceId));
      const verdicts = hashes.map((h) => judge(artefacts.get(h) ?? [], question.serviceId, question.purpose.code, question.at));
      const refused = verdicts.filter((v): v is Extract<Verdict, { ok: false }> => !v.ok);
      const first = refused[0];
      if (first) {
        throw new RabtaError(first.code, hashes.length === 1 ? first.detail : `${refused.length} of ${hashes.length} subjects: ${first.detail}`, {
          extensions: { purpose: question.purpose.code, ...(first.consent ? { consent: first.consent } : {}), ...(hashes.length > 1 ? { subjects: hashes.length, refused: refused.length, firstRefused: verdicts.indexOf(first) } : {}) },
        });
      }
      const used = verdicts.map((v) => (v as Extract<Verdict, { ok: true }>).artefact);
      await deps.batch.run((trx) => takeUses(trx, used.map((a) => ({ artefactId: a.id, count: a.frequency_count, per: a.frequency_per })), question.at));
      return { legalBasis: 'consent', reference: used.length <= 20 ? used.map((a) => a.id).join(',') : null };
    },
  };
}
