/**
 * What a citizen reads about their case, in Urdu and English. Short enough
 * for one or two SMS; a reference is always written the same way so it can be
 * texted back as it is.
 */
import type { Language } from '../core/index.js';

const pk = (ms: number, language: Language) =>
  new Intl.DateTimeFormat(language === 'ur' ? 'ur-PK' : 'en-PK', { timeZone: 'Asia/Karachi', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', numberingSystem: 'latn' }).format(ms);

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

export const caseTexts = {
  opened: (l: Language, p: { reference: string; due: number | null; lead: string | null }) =>
    l === 'ur'
      ? `رابطہ: آپ کی شکایت درج ہو گئی۔ حوالہ ${p.reference}${p.lead ? `، ادارہ ${p.lead}` : ''}${p.due ? `، مقررہ تاریخ ${pk(p.due, l)}` : ''}۔ حالت جاننے کے لیے یہ حوالہ بھیجیں۔`
      : `Rabta: your complaint is registered. Reference ${p.reference}${p.lead ? `, with ${p.lead}` : ''}${p.due ? `, due ${pk(p.due, l)}` : ''}. Text the reference to hear its state.`,
  state: (l: Language, p: { reference: string; state: string; due: number | null; lead: string | null; reason: string | null }) =>
    l === 'ur'
      ? `رابطہ: شکایت ${p.reference}: ${STATE_NAMES[p.state]?.ur ?? p.state}${p.lead ? `، ادارہ ${p.lead}` : ''}${p.due ? `۔ اگلی مقررہ تاریخ ${pk(p.due, l)}` : ''}${p.reason ? `۔ وجہ: ${p.reason}` : ''}۔`
      : `Rabta: case ${p.reference}: ${STATE_NAMES[p.state]?.en ?? p.state}${p.lead ? `, with ${p.lead}` : ''}${p.due ? `. Next deadline ${pk(p.due, l)}` : ''}${p.reason ? `. Reason: ${p.reason}` : ''}.`,
  confirm: (l: Language, p: { reference: string; lead: string | null; note: string | null }) =>
    l === 'ur'
      ? `رابطہ: ${p.lead ?? 'ادارے'} کے مطابق شکایت ${p.reference} حل ہو گئی ہے${p.note ? ` (${p.note})` : ''}۔ جواب دیں: 1 = مسئلہ حل ہو گیا، 2 = نہیں ہوا۔`
      : `Rabta: ${p.lead ?? 'the institution'} says case ${p.reference} is resolved${p.note ? ` (${p.note})` : ''}. Reply 1 = masla hal ho gaya (solved), 2 = nahi hua (not solved).`,
  closed: (l: Language, p: { reference: string }) =>
    l === 'ur' ? `رابطہ: شکریہ۔ شکایت ${p.reference} بند کر دی گئی۔ 1 سے 5 تک اطمینان بتانے کے لیے "1 5" بھیجیں۔` : `Rabta: thank you. Case ${p.reference} is closed. To rate us 1–5, text "1 5" (5 = very satisfied).`,
  rated: (l: Language, p: { reference: string; score: number }) => (l === 'ur' ? `رابطہ: شکایت ${p.reference} کے لیے آپ کی رائے (${p.score}) محفوظ ہو گئی۔` : `Rabta: your rating (${p.score}) for case ${p.reference} is recorded.`),
  reopened: (l: Language, p: { reference: string; due: number | null }) =>
    l === 'ur'
      ? `رابطہ: شکایت ${p.reference} دوبارہ کھول کر اعلیٰ افسر کو بھیج دی گئی${p.due ? `، مقررہ تاریخ ${pk(p.due, l)}` : ''}۔`
      : `Rabta: case ${p.reference} is reopened and escalated${p.due ? `, due ${pk(p.due, l)}` : ''}.`,
  rejected: (l: Language, p: { reference: string; reason: string }) => (l === 'ur' ? `رابطہ: شکایت ${p.reference} مسترد کر دی گئی۔ وجہ: ${p.reason}` : `Rabta: case ${p.reference} was rejected. Reason: ${p.reason}`),
  notYours: (l: Language, p: { reference: string }) =>
    l === 'ur' ? `رابطہ: شکایت ${p.reference} اس نمبر سے درج نہیں ہوئی، اس لیے اس کا جواب یہاں سے نہیں دیا جا سکتا۔` : `Rabta: case ${p.reference} was not filed from this number, so it cannot be answered from here.`,
  badReference: (l: Language, p: { text: string }) =>
    l === 'ur' ? `رابطہ: "${p.text}" درست حوالہ نہیں (آخری ہندسہ نہیں ملتا)۔ براہ کرم حوالہ دوبارہ دیکھ کر بھیجیں۔` : `Rabta: "${p.text}" is not a valid reference (its last digit does not match). Please check it and send it again.`,
  unknownReference: (l: Language, p: { reference: string }) => (l === 'ur' ? `رابطہ: حوالہ ${p.reference} کی کوئی شکایت نہیں ملی۔` : `Rabta: there is no case ${p.reference}.`),
  nothingToConfirm: (l: Language) =>
    l === 'ur' ? 'رابطہ: اس نمبر کی کوئی شکایت جواب کی منتظر نہیں۔ شکایت کے لیے "شکایت" کے بعد اپنا مسئلہ لکھیں۔' : 'Rabta: no case of this number is waiting for your answer. To complain, text SHIKAYAT followed by your problem.',
  tooLong: (l: Language) => (l === 'ur' ? 'رابطہ: شکایت 4000 حروف سے لمبی ہے، مختصر کر کے بھیجیں۔' : 'Rabta: the complaint is longer than 4,000 characters; please shorten it.'),
  empty: (l: Language) => (l === 'ur' ? 'رابطہ: "شکایت" کے بعد اپنا مسئلہ لکھیں۔' : 'Rabta: text SHIKAYAT followed by your problem.'),
};
