import { asciiDigits } from './digits.js';
import type { CitizenAction } from './lifecycle.js';

export interface SmsCommand {
  action: CitizenAction;
  code: string;
}

/**
 * Urdu is typed with whichever Arabic-script keyboard the phone has: heh,
 * yeh and kaf arrive in Arabic or Urdu forms, noon ghunna as plain noon,
 * with stray diacritics and direction marks. All of them fold to one spelling.
 */
function foldUrdu(text: string): string {
  return text
    .replace(/[\u200B-\u200F\u202A-\u202E\u2066-\u2069\u061C\uFEFF\u064B-\u065F\u0670]/g, '')
    .replace(/[\u0647\u06BE\u06C0\u06D5\u0629]/g, '\u06C1')
    .replace(/[\u064A\u0649\u06D0\u06D2]/g, '\u06CC')
    .replace(/\u0643/g, '\u06A9')
    .replace(/\u06BA/g, '\u0646')
    .replace(/\u0622/g, '\u0627');
}

/**
 * The accepted forms of an answer, as people really type them (Roman Urdu,
 * Urdu script, English). Each one has a test in sms-parse.test.ts; add a
 * form here and there together. Keys are compared folded, lower case, with
 * spaces removed, so `han ji`, `hanji` and `Han Ji` are one entry.
 */
export const ACCEPTED_REPLIES: Readonly<Record<CitizenAction, readonly string[]>> = {
  approve: ['haan', 'han', 'haa', 'ha', 'hn', 'haanji', 'hanji', 'han ji', 'ji haan', 'ji han', 'yes', 'ہاں', 'ہا', 'ہاں جی', 'جی ہاں'],
  reject: ['nahi', 'nahin', 'nahee', 'nai', 'nhi', 'na', 'nae', 'ji nahi', 'nahi ji', 'no', 'نہیں', 'نہی', 'جی نہیں', 'نہیں جی', 'نہ', 'نئیں'],
  revoke: ['wapis', 'wapas', 'wapsi', 'withdraw', 'واپس', 'واپسی', 'ختم'],
};

/** Yes to a question, or just "I got it": never taken as consent, answered with a question. */
export const AMBIGUOUS_REPLIES: readonly string[] = ['ji', 'g', 'jee', 'ok', 'okay', 'theek', 'جی', 'اوکے', 'ٹھیک'];

const key = (word: string) => foldUrdu(word.normalize('NFC')).toLowerCase().replace(/\s+/g, '');

const KEYWORDS: Record<string, CitizenAction> = Object.fromEntries(
  (Object.entries(ACCEPTED_REPLIES) as Array<[CitizenAction, readonly string[]]>).flatMap(([action, words]) => words.map((w) => [key(w), action])),
);
const AMBIGUOUS = new Set(AMBIGUOUS_REPLIES.map(key));

function foldMessage(text: string): string {
  return foldUrdu(asciiDigits(text.normalize('NFC')))
    .toLowerCase()
    .replace(/[\s\u00A0]+/g, ' ')
    .trim()
    .replace(/[.!?؟۔،,]+$/u, '')
    .trim();
}

const SEPARATORS = '[\\s:#.,،-]*';
const KEYWORD_THEN_CODE = new RegExp(`^(.+?)${SEPARATORS}(\\d{4,6})$`, 'u');
const CODE_THEN_KEYWORD = new RegExp(`^(\\d{4,6})${SEPARATORS}(.+)$`, 'u');

