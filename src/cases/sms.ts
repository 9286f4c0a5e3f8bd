import { RabtaError } from '../core/index.js';
import { citizenAnswer } from './actions.js';
import type { CasesDeps } from './deps.js';
import { loadCase } from './load.js';
import { caseTexts } from './messages.js';
import { MAX_TEXT, openCase } from './open.js';
import { parseReference } from './reference.js';
import type { CaseRow } from './tables.js';
import type { Language } from '../core/index.js';

const EASTERN = /[\u0660-\u0669\u06F0-\u06F9]/g;
const fold = (text: string) => text.normalize('NFKC').replace(EASTERN, (d) => String(d.charCodeAt(0) & 0xf)).replace(/[\s\u00A0]+/g, ' ').trim();
const KEYWORD = /^(shikayat|shikayet|shikait|complaint|شکایت|شکايت)(?:[\s:.,-]+|$)/iu;
const ANSWER = /^([12])(?:\s*[-.,:]?\s*([1-5]))?$/;

export type CaseSmsOutcome = 'opened' | 'state' | 'answered' | 'bad-reference' | 'unknown-reference' | 'not-yours' | 'nothing-to-confirm' | 'too-long' | 'empty';

/**
 * The case commands of the citizen SMS line: `SHIKAYAT <text>` / `شکایت
 * <text>` opens a case and answers with its reference; the reference alone
 * answers its state and next deadline; `1` / `2` (optionally `1 4` with a
 * satisfaction, or after the reference) answer "was it resolved?" — for the
 * sender's own case only. Returns undefined for anything else, which the
 * SMS dispatcher's next commands then handle (citizens', consent's).
 */
export async function handleCaseSms(deps: CasesDeps, sms: { from: string; text: string }): Promise<CaseSmsOutcome | undefined> {
  const mobile = deps.citizens.normalizeMobile(sms.from);
  if (!mobile) return undefined;
  const text = fold(sms.text);
  const citizens = await deps.citizens.byMobile(mobile);
  const language: Language = citizens[0]?.language ?? (/[\u0600-\u06FF]/.test(sms.text) ? 'ur' : 'en');
  const reply = (message: string) => deps.sms.send(mobile, language, message).catch(() => undefined);
  const mine = (row: CaseRow) => row.mobile === mobile || (row.subject_hash !== null && citizens.some((c) => c.subjectHash === row.subject_hash));

  const keyword = KEYWORD.exec(text);
  if (keyword) {
    const complaint = text.slice(keyword[0].length).trim();
    if (!complaint) return reply(caseTexts.empty(language)).then(() => 'empty');
    if ([...complaint].length > MAX_TEXT) return reply(caseTexts.tooLong(language)).then(() => 'too-long');
    const citizen = citizens[0];
    // The phone's registered citizen is the complainant; an unknown phone still gets a case, by its number.
    await openCase(deps, { kind: 'citizen', by: 'sms' }, { text: complaint, citizen: { mobile, language, ...(citizen ? { known: { subjectHash: citizen.subjectHash, maskedCnic: citizen.maskedCnic } } : {}) }, channel: 'sms', intake: 'sms' });
    return 'opened';
  }

  // `RB-26-004731-7`, optionally followed by an answer: `RB-26-004731-7 2`.
  const withAnswer = /^(.*?)(?:\s+([12])(?:\s*([1-5]))?)?$/.exec(text) as RegExpExecArray;
  let reference: string | undefined;
  try {
    reference = parseReference(withAnswer[1] as string);
  } catch (error) {
    if (error instanceof RabtaError && error.code === 'case-reference-invalid') {
      await reply(caseTexts.badReference(language, { text: (withAnswer[1] as string).trim() }));
      return 'bad-reference';
    }
    throw error;
  }
  if (reference) {
    const row = await loadCase(deps.db, reference).catch(() => undefined);
    if (!row) return reply(caseTexts.unknownReference(language, { reference })).then(() => 'unknown-reference');
    if (!mine(row)) return reply(caseTexts.notYours(language, { reference })).then(() => 'not-yours');
    if (withAnswer[2]) return answer(deps, row, withAnswer[2] === '1', withAnswer[3], reply, language);
    const due = await nextDeadline(deps, row);
    await reply(caseTexts.state(language, { reference: row.reference, state: row.state, due, lead: row.lead_member, reason: row.state === 'rejected' ? row.state_reason : null }));
    return 'state';
  }

  const bare = ANSWER.exec(text);
  if (!bare) return undefined;
  // The sender's own case waiting for an answer (or, for a rating, the one just closed).
  const rows = await deps.db
    .selectFrom('cases')
    .selectAll()
    .where((eb) => eb.or([eb('mobile', '=', mobile), ...(citizens.length ? [eb('subject_hash', 'in', citizens.map((c) => c.subjectHash))] : [])]))
    .where('state', 'in', bare[1] === '1' && bare[2] ? ['resolved', 'closed'] : ['resolved'])
    .orderBy('updated_at', 'desc')
    .limit(1)
    .execute();
  const row = rows[0];
  if (!row) return reply(caseTexts.nothingToConfirm(language)).then(() => 'nothing-to-confirm');
  return answer(deps, row, bare[1] === '1', bare[2], reply, language);
}

async function answer(deps: CasesDeps, row: CaseRow, solved: boolean, score: string | undefined, reply: (m: string) => Promise<unknown>, language: Language): Promise<CaseSmsOutcome> {
  try {
    await citizenAnswer(deps, 'sms', row.id, { solved, ...(score ? { satisfaction: Number(score) } : {}) });
    return 'answered';
  } catch (error) {
    if (!(error instanceof RabtaError) || (error.code !== 'case-state' && error.code !== 'conflict')) throw error;
    await reply(caseTexts.state(language, { reference: row.reference, state: row.state, due: await nextDeadline(deps, row), lead: row.lead_member, reason: null }));
    return 'state';
  }
}

async function nextDeadline(deps: CasesDeps, row: CaseRow): Promise<number | null> {
  const task = await deps.db.selectFrom('case_tasks').select('due_at').where('case_id', '=', row.id).where('state', '=', 'open').where('due_at', 'is not', null).orderBy('due_at').limit(1).executeTakeFirst();
  return task?.due_at ?? null;
}
