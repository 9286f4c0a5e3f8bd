import { maskCnic, normalizeCnic } from '../core/index.js';
import type { Language } from '../core/index.js';

/**
 * The one set of texts Rabta sends a citizen, by template key, with the
 * parameters each one takes. Consent, citizens and the demo name a template
 * and its values; `renderCitizenMessage` is the wording on the phone (and in
 * the in-memory and console messengers, so tests read what citizens read).
 */
export interface CitizenTemplateParams {
  /** a sign-in code; never stored, never shown in the notification history */
  otp: { code: string; minutes: string };
  /** a consumer asks for consent; the citizen answers HAAN/NAHI with the code */
  'consent-request': { consumer: string; provider: string; purpose: string; cnic: string; code: string; validUntil: string };
  'consent-approved': { consumer: string; purpose: string; cnic: string; code: string };
  'consent-rejected': { consumer: string; purpose: string; cnic: string };
  'consent-revoked': { consumer: string; purpose: string; cnic: string };
  /** the citizen answered a request whose validity had already ended */
  'consent-expired': { consumer: string; purpose: string; cnic: string };
  /** a well-formed answer whose code matches no request of this phone */
  'consent-code-unknown': { code: string };
  /** `ji`, `ok`, `g` (with the code, or '' without): never consent, answered with a question */
  'consent-ambiguous': { code: string };
  /** how to answer by SMS; nothing personal */
  help: Record<string, never>;
  /** an institution's notice about an event concerning the citizen (its rule's text, filled in) */
  'event-notice': { institution: string; text: string };
  /** the answer to STATUS: the latest notice marked as a status, for one CNIC */
  'status-reply': { cnic: string; institution: string; text: string; date: string };
  'status-none': { cnic: string };
  /** STATUS from a number with no citizen, or a CNIC not registered to this number: nothing personal */
  'status-unknown': Record<string, never>;
  'notices-stopped': { institution: string };
  'notices-resumed': { institution: string };
  'institution-unknown': { code: string };
  /** BAND/SHURU from a number no citizen is registered to */
  'number-unregistered': Record<string, never>;
}

export type CitizenTemplate = keyof CitizenTemplateParams;

/** Templates whose parameters must not be kept in the citizen's notification history. */
export const SECRET_PARAMS: Partial<Record<CitizenTemplate, readonly string[]>> = { otp: ['code'] };

/** The number citizens text and receive from, when RABTA_SMS_SHORT_CODE is not set (not BISP's 8171). */
export const DEFAULT_SMS_SHORT_CODE = '9988';

/**
 * U+200E before every left-to-right run inside Urdu (CNIC, amount, code,
 * date digits, Latin name): without it `54400-*****11-2` shows as
 * `2-11*****-54400`. A mark, not an isolate (U+2066/9), which older
 * handsets show as boxes.
 */
const LRM = '\u200E';
const ltr = (value: string) => `${LRM}${value}`;
/** a name that may be Latin (an id used when no Urdu name is known) */
const nameUr = (value: string) => (/[A-Za-z0-9]/.test(value) ? ltr(value) : value);

