import { maskCnic, normalizeCnic, RabtaError } from '../core/index.js';
import type { Language } from '../core/index.js';

/**
 * Every text Rabta sends a citizen, in Urdu and English. Short on purpose:
 * each SMS part is billed, and an Urdu part holds only 67 characters. English
 * texts stay inside the GSM 7-bit alphabet (a single curly quote would make
 * them UCS-2 and cost twice as many parts); a test checks that.
 *
 * Keys and parameter names match the consent module's templates, so the
 * platform can hand its messages to the notifier as they are.
 */

export type { Language };
export { LANGUAGES } from '../core/index.js';

export type PaymentState = 'credited' | 'pending' | 'failed';

export interface TemplateParams {
  /** a sign-in code and how long it lives */
  otp: { code: string; minutes: string | number };
  /** `consumer` asks for data held by `provider`; the citizen answers HAAN/NAHI <code> */
  'consent-request': { consumer: string; provider: string; purpose: string; cnic: string; code: string };
  'consent-approved': { consumer: string; purpose: string; cnic: string; code: string };
  'consent-rejected': { consumer: string; purpose: string; cnic: string };
  'consent-revoked': { consumer: string; purpose: string; cnic: string };
  /** the citizen answered a request that had already lapsed */
  'consent-expired': { consumer: string; purpose: string; cnic: string };
  /** a well-formed answer whose code matches no request of this phone */
  'consent-code-unknown': { code: string };
  /** how to answer by SMS; nothing personal */
  help: Record<string, never>;
  /** `amount` in rupees; `date` the day it was credited, is expected, or failed */
  'payment-status': { institution: string; cnic: string; amount: number | string; date: string | Date; status: PaymentState };
  /** anything else an institution tells a citizen, already in the citizen's language */
  notification: { institution: string; message: string };
}

export type TemplateKey = keyof TemplateParams;

export interface Templates {
  render<K extends TemplateKey>(key: K, language: Language, params: TemplateParams[K]): string;
}

/** Parameters after formatting: CNIC masked, rupees grouped, dates as DD-MM-YYYY. */
type Formatted<K extends TemplateKey> = { [P in keyof TemplateParams[K]]: string };

interface Definition<K extends TemplateKey> {
  params: readonly (keyof TemplateParams[K] & string)[];
  ur(p: Formatted<K>): string;
  en(p: Formatted<K>): string;
}

/**
 * Left-to-right mark. In a right-to-left line, `35202-*****67-1` would
 * otherwise be shown in pieces in the wrong order (the asterisks and hyphens
 * take the line's direction); an LRM just before it makes the whole token
 * read left to right. It is one UCS-2 character.
 */
const LRM = '\u200E';

const PAYMENT_UR: Record<PaymentState, (p: Formatted<'payment-status'>) => string> = {
  credited: (p) => `رابطہ: ${p.institution} کی ${p.amount} روپے کی ادائیگی (شناختی کارڈ ${LRM}${p.cnic}) ${p.date} کو آپ کے اکاؤنٹ میں منتقل ہو گئی ہے۔`,
  pending: (p) => `رابطہ: ${p.institution} کی ${p.amount} روپے کی ادائیگی (شناختی کارڈ ${LRM}${p.cnic}) ابھی زیرِ کارروائی ہے۔ متوقع تاریخ: ${p.date}`,
  failed: (p) => `رابطہ: ${p.institution} کی ${p.amount} روپے کی ادائیگی (شناختی کارڈ ${LRM}${p.cnic}) ${p.date} کو نہیں ہو سکی۔ تبدیلی پر آپ کو اطلاع دی جائے گی۔`,
};

