import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { maskCnic, normalizeCnic, RabtaError } from '../core/index.js';

import type { CaseActor } from './actors.js';
import { holidays, requireCategory } from './catalogue.js';
import { recordChange } from './changes.js';
import type { CasesDeps } from './deps.js';
import { findDistrict } from './districts.js';
import { caseText, dueParam } from './messages.js';
import { formatReference } from './reference.js';
import { askRouter, storeDecision } from './routing.js';
import type { CaseCategoryRow, CaseRow, CasesTables } from './tables.js';
import { openTask } from './tasks.js';

export const MAX_TEXT = 4000;

export interface OpenCaseInput {
  category?: string | null | undefined;
  text: string;
  /** the citizen, or nobody (anonymous and unreachable) */
  citizen?: { cnic?: string | undefined; mobile?: string | undefined; language?: 'ur' | 'en' | undefined; known?: { subjectHash: string; maskedCnic: string } | undefined } | undefined;
  /** the institutions do not see who the citizen is; the authority relays */
  anonymous?: boolean | undefined;
  district?: string | null | undefined;
  address?: string | null | undefined;
  lat?: number | null | undefined;
  lng?: number | null | undefined;
  lead?: string | null | undefined;
  partners?: string[] | undefined;
  attachments?: Array<{ digest: string; name: string; mediaType?: string | null | undefined }> | undefined;
  channel: 'open311' | 'sms' | 'signed' | 'admin' | 'rule' | 'portal' | 'anomaly';
  /** who took it in: a member id, `sms`, `portal`, a rule id */
  intake: string;
  eventId?: string | undefined;
  ruleId?: string | undefined;
  /** the detected anomaly this case reports (stable id): at most one case per id */
  anomalyId?: string | undefined;
  /** the citizen is told the reference by SMS unless the channel answers itself (an SMS reply) */
  notifyCitizen?: boolean | undefined;
}

export function checkText(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) throw new RabtaError('bad-request', 'a case needs the citizen’s description of the problem');
  // Counted in characters as people see them, not UTF-16 units: Urdu and emoji count once.
  if ([...trimmed].length > MAX_TEXT) throw new RabtaError('description-too-long', `the description has ${[...trimmed].length} characters; at most ${MAX_TEXT} are taken`, { extensions: { max: MAX_TEXT } });
  return trimmed;
}

const DIGEST = /^[0-9a-f]{64}$/;

/**
 * Opens a case: checks everything first (category, district, institutions,
 * text), then in one transaction takes the next reference of the year, writes
 * the case, its partners, attachments' digests and first timeline entry, and —
 * when the category and lead are known — triages it at once with its
 * deadlines. A case without either waits in the authority's triage queue
 * (the grievance router, when there is one, may fill the category in first).
 */
export async function openCase(deps: CasesDeps, actor: CaseActor, input: OpenCaseInput): Promise<CaseRow> {
  const text = checkText(input.text);
  let routed: { label: string; confidence: number } | undefined;
  let categoryCode = input.category ?? null;
  const decision = categoryCode ? undefined : await askRouter(deps, text);
  if (decision?.routed) {
    categoryCode = decision.label;
    routed = { label: decision.label, confidence: decision.confidence };
  }
  const category: CaseCategoryRow | undefined = categoryCode ? await requireCategory(deps.db, categoryCode).catch((error: unknown) => {
    // A router's label the catalogue does not know leaves the case to triage; an intake's is its mistake.
    if (routed) return undefined;
    throw error;
  }) : undefined;
  const district = input.district ? findDistrict(input.district) : undefined;
  if (input.district && !district) throw new RabtaError('unknown-district', `${input.district} is not a census district code (e.g. PB-LAHORE, SD-KARACHI_CENTRAL)`, { extensions: { district: input.district } });
  const lead = input.lead ?? category?.lead_member ?? null;
  for (const member of [...(lead ? [lead] : []), ...(input.partners ?? [])]) {
    if (!(await deps.directory.memberExists(member))) throw new RabtaError('bad-request', `no such member: ${member}`);
  }
  for (const a of input.attachments ?? []) {
    if (!DIGEST.test(a.digest)) throw new RabtaError('bad-request', 'an attachment is named by its SHA-256 digest, 64 lower-case hex digits');
  }
  const citizen = await identify(deps, input);
  const anonymous = input.anonymous === true;

  // Openings that arrive together share one transaction and one fsync (group commit); each is retried alone if the batch fails.
  const write = async (trx: Kysely<CasesTables>) => {
    const at = deps.now();
    const year = new Date(at).getUTCFullYear();
    const sequence = await nextSequence(trx, year);
    const initial: CaseRow = {
      id: randomUUID(),
      reference: formatReference(year, sequence),
      category: category?.code ?? null,
      state: 'new',
      state_reason: null,
      lead_member: lead,
      anonymous: anonymous ? 1 : 0,
      subject_hash: citizen.subjectHash,
      masked_cnic: citizen.maskedCnic,
      mobile: citizen.mobile,
      language: citizen.language,
      district: district?.code ?? null,
      address: input.address?.trim() || null,
      lat: input.lat ?? null,
      lng: input.lng ?? null,
      text,
      channel: input.channel,
      intake: input.intake,
      token: randomBytes(12).toString('base64url'),
      first_response_due: null,
      resolution_due: null,
      escalation_level: 0,
      satisfaction: null,
      duplicate_of: null,
      event_id: input.eventId ?? null,
      rule_id: input.ruleId ?? null,
      opened_at: at,
      updated_at: at,
      closed_at: null,
      version: 0,
    };
    await trx.insertInto('cases').values(initial).execute();
    if (decision) await storeDecision(trx, initial.id, decision, at);
    // A second run (or node) reporting the same anomaly fails here, on the key, and opens nothing.
    if (input.anomalyId) await trx.insertInto('case_anomalies').values({ anomaly_id: input.anomalyId, case_id: initial.id, at }).execute();
    const partners = [...new Set(input.partners ?? [])].filter((p) => p !== lead);
    if (partners.length > 0) await trx.insertInto('case_partners').values(partners.map((member_id) => ({ case_id: initial.id, member_id, added_at: at }))).execute();
    const attachments = [...new Map((input.attachments ?? []).map((a) => [a.digest, a])).values()];
    if (attachments.length > 0) {
      await trx.insertInto('case_attachments').values(attachments.map((a) => ({ case_id: initial.id, digest: a.digest, name: a.name.slice(0, 200), media_type: a.mediaType ?? null }))).execute();
    }
    let { row: current } = await recordChange(trx, deps, initial, {
      kind: 'opened',
      actor,
      topic: 'case.opened',
      detail: { channel: input.channel, ...(routed ? { router: routed } : {}), ...(input.eventId ? { event: input.eventId } : {}), ...(partners.length ? { partners } : {}) },
    });
    if (category && lead) current = await triageIn(trx, deps, current, category, lead, { kind: 'system', by: 'catalogue' });
    return current;
  };
  const row = deps.batch ? await deps.batch.run(write) : await deps.db.transaction().execute(write);
  if (row.mobile && input.notifyCitizen !== false) {
    await deps.sms.send(row.mobile, row.language as 'ur' | 'en', caseText(deps, row.language as 'ur' | 'en', 'case-opened', { reference: row.reference, due: dueParam(row.resolution_due), lead: row.lead_member ?? '' })).catch(() => undefined);
  }
  return row;
}

