import type { Language } from '../core/index.js';
import { clip, displayDeadline, endSentence, ltr, markDigits, nameUr } from './display.js';

/**
 * What a citizen reads about her case (src/cases names the template and its
 * values). Values are strings, '' where there is none: `due` is an instant
 * (ISO), shown as its day in Pakistan; `lead` the lead institution's member id.
 * A reference is always written the same way, so it can be texted back as it is.
 */
export interface CaseTemplateParams {
  'case-opened': { reference: string; lead: string; due: string };
  /** the answer to a texted reference; `reason` only for a rejected case */
  'case-state': { reference: string; state: string; lead: string; due: string; reason: string };
  /** the lead says it is resolved: she answers 1 (solved) or 2 (not solved) */
  'case-confirm': { reference: string; lead: string; note: string };
  'case-closed': { reference: string };
  'case-rated': { reference: string; score: string };
  'case-reopened': { reference: string; due: string };
  'case-rejected': { reference: string; reason: string };
  'case-not-yours': { reference: string };
  /** what she typed, as a reference whose check digit does not match */
  'case-bad-reference': { text: string };
  'case-unknown-reference': { reference: string };
  'case-nothing-to-confirm': Record<string, never>;
  /** `max`: the longest complaint taken, in characters */
  'case-too-long': { max: string };
  'case-empty': Record<string, never>;
}

export type CaseTemplate = keyof CaseTemplateParams;

/**
 * An institution's reason or note may have 500 characters (a rejection) or
 * 300 (a resolution); by SMS it is cut to these, in full on her case page.
 * With them a rejection stays within 2 UCS-2 parts, a resolution (which
 * also asks for her answer) within 3, and both within 2 GSM-7 parts
 * (templates.test.ts measures them at the limit).
 */
export const CASE_REASON_MAX: Record<Language, number> = { ur: 60, en: 120 };
/** what a citizen typed, echoed back */
const ECHO_MAX = 20;

const STATE_NAMES: Record<string, Record<Language, string>> = {
  new: { en: 'received, awaiting assignment', ur: 'موصول، تفویض کا انتظار' },
  triaged: { en: 'assigned', ur: 'متعلقہ ادارے کو بھیج دی گئی' },
  'in-progress': { en: 'being worked on', ur: 'کارروائی جاری' },
  transferred: { en: 'transferred to another institution', ur: 'دوسرے ادارے کو منتقل' },
  reopened: { en: 'reopened and escalated', ur: 'دوبارہ کھولی گئی، اعلیٰ سطح پر بھیجی گئی' },
  resolved: { en: 'marked resolved, awaiting your answer', ur: 'حل قرار دی گئی، آپ کے جواب کا انتظار' },
  closed: { en: 'closed', ur: 'بند' },
  'closed-unconfirmed': { en: 'closed without your answer', ur: 'آپ کے جواب کے بغیر بند' },
  duplicate: { en: 'a duplicate of another case', ur: 'کسی اور شکایت کی نقل' },
  rejected: { en: 'rejected', ur: 'مسترد' },
};

const stateName = (language: Language, state: string) => STATE_NAMES[state]?.[language] ?? state;
const reasonUr = (text: string) => markDigits(nameUr(clip(text, CASE_REASON_MAX.ur)));
const reasonEn = (text: string) => clip(text, CASE_REASON_MAX.en);
/** ", ادارہ …" / ", with …" when there is a lead */
const leadUr = (lead: string) => (lead ? `، ادارہ ${nameUr(lead)}` : '');
const leadEn = (lead: string) => (lead ? `, with ${lead}` : '');

