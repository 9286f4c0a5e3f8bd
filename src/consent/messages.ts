import type { Language } from './tables.js';

/**
 * Every text the consent module sends a citizen, by template key, with the
 * parameters each one takes. The notify module renders them for the SMS
 * gateway; `renderCitizenMessage` is the reference wording (and what the
 * in-memory and console messengers show).
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
}

export type CitizenTemplate = keyof CitizenTemplateParams;

/** Templates whose parameters must not be kept in the citizen's notification history. */
export const SECRET_PARAMS: Partial<Record<CitizenTemplate, readonly string[]>> = { otp: ['code'] };

const TEXTS: { [K in CitizenTemplate]: Record<Language, (p: CitizenTemplateParams[K]) => string> } = {
  otp: {
    en: (p) => `Rabta sign-in code: ${p.code}. Valid for ${p.minutes} minutes. Never share it with anyone.`,
    // 69 UTF-16 units with a 6-digit code: one UCS-2 SMS (70), so a sign-in is billed once.
    ur: (p) => `رابطہ سائن اِن کوڈ: ${p.code}۔ ${p.minutes} منٹ تک کارآمد۔ یہ کوڈ کسی کو نہ بتائیں۔`,
  },
  'consent-request': {
    en: (p) =>
      `Rabta: ${p.consumer} asks to use your data held by ${p.provider} for: ${p.purpose} (CNIC ${p.cnic}, until ${p.validUntil}). To allow, reply HAAN ${p.code}. To refuse, reply NAHI ${p.code}.`,
    ur: (p) =>
      `رابطہ: ${p.consumer} آپ کا ${p.provider} کے پاس موجود ڈیٹا اس مقصد کے لیے استعمال کرنا چاہتا ہے: ${p.purpose} (شناختی کارڈ ${p.cnic}، ${p.validUntil} تک)۔ اجازت کے لیے ہاں ${p.code} اور انکار کے لیے نہیں ${p.code} لکھ کر جواب دیں۔`,
  },
  'consent-approved': {
    en: (p) => `Rabta: you allowed ${p.consumer} to use your data for ${p.purpose} (CNIC ${p.cnic}). To withdraw at any time, reply WAPIS ${p.code}.`,
    ur: (p) => `رابطہ: آپ نے ${p.consumer} کو ${p.purpose} کے لیے اپنا ڈیٹا استعمال کرنے کی اجازت دے دی (شناختی کارڈ ${p.cnic})۔ اجازت واپس لینے کے لیے کسی بھی وقت واپس ${p.code} لکھ کر بھیجیں۔`,
  },
  'consent-rejected': {
    en: (p) => `Rabta: you refused ${p.consumer}'s request to use your data for ${p.purpose} (CNIC ${p.cnic}).`,
    ur: (p) => `رابطہ: آپ نے ${p.consumer} کی ${p.purpose} کے لیے ڈیٹا کی درخواست رد کر دی (شناختی کارڈ ${p.cnic})۔`,
  },
  'consent-revoked': {
    en: (p) => `Rabta: your consent to ${p.consumer} for ${p.purpose} is withdrawn (CNIC ${p.cnic}). They can no longer use your data for it.`,
    ur: (p) => `رابطہ: ${p.consumer} کو ${p.purpose} کے لیے دی گئی آپ کی اجازت واپس لے لی گئی (شناختی کارڈ ${p.cnic})۔ اب وہ اس کے لیے آپ کا ڈیٹا استعمال نہیں کر سکتے۔`,
  },
  'consent-expired': {
    en: (p) => `Rabta: ${p.consumer}'s request for ${p.purpose} has expired (CNIC ${p.cnic}). Nothing was allowed.`,
    ur: (p) => `رابطہ: ${p.consumer} کی ${p.purpose} کے لیے درخواست کی مدت ختم ہو چکی ہے (شناختی کارڈ ${p.cnic})۔ کوئی اجازت نہیں دی گئی۔`,
  },
  'consent-code-unknown': {
    en: (p) => `Rabta: no request with code ${p.code} is waiting for this number. Reply HELP for help.`,
    ur: (p) => `رابطہ: اس نمبر کے لیے کوڈ ${p.code} والی کوئی درخواست موجود نہیں۔`,
  },
  help: {
    en: () => 'Rabta: reply HAAN <code> to allow a request, NAHI <code> to refuse it, WAPIS <code> to withdraw a consent, STATUS for your payment status.',
    ur: () => 'رابطہ: درخواست کی اجازت کے لیے ہاں <کوڈ>، انکار کے لیے نہیں <کوڈ>، اجازت واپس لینے کے لیے واپس <کوڈ>، اور ادائیگی کی صورتحال کے لیے حالت لکھ کر بھیجیں۔',
  },
  'event-notice': {
    en: (p) => `${p.institution}: ${p.text}`,
    ur: (p) => `${p.institution}: ${p.text}`,
  },
  'status-reply': {
    en: (p) => `Rabta: CNIC ${p.cnic}, ${p.institution} (${p.date}): ${p.text}`,
    ur: (p) => `رابطہ: شناختی کارڈ ${p.cnic}، ${p.institution} (${p.date}): ${p.text}`,
  },
  'status-none': {
    en: (p) => `Rabta: no payment status for CNIC ${p.cnic} yet.`,
    ur: (p) => `رابطہ: شناختی کارڈ ${p.cnic} کے لیے ابھی ادائیگی کی کوئی اطلاع نہیں۔`,
  },
  'status-unknown': {
    en: () => 'Rabta: no status can be given to this number. Send STATUS from the mobile number registered with your CNIC.',
    ur: () => 'رابطہ: اس نمبر پر کوئی معلومات نہیں دی جا سکتیں۔ اپنے شناختی کارڈ پر رجسٹرڈ نمبر سے حالت لکھ کر بھیجیں۔',
  },
  'notices-stopped': {
    en: (p) => `Rabta: you will no longer get messages from ${p.institution}. To get them again, send START and its code.`,
    ur: (p) => `رابطہ: اب آپ کو ${p.institution} کے پیغامات نہیں آئیں گے۔ دوبارہ شروع کرنے کے لیے شروع اور ادارے کا کوڈ بھیجیں۔`,
  },
  'notices-resumed': {
    en: (p) => `Rabta: you will get messages from ${p.institution} again.`,
    ur: (p) => `رابطہ: آپ کو ${p.institution} کے پیغامات دوبارہ آئیں گے۔`,
  },
  'institution-unknown': {
    en: (p) => `Rabta: no institution has the code ${p.code}.`,
    ur: (p) => `رابطہ: ${p.code} کوڈ والا کوئی ادارہ نہیں۔`,
  },
};

export function renderCitizenMessage<K extends CitizenTemplate>(language: Language, template: K, params: CitizenTemplateParams[K]): string {
  return TEXTS[template][language](params);
}
