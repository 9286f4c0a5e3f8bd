import { commandKey as key, foldMessage } from '../notify/index.js';
import type { CitizenAction } from './lifecycle.js';

export interface SmsCommand {
  action: CitizenAction;
  code: string;
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

const KEYWORDS: Record<string, CitizenAction> = Object.fromEntries(
  (Object.entries(ACCEPTED_REPLIES) as Array<[CitizenAction, readonly string[]]>).flatMap(([action, words]) => words.map((w) => [key(w), action])),
);
const AMBIGUOUS = new Set(AMBIGUOUS_REPLIES.map(key));

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
