import { RabtaError } from '../core/index.js';

/**
 * A case reference a person can read aloud and type on a keypad:
 * `RB-26-004731-7` = prefix, two-digit year, a yearly sequence of at least six
 * digits, and a check digit. The check digit is Damm's (a totally
 * anti-symmetric quasigroup of order 10), which catches every single wrong
 * digit and every swap of two neighbouring digits, the check digit included —
 * the two mistakes people make most when copying a number — and needs no
 * letter, so it is typed on the digit keys alone.
 */
const DAMM: readonly (readonly number[])[] = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

function interim(digits: string): number {
  let state = 0;
  for (const ch of digits) state = (DAMM[state] as readonly number[])[ch.charCodeAt(0) - 48] as number;
  return state;
}

/** The check digit of a string of ASCII digits. */
export function checkDigit(digits: string): string {
  if (!/^\d+$/.test(digits)) throw new RangeError('a check digit is computed over digits');
  return String(interim(digits));
}

/** Whether digits followed by their check digit are consistent. */
export function checksOut(digitsWithCheck: string): boolean {
  return /^\d{2,}$/.test(digitsWithCheck) && interim(digitsWithCheck) === 0;
}

export function formatReference(year: number, sequence: number): string {
  const yy = String(year % 100).padStart(2, '0');
  const seq = String(sequence).padStart(6, '0');
  return `RB-${yy}-${seq}-${checkDigit(yy + seq)}`;
}

const EASTERN = /[\u0660-\u0669\u06F0-\u06F9]/g;

/**
 * What a person typed, read as a reference: any case, spaces or dashes or
 * none, Arabic-Indic or Urdu digits. Returns the canonical form, `undefined`
 * when the text does not look like a reference at all, and throws
 * `case-reference-invalid` when it looks like one whose check digit is wrong.
 */
export function parseReference(text: string): string | undefined {
  const folded = text
    .normalize('NFKC')
    .replace(EASTERN, (d) => String((d.charCodeAt(0) & 0xf) % 10))
    .toUpperCase()
    .replace(/[\s\u00A0._/-]+/g, '');
  const match = /^RB(\d{2})(\d{6,7})(\d)$/.exec(folded);
  if (!match) return undefined;
  const [, yy, seq, check] = match as unknown as [string, string, string, string];
  if (!checksOut(yy + seq + check)) {
    throw new RabtaError('case-reference-invalid', `${text.trim()} is not a valid case reference: its last digit does not match (a digit was mistyped or two were swapped)`);
  }
  return `RB-${yy}-${seq}-${check}`;
}

/** The reference's year and sequence (for tests and the bench's bulk rows). */
export function referenceParts(reference: string): { yy: string; sequence: number } {
  const [, yy, seq] = reference.split('-') as [string, string, string];
  return { yy, sequence: Number(seq) };
}
