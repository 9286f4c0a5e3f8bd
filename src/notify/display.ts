import type { Language } from '../core/index.js';

/**
 * U+200E before every left-to-right run inside Urdu (CNIC, amount, code,
 * date digits, Latin name): without it `54400-*****11-2` shows as
 * `2-11*****-54400`. A mark, not an isolate (U+2066/9), which older
 * handsets show as boxes.
 */
export const LRM = '\u200E';
export const ltr = (value: string) => `${LRM}${value}`;
/** a name that may be Latin (an id used when no Urdu name is known) */
export const nameUr = (value: string) => (/[A-Za-z0-9]/.test(value) ? ltr(value) : value);
/** a mark before every run of digits not already marked (free text inside Urdu: a notice, a reason) */
export const markDigits = (text: string) => text.replace(/(?<![\u200E\d,-])(\d[\d,-]*)/gu, `${LRM}$1`);

const MONTHS_UR = ['جنوری', 'فروری', 'مارچ', 'اپریل', 'مئی', 'جون', 'جولائی', 'اگست', 'ستمبر', 'اکتوبر', 'نومبر', 'دسمبر'];
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-07-30` as "30 جولائی 2026" / "30 Jul 2026" (without the year: "30 جولائی"); anything else as it came. */
export function displayDate(language: Language, iso: string, options: { year?: boolean } = {}): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!match) return language === 'ur' ? nameUr(iso) : iso;
  const [, year, month, day] = match;
  const names = language === 'ur' ? MONTHS_UR : MONTHS_EN;
  // Digits keep their order in Urdu without a mark; "30 جولائی 2026" reads right to left as Urdu does.
  return `${Number(day)} ${names[Number(month) - 1] ?? month}${options.year === false ? '' : ` ${year}`}`;
}

/** Pakistan has kept UTC+5 all year since 2009. */
const PKT_MS = 5 * 3600_000;

/**
 * A deadline (an instant, ISO) as its day in Pakistan, without year or
 * time: "30 جولائی" / "30 Jul". A case's deadlines are days or weeks away,
 * and the hour of a working-day count says nothing to the citizen; the year
 * and time would cost a UCS-2 part.
 */
export function displayDeadline(language: Language, iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return displayDate(language, iso);
  return displayDate(language, new Date(ms + PKT_MS).toISOString(), { year: false });
}

/** A sentence ended with a full stop ("." or "۔") unless it already ends with one (or with "...", "?", "!"). */
export function endSentence(text: string, language: Language): string {
  return /[.۔!?؟]$/u.test(text) ? text : `${text}${language === 'ur' ? '۔' : '.'}`;
}

/** 13500 → "13,500", inside any text (amounts in notices); codes and CNICs are never 5+ bare digits with a unit. */
export function groupAmounts(text: string): string {
  return text.replace(/(?<![\d-])(?:(?<=(?:Rs\.?|روپے)\s?)\d{4,9}|\d{4,9}(?=\s*(?:روپے|rupees|Rs)))(?![\d-])/giu, (digits) => Number(digits).toLocaleString('en-US'));
}

/**
 * Free text of an institution (a rejection's reason, a resolution's note)
 * cut to `max` characters at a word, so one reason cannot turn a text into
 * eight parts; the rest is on the citizen's case page. "..." not "…",
 * which is not in GSM-7 and would make an English text UCS-2.
 */
export function clip(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const head = chars.slice(0, max - 3).join('');
  const atWord = head.replace(/\s+\S*$/u, '');
  return `${(atWord.length >= head.length / 2 ? atWord : head).trimEnd()}...`;
}