const MONTHS_UR = ['جنوری', 'فروری', 'مارچ', 'اپریل', 'مئی', 'جون', 'جولائی', 'اگست', 'ستمبر', 'اکتوبر', 'نومبر', 'دسمبر'];
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-07-30` as "30 جولائی 2026" / "30 Jul 2026"; anything else as it came. */
export function displayDate(language: Language, iso: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!match) return language === 'ur' ? nameUr(iso) : iso;
  const [, year, month, day] = match;
  const names = language === 'ur' ? MONTHS_UR : MONTHS_EN;
  const text = `${Number(day)} ${names[Number(month) - 1] ?? month} ${year}`;
  // Digits keep their order in Urdu without a mark; "30 جولائی 2026" reads right to left as Urdu does.
  return text;
}

/** 13500 → "13,500", inside any text (amounts in notices); codes and CNICs are never 5+ bare digits with a unit. */
export function groupAmounts(text: string): string {
  return text.replace(/(?<![\d-])(?:(?<=(?:Rs\.?|روپے)\s?)\d{4,9}|\d{4,9}(?=\s*(?:روپے|rupees|Rs)))(?![\d-])/giu, (digits) => Number(digits).toLocaleString('en-US'));
}

/**
 * Kept within 2 UCS-2 parts in Urdu (the consent request within 3) and
 * 1 GSM-7 part in English where the names allow, at the longest real names
 * (messages.test.ts measures every one). Every text with a code says nobody
 * will ask for it; every text that expects an answer names the short code.
 */
const TEXTS: { [K in CitizenTemplate]: Record<Language, (p: CitizenTemplateParams[K], s: string) => string> } = {
  otp: {
    en: (p) => `Rabta web sign-in code ${p.code}. It can approve consents in your name. Valid ${p.minutes} min. Rabta never asks for it: share it with no one.`,
    ur: (p) => `رابطہ ویب کوڈ ${ltr(p.code)}۔ اس سے آپ کے نام پر اجازت دی جا سکتی ہے۔ ${ltr(p.minutes)} منٹ کے لیے۔ رابطہ یہ کوڈ کبھی نہیں مانگے گا، کسی کو نہ بتائیں۔`,
  },
  'consent-request': {
    en: (p, s) =>
      `Rabta: ${p.consumer} asks for your data held by ${p.provider} for ${p.purpose}, until ${displayDate('en', p.validUntil)} (CNIC ${p.cnic}). Within 7 days send HAAN ${p.code} or NAHI ${p.code} to ${s}. No reply: it lapses. Nobody will ever ask you for this code.`,
    ur: (p, s) =>
      // Starts with the asker, not رابطہ: (the short code says who sends it) — 3 parts at the longest names.
      `${nameUr(p.consumer)} کو ${nameUr(p.provider)} سے معلومات برائے ${nameUr(p.purpose)} ${displayDate('ur', p.validUntil)} تک چاہیے، کارڈ ${ltr(p.cnic)}۔ 7 دن میں ${ltr(s)} پر ہاں یا نہیں ${ltr(p.code)} بھیجیں۔ کوڈ کوئی نہیں مانگے گا`,
  },
  'consent-approved': {
    en: (p, s) => `Rabta: you allowed ${p.consumer} to use your data for ${p.purpose} (CNIC ${p.cnic}). To withdraw, send WAPIS ${p.code} to ${s}.`,
    ur: (p, s) => `رابطہ: آپ نے ${nameUr(p.consumer)} کو ${nameUr(p.purpose)} کی اجازت دی (کارڈ ${ltr(p.cnic)})۔ واپسی کے لیے ${ltr(s)} پر واپس ${ltr(p.code)} بھیجیں۔`,
  },
  'consent-rejected': {
    en: (p) => `Rabta: you refused ${p.consumer}'s request for your data for ${p.purpose} (CNIC ${p.cnic}).`,
    ur: (p) => `رابطہ: آپ نے ${nameUr(p.consumer)} کی ${nameUr(p.purpose)} کی درخواست رد کر دی (کارڈ ${ltr(p.cnic)})۔`,
  },
  'consent-revoked': {
    en: (p) => `Rabta: your consent to ${p.consumer} for ${p.purpose} is withdrawn (CNIC ${p.cnic}). They can no longer use your data for it.`,
    ur: (p) => `رابطہ: ${nameUr(p.consumer)} کو ${nameUr(p.purpose)} کی اجازت واپس ہو گئی (کارڈ ${ltr(p.cnic)})۔ اب وہ یہ معلومات استعمال نہیں کر سکتے۔`,
  },
  'consent-expired': {
    en: (p) => `Rabta: ${p.consumer}'s request for ${p.purpose} had lapsed (CNIC ${p.cnic}). Nothing was allowed.`,
    ur: (p) => `رابطہ: ${nameUr(p.consumer)} کی ${nameUr(p.purpose)} کی درخواست کی مدت ختم ہو چکی تھی (کارڈ ${ltr(p.cnic)})۔ کوئی اجازت نہیں دی گئی۔`,
  },
  'consent-code-unknown': {
    en: (p, s) => `Rabta: no request with code ${p.code} is waiting for this number. Send HELP to ${s} for help.`,
    ur: (p, s) => `رابطہ: اس نمبر کے لیے کوڈ ${ltr(p.code)} والی کوئی درخواست موجود نہیں۔ مدد کے لیے ${ltr(s)} پر مدد بھیجیں۔`,
  },
  'consent-ambiguous': {
    en: (p, s) => `Rabta: did you mean yes? Send HAAN ${p.code || 'and the code'} to allow, or NAHI ${p.code || 'and the code'} to refuse, to ${s}.`,
    ur: (p, s) => `رابطہ: کیا آپ اجازت دے رہے ہیں؟ اجازت کے لیے ہاں ${p.code ? ltr(p.code) : 'اور کوڈ'}، انکار کے لیے نہیں ${p.code ? ltr(p.code) : 'اور کوڈ'} ${ltr(s)} پر بھیجیں۔`,
  },
  help: {
    en: (_p, s) => `Rabta: send to ${s}: HAAN and the code to allow a request, NAHI and the code to refuse, WAPIS and the code to withdraw, STATUS for your payment.`,
    ur: (_p, s) => `رابطہ: ${ltr(s)} پر بھیجیں: اجازت کے لیے ہاں اور کوڈ، انکار کے لیے نہیں اور کوڈ، واپسی کے لیے واپس اور کوڈ، ادائیگی کے لیے حالت۔`,
  },
  'event-notice': {
    en: (p) => groupAmounts(`${p.institution}: ${p.text}${/[.!?]$/.test(p.text) ? '' : '.'} No fee or deduction is ever due.`),
    ur: (p) => groupAmounts(`${nameUr(p.institution)}: ${p.text}${/[.۔!?؟]$/u.test(p.text) ? '' : '۔'} کوئی فیس یا کٹوتی کبھی نہیں۔`).replace(/(?<![\u200E\d,-])(\d[\d,-]*)/gu, `${LRM}$1`),
  },
  'status-reply': {
    en: (p) => groupAmounts(`Rabta: CNIC ${p.cnic}, ${p.institution} (${displayDate('en', p.date)}): ${p.text} No fee is ever due.`),
    ur: (p) => `رابطہ: کارڈ ${ltr(p.cnic)}، ${nameUr(p.institution)} (${displayDate('ur', p.date)}): ${groupAmounts(p.text).replace(/(?<![\u200E\d,-])(\d[\d,-]*)/gu, `${LRM}$1`)} کوئی فیس نہیں۔`,
  },
  'status-none': {
    en: (p) => `Rabta: no payment status for CNIC ${p.cnic} yet.`,
    ur: (p) => `رابطہ: شناختی کارڈ ${ltr(p.cnic)} کے لیے ابھی ادائیگی کی کوئی اطلاع نہیں۔`,
  },
  'status-unknown': {
    en: (_p, s) => `Rabta: no status can be given to this number. Send STATUS to ${s} from the mobile number registered with your CNIC.`,
    ur: (_p, s) => `رابطہ: اس نمبر پر کوئی معلومات نہیں دی جا سکتیں۔ اپنے شناختی کارڈ پر رجسٹرڈ نمبر سے ${ltr(s)} پر حالت بھیجیں۔`,
  },
  'notices-stopped': {
    en: (p, s) => `Rabta: you will no longer get messages from ${p.institution}. Your payment is not affected. To get them again, send START and its code to ${s}.`,
    ur: (p, s) => `رابطہ: اب آپ کو ${nameUr(p.institution)} کے پیغامات نہیں آئیں گے۔ آپ کی ادائیگی پر کوئی اثر نہیں۔ دوبارہ کے لیے ${ltr(s)} پر شروع بھیجیں۔`,
  },
  'notices-resumed': {
    en: (p) => `Rabta: you will get messages from ${p.institution} again.`,
    ur: (p) => `رابطہ: آپ کو ${nameUr(p.institution)} کے پیغامات دوبارہ آئیں گے۔`,
  },
  'institution-unknown': {
    en: (p) => `Rabta: no institution has the code ${p.code}.`,
    ur: (p) => `رابطہ: ${nameUr(p.code)} نام یا کوڈ والا کوئی ادارہ نہیں۔`,
  },
  'number-unregistered': {
    en: () => 'Rabta: no CNIC is registered to this number, so Rabta sends it no messages. Nothing to stop or start.',
    ur: () => 'رابطہ: اس نمبر پر کوئی شناختی کارڈ رجسٹرڈ نہیں، اس لیے اس پر رابطہ کے پیغامات نہیں آتے۔',
  },
};

/**
 * A CNIC given in clear is masked, and line breaks in the values (a notice
 * rule's filled text) become spaces: a break costs septets and can make one
 * text look like two.
 */
function safeParams<P>(params: P): P {
  const safe: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params as Record<string, unknown>)) {
    if (typeof value !== 'string') safe[name] = value;
    else if (name === 'cnic') safe[name] = maskedCnic(value);
    else safe[name] = value.replace(/\s+/g, ' ').trim();
  }
  return safe as P;
}

function maskedCnic(value: string): string {
  const digits = normalizeCnic(value);
  return digits ? maskCnic(digits) : value;
}

export function renderCitizenMessage<K extends CitizenTemplate>(language: Language, template: K, params: CitizenTemplateParams[K], shortCode = DEFAULT_SMS_SHORT_CODE): string {
  return TEXTS[template][language](safeParams(params), shortCode);
}