const PAYMENT_EN: Record<PaymentState, (p: Formatted<'payment-status'>) => string> = {
  credited: (p) => `Rabta: ${p.institution} payment of Rs ${p.amount} for CNIC ${p.cnic} was credited to your account on ${p.date}.`,
  pending: (p) => `Rabta: ${p.institution} payment of Rs ${p.amount} for CNIC ${p.cnic} is in process, expected by ${p.date}.`,
  failed: (p) => `Rabta: ${p.institution} payment of Rs ${p.amount} for CNIC ${p.cnic} could not be made on ${p.date}. You will get an SMS when this changes.`,
};

const DEFINITIONS: { [K in TemplateKey]: Definition<K> } = {
  otp: {
    params: ['code', 'minutes'],
    // One SMS in either language (at most 70 UCS-2 characters), as sign-in codes are the most sent text.
    ur: (p) => `آپ کا رابطہ کوڈ ${p.code} ہے۔ یہ ${p.minutes} منٹ میں ختم ہو گا۔ کسی کو نہ بتائیں۔`,
    en: (p) => `Your Rabta code is ${p.code}. It expires in ${p.minutes} minutes. Do not share it with anyone.`,
  },
  'consent-request': {
    params: ['consumer', 'provider', 'purpose', 'cnic', 'code'],
    ur: (p) =>
      `رابطہ: ${p.consumer} کو ${p.purpose} کے لیے ${p.provider} سے آپ کا ڈیٹا درکار ہے (شناختی کارڈ ${LRM}${p.cnic})۔ اجازت کے لیے ہاں ${p.code} اور انکار کے لیے نہیں ${p.code} لکھ کر بھیجیں۔`,
    en: (p) =>
      `Rabta: ${p.consumer} asks for your data from ${p.provider} for ${p.purpose} (CNIC ${p.cnic}). Reply HAAN ${p.code} to allow or NAHI ${p.code} to refuse.`,
  },
  'consent-approved': {
    params: ['consumer', 'purpose', 'cnic', 'code'],
    ur: (p) => `رابطہ: آپ نے ${p.consumer} کو ${p.purpose} کے لیے اجازت دے دی (شناختی کارڈ ${LRM}${p.cnic})۔ واپس لینے کے لیے واپس ${p.code} لکھ کر بھیجیں۔`,
    en: (p) => `Rabta: you allowed ${p.consumer} to use your data for ${p.purpose} (CNIC ${p.cnic}). To withdraw, reply WAPIS ${p.code}.`,
  },
  'consent-rejected': {
    params: ['consumer', 'purpose', 'cnic'],
    ur: (p) => `رابطہ: آپ نے ${p.consumer} کی ${p.purpose} کی درخواست رد کر دی (شناختی کارڈ ${LRM}${p.cnic})۔`,
    en: (p) => `Rabta: you refused ${p.consumer}'s request for ${p.purpose} (CNIC ${p.cnic}).`,
  },
  'consent-revoked': {
    params: ['consumer', 'purpose', 'cnic'],
    ur: (p) => `رابطہ: ${p.consumer} کو ${p.purpose} کے لیے دی گئی اجازت واپس لے لی گئی (شناختی کارڈ ${LRM}${p.cnic})۔`,
    en: (p) => `Rabta: your consent to ${p.consumer} for ${p.purpose} is withdrawn (CNIC ${p.cnic}).`,
  },
  'consent-expired': {
    params: ['consumer', 'purpose', 'cnic'],
    ur: (p) => `رابطہ: ${p.consumer} کی ${p.purpose} کی درخواست کی مدت ختم ہو چکی تھی (شناختی کارڈ ${LRM}${p.cnic})۔ کوئی اجازت نہیں دی گئی۔`,
    en: (p) => `Rabta: ${p.consumer}'s request for ${p.purpose} had expired (CNIC ${p.cnic}). Nothing was allowed.`,
  },
  'consent-code-unknown': {
    params: ['code'],
    ur: (p) => `رابطہ: اس نمبر کے لیے کوڈ ${p.code} والی کوئی درخواست موجود نہیں۔`,
    en: (p) => `Rabta: no request with code ${p.code} is waiting for this number.`,
  },
  help: {
    params: [],
    ur: () => 'رابطہ: اجازت کے لیے ہاں <کوڈ>، انکار کے لیے نہیں <کوڈ>، دی گئی اجازت واپس لینے کے لیے واپس <کوڈ> لکھ کر بھیجیں۔',
    en: () => 'Rabta: reply HAAN <code> to allow a request, NAHI <code> to refuse it, WAPIS <code> to withdraw a consent.',
  },
  'payment-status': {
    params: ['institution', 'cnic', 'amount', 'date', 'status'],
    ur: (p) => PAYMENT_UR[p.status as PaymentState](p),
    en: (p) => PAYMENT_EN[p.status as PaymentState](p),
  },
  notification: {
    params: ['institution', 'message'],
    ur: (p) => `رابطہ (${p.institution}): ${p.message}`,
    en: (p) => `Rabta (${p.institution}): ${p.message}`,
  },
};

