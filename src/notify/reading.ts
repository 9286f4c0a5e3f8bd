/**
 * How the texts citizens send are read. Phones in Pakistan type Urdu
 * (Extended Arabic-Indic, ۰–۹) or Arabic-Indic (٠–٩) digits as readily as
 * ASCII ones; a code means the same in any of them.
 */
export function asciiDigits(text: string): string {
  return text.replace(/[\u06F0-\u06F9\u0660-\u0669]/g, (d) => {
    const code = d.charCodeAt(0);
    return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
  });
}

/**
 * Urdu is typed with whichever Arabic-script keyboard the phone has: heh,
 * yeh and kaf arrive in Arabic or Urdu forms, noon ghunna as plain noon,
 * with stray diacritics and direction marks. All of them fold to one spelling.
 */
export function foldUrdu(text: string): string {
  return text
    .replace(/[\u200B-\u200F\u202A-\u202E\u2066-\u2069\u061C\uFEFF\u064B-\u065F\u0670]/g, '')
    .replace(/[\u0647\u06BE\u06C0\u06D5\u0629]/g, '\u06C1')
    .replace(/[\u064A\u0649\u06D0\u06D2]/g, '\u06CC')
    .replace(/\u0643/g, '\u06A9')
    .replace(/\u06BA/g, '\u0646')
    .replace(/\u0622/g, '\u0627');
}

/** A whole message as commands are matched: folded, any digits ASCII, lower case, single spaces, no closing punctuation. */
export function foldMessage(text: string): string {
  return foldUrdu(asciiDigits(text.normalize('NFC')))
    .toLowerCase()
    .replace(/[\s\u00A0]+/g, ' ')
    .trim()
    .replace(/[.!?؟۔،,]+$/u, '')
    .trim();
}

/** One command word or phrase as a table key: folded, lower case, spaces removed (`han ji` = `hanji`). */
export const commandKey = (word: string) => foldUrdu(word.normalize('NFC')).toLowerCase().replace(/\s+/g, '');