function keywordAndCode(folded: string): { word: string; code: string } | undefined {
  const first = KEYWORD_THEN_CODE.exec(folded);
  if (first) return { word: key((first[1] as string).replace(/[\s:#.,،-]+$/u, '')), code: first[2] as string };
  const last = CODE_THEN_KEYWORD.exec(folded);
  if (last) return { word: key((last[2] as string).replace(/^[\s:#.,،-]+/u, '')), code: last[1] as string };
  return undefined;
}

/**
 * `HAAN 4821`, `nahi  ۴۸۲۱`, `ہاں،۴۸۲۱`, `4821 haan`, `WAPIS-4821?`: one of
 * the accepted forms and a 4–6 digit code, either order, in any case, with any
 * spacing and any of the three digit sets. Anything else is not a command
 * (the sender gets the help text).
 */
export function parseSmsCommand(text: string): SmsCommand | undefined {
  const parsed = keywordAndCode(foldMessage(text));
  const action = parsed ? KEYWORDS[parsed.word] : undefined;
  return parsed && action ? { action, code: parsed.code } : undefined;
}

/**
 * `ji 4821`, `ok`, `G`: a reply that may mean yes or only "received". It is
 * never consent; the answer asks which one she meant. Returns the code if one
 * came with it ('' if none), undefined if the text is not such a reply.
 */
export function parseAmbiguousReply(text: string): string | undefined {
  const folded = foldMessage(text);
  if (AMBIGUOUS.has(key(folded))) return '';
  const parsed = keywordAndCode(folded);
  return parsed && AMBIGUOUS.has(parsed.word) ? parsed.code : undefined;
}

export type SelfServiceCommand =
  | { kind: 'status'; cnic?: string }
  /** institution: a code (`BISP`), `*` for every institution, or an Urdu name as typed (folded) */
  | { kind: 'stop'; institution: string }
  | { kind: 'start'; institution: string };

const STATUS_WORDS = new Set(
  ['status', 'halat', 'haalat', 'halaat', 'hallat', 'paisay', 'paise', 'paisa', 'raqam', 'kafalat', 'حالت', 'حالات', 'اسٹیٹس', 'سٹیٹس', 'رقم', 'کفالت', 'پیسے'].map(key),
);
const STOP_WORDS = new Set(['stop', 'band', 'band karo', 'bund', 'بند', 'بند کرو', 'بند کریں'].map(key));
const START_WORDS = new Set(['start', 'shuru', 'chalu', 'shuru karo', 'شروع', 'چالو', 'شروع کرو', 'شروع کریں'].map(key));

/** Latin letters as Urdu writes their names: `بی آئی ایس پی` is BISP. */
const LETTER_NAMES: Record<string, string> = Object.fromEntries(
  Object.entries({
    اے: 'A', بی: 'B', سی: 'C', ڈی: 'D', ای: 'E', ایف: 'F', جی: 'G', ایچ: 'H', آئی: 'I', جے: 'J', کے: 'K', ایل: 'L', ایم: 'M',
    این: 'N', او: 'O', پی: 'P', کیو: 'Q', آر: 'R', ایس: 'S', ٹی: 'T', یو: 'U', وی: 'V', ڈبلیو: 'W', ایکس: 'X', وائی: 'Y', زیڈ: 'Z',
  }).map(([name, letter]) => [key(name), letter]),
);

function institutionOf(argument: string): string | undefined {
  if (/^[a-z][a-z0-9-]{1,31}$/.test(argument)) return argument.toUpperCase();
  const words = argument.split(' ').filter((w) => w !== '');
  if (words.length === 0) return undefined;
  const spelled = words.map((w) => LETTER_NAMES[w]);
  if (spelled.every((l) => l !== undefined)) return spelled.join('');
  // An Urdu name as typed (بینظیر انکم سپورٹ پروگرام): matched against the registry's Urdu names.
  return /^[\u0600-\u06FF ]{2,80}$/u.test(argument) ? key(argument) : undefined;
}

/**
 * The citizen's own questions, as people already text 8171: `STATUS`,
 * `halat`, `رقم`, `paisay`, or just the CNIC (with or without dashes, any
 * digits), optionally after the keyword; `BAND BISP` / `بند بی آئی ایس پی`
 * stops an institution's messages, `BAND` or `STOP` alone stops all of them,
 * and `SHURU BISP` starts them again.
 */
export function parseSelfService(text: string): SelfServiceCommand | undefined {
  const folded = foldMessage(text);
  const cnicOnly = /^(\d{5})[\s-]?(\d{7})[\s-]?(\d)$/.exec(folded);
  if (cnicOnly) return { kind: 'status', cnic: `${cnicOnly[1]}-${cnicOnly[2]}-${cnicOnly[3]}` };
  const words = folded.split(' ');
  // The longest command word first: `band karo bisp` is BAND with BISP, not BAND with "karo bisp".
  for (const length of [2, 1]) {
    const word = key(words.slice(0, length).join(' '));
    if (words.length < length) continue;
    const argument = words.slice(length).join(' ').trim();
    if (STATUS_WORDS.has(word)) {
      if (argument === '') return { kind: 'status' };
      const cnic = /^(\d{5})[\s-]?(\d{7})[\s-]?(\d)$/.exec(argument);
      return cnic ? { kind: 'status', cnic: `${cnic[1]}-${cnic[2]}-${cnic[3]}` } : undefined;
    }
    const kind = STOP_WORDS.has(word) ? 'stop' : START_WORDS.has(word) ? 'start' : undefined;
    if (!kind) continue;
    if (argument === '') return { kind, institution: '*' };
    const institution = institutionOf(argument);
    return institution ? { kind, institution } : undefined;
  }
  return undefined;
}