export const TEMPLATE_KEYS = Object.keys(DEFINITIONS) as TemplateKey[];

/** The parameters a template needs, for callers that check before they render. */
export function templateParams(key: TemplateKey): readonly string[] {
  return DEFINITIONS[key].params;
}

const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** `12,000` (Pakistani SMS write rupees with Western digits and thousands commas). */
function formatRupees(value: unknown, key: TemplateKey): string {
  const amount = typeof value === 'number' ? value : Number(String(value).replace(/,/g, ''));
  if (!Number.isFinite(amount) || amount < 0) throw new RabtaError('internal', `Template "${key}": amount must be a number of rupees`);
  return GROUPED.format(amount);
}

/** DD-MM-YYYY; a Date is read in Pakistan's time zone, a YYYY-MM-DD string is taken as the calendar day it names. */
function formatDate(value: unknown, key: TemplateKey): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RabtaError('internal', `Template "${key}": invalid date`);
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Karachi', day: '2-digit', month: '2-digit', year: 'numeric' }).formatToParts(value);
    const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
    return `${part('day')}-${part('month')}-${part('year')}`;
  }
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(value));
  if (!match) throw new RabtaError('internal', `Template "${key}": date must be a Date or YYYY-MM-DD`);
  return `${match[3]}-${match[2]}-${match[1]}`;
}

/** A CNIC in any written form is masked; one already masked passes through. */
function formatCnic(value: unknown): string {
  const text = String(value);
  const digits = normalizeCnic(text);
  return digits ? maskCnic(digits) : text;
}

function formatParam(key: TemplateKey, name: string, value: unknown): string {
  switch (name) {
    case 'cnic':
      return formatCnic(value);
    case 'amount':
      return formatRupees(value, key);
    case 'date':
      return formatDate(value, key);
    case 'status':
      if (value !== 'credited' && value !== 'pending' && value !== 'failed') {
        throw new RabtaError('internal', `Template "${key}": status must be credited, pending or failed`);
      }
      return value;
    default:
      // Line breaks would cost septets and can make a text look like two messages.
      return String(value).replace(/\s+/g, ' ').trim();
  }
}

export function render<K extends TemplateKey>(key: K, language: Language, params: TemplateParams[K]): string {
  const definition = DEFINITIONS[key] as Definition<K> | undefined;
  if (!definition) throw new RabtaError('internal', `No SMS template "${String(key)}"`);
  if (language !== 'ur' && language !== 'en') throw new RabtaError('internal', `No SMS texts in language "${String(language)}"`);
  const given = (params ?? {}) as Record<string, unknown>;
  const formatted: Record<string, string> = {};
  for (const name of definition.params) {
    const value = given[name];
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
      throw new RabtaError('internal', `SMS template "${key}" needs the parameter "${name}"`);
    }
    formatted[name] = formatParam(key, name, value);
  }
  return definition[language](formatted as Formatted<K>);
}

export const templates: Templates = { render };