/** Sets the deadlines from the category and gives the lead its first-response task. */
export async function triageIn(trx: Kysely<CasesTables>, deps: CasesDeps, row: CaseRow, category: CaseCategoryRow, lead: string, actor: CaseActor): Promise<CaseRow> {
  const at = deps.now();
  const days = await holidays(trx);
  const firstResponse = deps.calendar.addWorkingDays(at, category.first_response_days, days);
  const resolution = deps.calendar.addWorkingDays(at, category.resolution_days, days);
  const { row: next } = await recordChange(trx, deps, row, {
    kind: 'triaged',
    to: 'triaged',
    actor,
    topic: 'case.assigned',
    set: { category: category.code, lead_member: lead, first_response_due: firstResponse, resolution_due: resolution },
    detail: { category: category.code, lead, firstResponseDue: new Date(firstResponse).toISOString(), resolutionDue: new Date(resolution).toISOString() },
  });
  await openTask(trx, deps, next, { kind: 'respond', title: 'first response', assignee: lead, dueAt: firstResponse, level: next.escalation_level });
  return next;
}

async function nextSequence(trx: Kysely<CasesTables>, year: number): Promise<number> {
  await trx.insertInto('case_counters').values({ year, next: 1 }).onConflict((oc) => oc.column('year').doNothing()).execute();
  // The row lock serialises concurrent openings on PostgreSQL; SQLite writes one transaction at a time.
  const row = await trx.updateTable('case_counters').set((eb) => ({ next: eb('next', '+', 1) })).where('year', '=', year).returning('next').executeTakeFirstOrThrow();
  return Number(row.next) - 1;
}

async function identify(deps: CasesDeps, input: OpenCaseInput) {
  const given = input.citizen;
  let subjectHash: string | null = null;
  let maskedCnic: string | null = null;
  let mobile: string | null = null;
  if (given?.mobile) {
    mobile = deps.citizens.normalizeMobile(given.mobile) ?? null;
    if (!mobile) throw new RabtaError('bad-request', 'the citizen’s phone must be a number, e.g. +923001234567');
  }
  let language: 'ur' | 'en' = given?.language ?? 'ur';
  if (given?.known) {
    subjectHash = given.known.subjectHash;
    maskedCnic = given.known.maskedCnic;
  } else if (given?.cnic) {
    const digits = normalizeCnic(given.cnic);
    if (!digits) throw new RabtaError('subject-malformed', 'the citizen’s CNIC must be NNNNN-NNNNNNN-N');
    subjectHash = deps.citizens.subjectHash(digits);
    maskedCnic = maskCnic(digits);
    const known = await deps.citizens.bySubject(subjectHash);
    if (known) {
      mobile ??= known.mobile;
      if (!given.language) language = known.language;
    }
  }
  return { subjectHash, maskedCnic, mobile, language };
}
