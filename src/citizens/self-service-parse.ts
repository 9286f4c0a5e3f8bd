import { commandKey as key, foldMessage } from '../notify/index.js';

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