/** Every text that expects an answer (a reference, 1/2, SHIKAYAT) names the short code `s`. */
export const CASE_TEXTS: { [K in CaseTemplate]: Record<Language, (p: CaseTemplateParams[K], s: string) => string> } = {
  'case-opened': {
    en: (p, s) => `Rabta: your complaint is registered. Reference ${p.reference}${leadEn(p.lead)}${p.due ? `, due ${displayDeadline('en', p.due)}` : ''}. Text the reference to ${s} to hear its state.`,
    ur: (p, s) =>
      `رابطہ: شکایت درج ہو گئی۔ حوالہ ${ltr(p.reference)}${leadUr(p.lead)}${p.due ? `، مقررہ تاریخ ${displayDeadline('ur', p.due)}` : ''}۔ حالت کے لیے حوالہ ${ltr(s)} پر بھیجیں۔`,
  },
  'case-state': {
    en: (p) => endSentence(`Rabta: case ${p.reference}: ${stateName('en', p.state)}${leadEn(p.lead)}${p.due ? `. Next deadline ${displayDeadline('en', p.due)}` : ''}${p.reason ? `. Reason: ${reasonEn(p.reason)}` : ''}`, 'en'),
    ur: (p) =>
      endSentence(`رابطہ: شکایت ${ltr(p.reference)}: ${stateName('ur', p.state)}${leadUr(p.lead)}${p.due ? `۔ اگلی مقررہ تاریخ ${displayDeadline('ur', p.due)}` : ''}${p.reason ? `۔ وجہ: ${reasonUr(p.reason)}` : ''}`, 'ur'),
  },
  'case-confirm': {
    en: (p, s) => `Rabta: ${p.lead || 'the institution'} says case ${p.reference} is resolved${p.note ? ` (${reasonEn(p.note)})` : ''}. Reply 1 = masla hal ho gaya (solved) or 2 = nahi hua (not solved) to ${s}.`,
    ur: (p, s) =>
      `رابطہ: ${p.lead ? nameUr(p.lead) : 'ادارے'} کے مطابق شکایت ${ltr(p.reference)} حل ہو گئی ہے${p.note ? ` (${reasonUr(p.note)})` : ''}۔ ${ltr(s)} پر جواب دیں: ${ltr('1')} = مسئلہ حل ہو گیا، ${ltr('2')} = نہیں ہوا۔`,
  },
  'case-closed': {
    en: (p, s) => `Rabta: thank you. Case ${p.reference} is closed. To rate us 1-5, text "1 5" to ${s} (5 = very satisfied).`,
    ur: (p, s) => `رابطہ: شکریہ۔ شکایت ${ltr(p.reference)} بند کر دی گئی۔ ${ltr('1')} سے ${ltr('5')} تک اطمینان بتانے کے لیے ${ltr(s)} پر "${ltr('1 5')}" بھیجیں۔`,
  },
  'case-rated': {
    en: (p) => `Rabta: your rating (${p.score}) for case ${p.reference} is recorded.`,
    ur: (p) => `رابطہ: شکایت ${ltr(p.reference)} کے لیے آپ کی رائے (${ltr(p.score)}) محفوظ ہو گئی۔`,
  },
  'case-reopened': {
    en: (p) => `Rabta: case ${p.reference} is reopened and escalated${p.due ? `, due ${displayDeadline('en', p.due)}` : ''}.`,
    ur: (p) => `رابطہ: شکایت ${ltr(p.reference)} دوبارہ کھول کر اعلیٰ افسر کو بھیج دی گئی${p.due ? `، مقررہ تاریخ ${displayDeadline('ur', p.due)}` : ''}۔`,
  },
  'case-rejected': {
    en: (p) => `Rabta: case ${p.reference} was rejected. Reason: ${reasonEn(p.reason)}`,
    ur: (p) => `رابطہ: شکایت ${ltr(p.reference)} مسترد کر دی گئی۔ وجہ: ${reasonUr(p.reason)}`,
  },
  'case-not-yours': {
    en: (p) => `Rabta: case ${p.reference} was not filed from this number, so it cannot be answered from here.`,
    ur: (p) => `رابطہ: شکایت ${ltr(p.reference)} اس نمبر سے درج نہیں ہوئی، اس لیے اس کا جواب یہاں سے نہیں دیا جا سکتا۔`,
  },
  'case-bad-reference': {
    en: (p, s) => `Rabta: "${clip(p.text, ECHO_MAX)}" is not a valid reference (its last digit does not match). Please check it and send it again to ${s}.`,
    ur: (p, s) => `رابطہ: "${nameUr(clip(p.text, ECHO_MAX))}" درست حوالہ نہیں (آخری ہندسہ نہیں ملتا)۔ براہ کرم حوالہ دوبارہ دیکھ کر ${ltr(s)} پر بھیجیں۔`,
  },
  'case-unknown-reference': {
    en: (p) => `Rabta: there is no case ${p.reference}.`,
    ur: (p) => `رابطہ: حوالہ ${ltr(p.reference)} کی کوئی شکایت نہیں ملی۔`,
  },
  'case-nothing-to-confirm': {
    en: (_p, s) => `Rabta: no case of this number is waiting for your answer. To complain, text SHIKAYAT followed by your problem to ${s}.`,
    ur: (_p, s) => `رابطہ: اس نمبر کی کوئی شکایت جواب کی منتظر نہیں۔ شکایت کے لیے ${ltr(s)} پر "شکایت" کے بعد اپنا مسئلہ لکھیں۔`,
  },
  'case-too-long': {
    en: (p) => `Rabta: the complaint is longer than ${Number(p.max).toLocaleString('en-US')} characters; please shorten it.`,
    ur: (p) => `رابطہ: شکایت ${ltr(p.max)} حروف سے لمبی ہے، مختصر کر کے بھیجیں۔`,
  },
  'case-empty': {
    en: (_p, s) => `Rabta: text SHIKAYAT followed by your problem to ${s}.`,
    ur: (_p, s) => `رابطہ: ${ltr(s)} پر "شکایت" کے بعد اپنا مسئلہ لکھیں۔`,
  },
};
