import type { CaseView } from '../../../src/cases/index.js';
import type { Platform } from '../../../src/platform/index.js';
import type { RabtaClient } from '../../../src/sdk/index.js';
import type { Beneficiary } from '../people.js';
import type { SmsInbox } from './phones.js';
import { WITHDRAWAL_FAILED } from './topics.js';
import type { AllTables } from '../../../test/tables.js';

/** What the beneficiary and the institutions saw of the joint case. */
export interface JointCaseReport {
  reference: string;
  /** the SMS that gave her the reference */
  openedSms: string;
  lead: string | null;
  partners: string[];
  /** working days from opening to the resolution deadline, as the calendar counts them */
  resolutionDays: number;
  /** she texted the reference; what she heard */
  stateReply: string;
  /** each question "was it resolved?" she was asked, and what she answered */
  answers: Array<{ asked: string; answer: '1' | '2'; reply: string }>;
  /** the escalation her "2" caused: level and the role at HBL */
  escalation: { level: number; role: string } | undefined;
  finalState: string;
  /** the timeline's kinds of change, in order */
  timeline: string[];
}

/**
 * HBL's case rule: a failed withdrawal opens a joint case, HBL leading and
 * BISP partnering, category BANK (3 working days), for the event's subject —
 * attached once, by HBL for itself, after its topic exists.
 */
export async function attachWithdrawalRule(platform: Platform): Promise<void> {
  const hbl = `${platform.config.instance}/BANK/HBL`;
  const existing = await platform.cases.listRules(hbl);
  if (existing.some((r) => r.topic === WITHDRAWAL_FAILED)) return;
  await platform.cases.addRule({ kind: 'institution', member: hbl, by: `${hbl}/complaints` }, hbl, { topic: WITHDRAWAL_FAILED, category: 'BANK', lead: hbl, partners: [`${platform.config.instance}/GOV/BISP`], withinDays: 30 });
}

/**
 * The failed withdrawal goes on as a case: it is opened by HBL's rule, she
 * gets the reference by SMS, texts it back and hears the deadline; HBL's
 * complaints desk takes it up and resolves it; she answers "2", so it reopens
 * and escalates to HBL's head of complaints, who resolves it; she answers "1".
 * Every step of the institutions is a signed call; every SMS goes over the SMSC.
 */
export async function followJointCase(input: { platform: Platform; desk: RabtaClient; inbox: SmsInbox; beneficiary: Beneficiary; eventId: string; timeoutMs: number; say: (line: string) => void; until: <T>(probe: () => Promise<T | false>, timeoutMs: number, what: string) => Promise<T> }): Promise<JointCaseReport> {
  const { platform, desk, inbox, beneficiary: her, timeoutMs, say } = input;
  const reference = await input.until(async () => {
    const row = await platform.store.tables<AllTables>().selectFrom('cases').select('reference').where('event_id', '=', input.eventId).executeTakeFirst();
    return row?.reference ?? false;
  }, timeoutMs, 'HBL’s case rule to open a case for the failed withdrawal');
  const call = async (method: 'GET' | 'POST', path: string, json?: unknown) => {
    const response = await desk.call({ method, path: `/cases/${reference}${path}`, ...(json === undefined ? {} : { json }) });
    if (response.status >= 300) throw new Error(`${method} /cases/${reference}${path} answered ${response.status}: ${response.text()}`);
    return response.json<CaseView>();
  };
  const opened = await call('GET', '');
  const openedSms = await inbox.waitFor(her.mobile, (text) => text.includes(reference), timeoutMs);
  // Deadlines start at triage, a moment after opening: to a tenth of a day.
  const resolutionDays = opened.resolutionDue ? Math.round(((Date.parse(opened.resolutionDue) - Date.parse(opened.openedAt)) / platform.cases.calendar.dayMs) * 10) / 10 : NaN;
  say(`HBL's case rule opened joint case ${reference}: lead ${opened.lead}, partner ${opened.partners.join(', ')}, due in ${resolutionDays} working days; SMS to ${her.nameEn}: ${openedSms}`);

  const stateReply = await inbox.ask(her.mobile, reference, (text) => text.includes(reference), timeoutMs);
  say(`${her.nameEn} texts "${reference}" → ${stateReply}`);

  const answers: JointCaseReport['answers'] = [];
  const resolveAndAsk = async (note: string, answer: '1' | '2', expect: (text: string) => boolean) => {
    const mark = inbox.mark();
    await call('POST', '/resolve', { note });
    const asked = await inbox.waitFor(her.mobile, (text) => text.includes(reference) && /\b1\b/.test(text) && /\b2\b/.test(text), timeoutMs, mark);
    const reply = await inbox.ask(her.mobile, answer, expect, timeoutMs);
    answers.push({ asked, answer, reply });
    return { asked, reply };
  };

  await call('POST', '/accept');
  const first = await resolveAndAsk('agent re-verified the fingerprint; please withdraw again', '2', (text) => text.includes(reference));
  say(`HBL's complaints desk resolves it → ${her.nameEn} is asked: ${first.asked}`);
  const escalatedView = await call('GET', '');
  const escalated = [...escalatedView.timeline].reverse().find((e) => e.kind === 'escalated');
  const escalation = escalated ? { level: Number(escalated.detail.level), role: String(escalated.detail.role) } : undefined;
  say(`${her.nameEn} answers "2" (nahi hua) → ${first.reply} [${escalatedView.state}, level ${escalation?.level} at HBL: ${escalation?.role}]`);

  const second = await resolveAndAsk('paid out at the HBL branch in person by the head of complaints', '1', (text) => text.includes(reference) && !text.includes('2 ='));
  say(`${escalation?.role ?? 'HBL'} resolves it → ${her.nameEn} answers "1" (masla hal ho gaya) → ${second.reply}`);
  const final = await call('GET', '');
  say(`Case ${reference}: ${final.timeline.map((e) => e.kind).join(' → ')}`);
  return {
    reference,
    openedSms,
    lead: opened.lead,
    partners: opened.partners,
    resolutionDays,
    stateReply,
    answers,
    escalation,
    finalState: final.state,
    timeline: final.timeline.map((e) => e.kind),
  };
}
