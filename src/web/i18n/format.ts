import type { Lang } from './strings.js';

const URDU_DIGITS = '۰۱۲۳۴۵۶۷۸۹';

/**
 * Numbers in the reader's digits: Urdu pages use Extended Arabic-Indic digits
 * (۰–۹) everywhere a number is shown, English pages ASCII. Inputs accept both
 * (consent's asciiDigits normalises what is typed).
 */
export function digits(text: string | number, lang: Lang): string {
  const s = String(text);
  return lang === 'ur' ? s.replace(/[0-9]/g, (d) => URDU_DIGITS[Number(d)] as string) : s;
}

const MONTHS = {
  ur: ['جنوری', 'فروری', 'مارچ', 'اپریل', 'مئی', 'جون', 'جولائی', 'اگست', 'ستمبر', 'اکتوبر', 'نومبر', 'دسمبر'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
} as const;

/** A calendar day in words, in Pakistan time: "1 December 2026" / "۱ دسمبر ۲۰۲۶". */
export function day(iso: string, lang: Lang): string {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number) as [number, number, number];
  return digits(`${d} ${MONTHS[lang][m - 1] ?? ''} ${y}`, lang);
}

/** The calendar day of a moment, in Pakistan time (a deadline). */
export function dayOf(at: string | number, lang: Lang): string {
  return day(new Date(new Date(at).getTime() + 5 * 3_600_000).toISOString(), lang);
}

/** A moment in Pakistan time (UTC+5, no daylight saving): day and hh:mm. */
export function moment(at: string | number, lang: Lang): string {
  const pk = new Date(new Date(at).getTime() + 5 * 3_600_000).toISOString();
  return `${day(pk.slice(0, 10), lang)}، ${digits(pk.slice(11, 16), lang)}`.replace('،', lang === 'ur' ? '،' : ',');
}

/** The month names of both languages: their letters go into the font subset. */
export const MONTH_NAMES: readonly string[] = [...MONTHS.ur, ...MONTHS.en];

/**
 * A text written elsewhere (an institution's notice), made readable here: an
 * ISO date becomes words (in RTL, "2026-12-02" in Urdu digits would show its
 * parts in reverse order), and digits become the reader's.
 */
export function readable(text: string, lang: Lang): string {
  return digits(text.replace(/\b(\d{4}-\d{2}-\d{2})\b/g, (iso) => day(iso, lang)), lang);
}
