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

const KEYWORDS: Record<string, CitizenAction> = {
  haan: 'approve',
  han: 'approve',
  haa: 'approve',
  haanji: 'approve',
  yes: 'approve',
  nahi: 'reject',
  nahin: 'reject',
  nahee: 'reject',
  nai: 'reject',
  no: 'reject',
  wapis: 'revoke',
  wapas: 'revoke',
  withdraw: 'revoke',
  [foldUrdu('ہاں')]: 'approve',
  [foldUrdu('ہاں جی')]: 'approve',
  [foldUrdu('جی ہاں')]: 'approve',
  [foldUrdu('نہیں')]: 'reject',
  [foldUrdu('نہی')]: 'reject',
  [foldUrdu('واپس')]: 'revoke',
};

/**
 * `HAAN 4821`, `nahi  ۴۸۲۱`, `ہاں ۴۸۲۱`, `WAPIS-4821`: a keyword and a 4–6
 * digit code, in any case, with any spacing and any of the three digit sets.
 * Anything else is not a command (the sender gets the help text).
 */
export function parseSmsCommand(text: string): SmsCommand | undefined {
  const folded = foldUrdu(asciiDigits(text.normalize('NFC')))
    .toLowerCase()
    .replace(/[\s\u00A0]+/g, ' ')
    .trim()
    .replace(/[.!۔،,]+$/u, '');
  const match = /^(.+?)[\s:#.,-]*(\d{4,6})$/u.exec(folded);
  if (!match) return undefined;
  const keyword = (match[1] as string).replace(/[\s:#.,-]+$/u, '').trim();
  const action = KEYWORDS[keyword] ?? KEYWORDS[keyword.replace(/ /g, '')];
  return action ? { action, code: match[2] as string } : undefined;
}

export type SelfServiceCommand =
  | { kind: 'status'; cnic?: string }
  | { kind: 'stop'; institution: string }
  | { kind: 'start'; institution: string };

const STATUS_WORDS = new Set(['status', 'halat', 'haalat', 'halaat', 'halat?', foldUrdu('حالت'), foldUrdu('حالات')]);
const STOP_WORDS = new Set(['stop', 'band', foldUrdu('بند')]);
const START_WORDS = new Set(['start', 'shuru', 'chalu', foldUrdu('شروع'), foldUrdu('چالو')]);

/**
 * The citizen's own questions, as people already text 8171: `STATUS`,
 * `halat`, `حالت`, or just the CNIC (with or without dashes, any digits),
 * optionally after the keyword; `BAND BISP` / `بند BISP` stops an
 * institution's messages and `SHURU BISP` starts them again.
 */
export function parseSelfService(text: string): SelfServiceCommand | undefined {
  const folded = foldUrdu(asciiDigits(text.normalize('NFC')))
    .toLowerCase()
    .replace(/[\s\u00A0]+/g, ' ')
    .trim()
    .replace(/[.!?۔،؟,]+$/u, '');
  const cnicOnly = /^(\d{5})[\s-]?(\d{7})[\s-]?(\d)$/.exec(folded);
  if (cnicOnly) return { kind: 'status', cnic: `${cnicOnly[1]}-${cnicOnly[2]}-${cnicOnly[3]}` };
  const [word = '', ...rest] = folded.split(' ');
  const argument = rest.join(' ').trim();
  if (STATUS_WORDS.has(word)) {
    if (argument === '') return { kind: 'status' };
    const cnic = /^(\d{5})[\s-]?(\d{7})[\s-]?(\d)$/.exec(argument);
    return cnic ? { kind: 'status', cnic: `${cnic[1]}-${cnic[2]}-${cnic[3]}` } : undefined;
  }
  const institution = /^[a-z][a-z0-9-]{1,31}$/.test(argument) ? argument.toUpperCase() : undefined;
  if (institution && STOP_WORDS.has(word)) return { kind: 'stop', institution };
  if (institution && START_WORDS.has(word)) return { kind: 'start', institution };
  return undefined;
}
