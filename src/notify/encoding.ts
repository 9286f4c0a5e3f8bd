import type { SmsEncoding } from './types.js';

/**
 * How a text becomes SMS parts (3GPP TS 23.038 and 23.040).
 *
 * A text entirely in the GSM 7-bit default alphabet (with its extension table)
 * goes as GSM-7: 160 septets in one SMS, 153 per part when concatenated.
 * Anything else — Urdu above all — goes as UCS-2 (UTF-16BE): 70 code units,
 * 67 per part. Parts carry the 6-byte concatenation header
 * 05 00 03 <ref> <total> <seq>.
 *
 * GSM-7 leaves here UNPACKED: one septet per octet, as SMPP's data_coding 0
 * ("SMSC default alphabet") expects of almost every SMSC; the SMSC packs them
 * for the air interface. That is also why the part limits count septets and
 * not octets: a full part is 6 + 153 = 159 octets in short_message.
 */

export const DATA_CODING = { gsm7: 0x00, ucs2: 0x08 } as const satisfies Record<SmsEncoding, number>;
export const ESM_CLASS_UDHI = 0x40;

export const LIMITS = {
  gsm7: { single: 160, part: 153 },
  ucs2: { single: 70, part: 67 },
} as const satisfies Record<SmsEncoding, { single: number; part: number }>;

/** The 8-bit reference of the concatenation header allows 255 parts at most. */
export const MAX_PARTS = 255;

const ESC = 0x1b;

/** The default alphabet, by septet value; 0x1B is the escape to the extension table, not a character. */
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** The extension table: each of these is sent as ESC followed by its code, so it costs two septets. */
const GSM7_EXTENSION: ReadonlyArray<readonly [string, number]> = [
  ['\f', 0x0a],
  ['^', 0x14],
  ['{', 0x28],
  ['}', 0x29],
  ['\\', 0x2f],
  ['[', 0x3c],
  ['~', 0x3d],
  [']', 0x3e],
  ['|', 0x40],
  ['€', 0x65],
];

const BASIC_ENCODE = new Map<string, number>();
for (let i = 0; i < GSM7_BASIC.length; i++) if (i !== ESC) BASIC_ENCODE.set(GSM7_BASIC[i] as string, i);
const EXTENSION_ENCODE = new Map<string, number>(GSM7_EXTENSION);
const EXTENSION_DECODE = new Map<number, string>(GSM7_EXTENSION.map(([char, code]) => [code, char]));

/**
 * The text as GSM-7 "characters", each one or two septets (an extension
 * character is ESC + code), or undefined if any character is outside the alphabet.
 * Keeping characters whole is what stops a split between ESC and its code.
 */
function gsm7Characters(text: string): number[][] | undefined {
  const characters: number[][] = [];
  for (const char of text) {
    const basic = BASIC_ENCODE.get(char);
    if (basic !== undefined) {
      characters.push([basic]);
      continue;
    }
    const extension = EXTENSION_ENCODE.get(char);
    if (extension === undefined) return undefined;
    characters.push([ESC, extension]);
  }
  return characters;
}

/**
 * The text as UTF-16 code units grouped by code point, so a surrogate pair
 * stays in one part. A lone surrogate is kept as it is (one unit).
 */
function ucs2Characters(text: string): number[][] {
  const characters: number[][] = [];
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      characters.push([unit, next]);
      i++;
    } else {
      characters.push([unit]);
    }
  }
  return characters;
}

export function isGsm7(text: string): boolean {
  return gsm7Characters(text) !== undefined;
}

export function chooseEncoding(text: string): SmsEncoding {
  return isGsm7(text) ? 'gsm7' : 'ucs2';
}

/** Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes. */
export function measureUnits(text: string, encoding: SmsEncoding = chooseEncoding(text)): number {
  if (encoding === 'ucs2') return text.length;
  const characters = gsm7Characters(text);
  if (!characters) throw new Error('measureUnits: the text is not in the GSM 7-bit alphabet');
  return characters.reduce((sum, c) => sum + c.length, 0);
}

/** Greedy split that never breaks a character (escape sequence or surrogate pair) across parts. */
function split(characters: number[][], single: number, part: number): number[][] {
  const total = characters.reduce((sum, c) => sum + c.length, 0);
  if (total <= single) return [characters.flat()];
  const parts: number[][] = [];
  let current: number[] = [];
  for (const character of characters) {
    if (current.length + character.length > part) {
      parts.push(current);
      current = [];
    }
    current.push(...character);
  }
  parts.push(current);
  return parts;
}

export interface SplitText {
  encoding: SmsEncoding;
  /** septets or code units of the whole text */
  units: number;
  /** each part's septets (one per octet) or UTF-16 code units, without any header */
  parts: number[][];
}

export function splitText(text: string): SplitText {
  const gsm = gsm7Characters(text);
  if (gsm) {
    return { encoding: 'gsm7', units: gsm.reduce((s, c) => s + c.length, 0), parts: split(gsm, LIMITS.gsm7.single, LIMITS.gsm7.part) };
  }
  const ucs = ucs2Characters(text);
  return { encoding: 'ucs2', units: text.length, parts: split(ucs, LIMITS.ucs2.single, LIMITS.ucs2.part) };
}

/** What an SMS will cost before it is sent: encoding, length and number of parts. */
export function measureSms(text: string): { encoding: SmsEncoding; units: number; parts: number } {
  const { encoding, units, parts } = splitText(text);
  return { encoding, units, parts: parts.length };
}

export function concatHeader(reference: number, total: number, sequence: number): Buffer {
  return Buffer.from([0x05, 0x00, 0x03, reference & 0xff, total, sequence]);
}

function payloadBytes(encoding: SmsEncoding, units: number[]): Buffer {
  if (encoding === 'gsm7') return Buffer.from(units);
  const bytes = Buffer.alloc(units.length * 2);
  units.forEach((unit, i) => bytes.writeUInt16BE(unit, i * 2));
  return bytes;
}

export interface EncodedSms {
  encoding: SmsEncoding;
  dataCoding: (typeof DATA_CODING)[SmsEncoding];
  /** ESM_CLASS_UDHI when the parts carry a concatenation header, else 0 */
  esmClass: number;
  units: number;
  /** each part's short_message: the header (when concatenated) followed by the payload */
  parts: Buffer[];
}

/**
 * The text as the short_message octets of its parts. `reference` ties the
 * parts together on the phone; callers vary it per message (mod 256).
 */
export function encodeSms(text: string, options: { reference: number; maxParts?: number }): EncodedSms {
  const { encoding, units, parts } = splitText(text);
  const maxParts = Math.min(options.maxParts ?? MAX_PARTS, MAX_PARTS);
  if (parts.length > maxParts) {
    throw new RangeError(`The text needs ${parts.length} SMS parts; at most ${maxParts} are allowed`);
  }
  const concatenated = parts.length > 1;
  return {
    encoding,
    dataCoding: DATA_CODING[encoding],
    esmClass: concatenated ? ESM_CLASS_UDHI : 0,
    units,
    parts: parts.map((part, i) => {
      const payload = payloadBytes(encoding, part);
      return concatenated ? Buffer.concat([concatHeader(options.reference, parts.length, i + 1), payload]) : payload;
    }),
  };
}

/** Unpacked septets (one per octet) to text. */
export function decodeGsm7(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    const septet = bytes[i] as number;
    if (septet > 0x7f) {
      text += '\uFFFD';
    } else if (septet === ESC) {
      const code = bytes[i + 1];
      i++;
      if (code === undefined) break;
      // 23.038: an escape the receiver does not know shows the default-table character.
      text += EXTENSION_DECODE.get(code) ?? (code === ESC || code > 0x7f ? ' ' : (GSM7_BASIC[code] as string));
    } else {
      text += GSM7_BASIC[septet] as string;
    }
  }
  return text;
}

/** UTF-16BE to text; an odd trailing byte is dropped. */
export function decodeUcs2(bytes: Uint8Array): string {
  const units: number[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) units.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  let text = '';
  for (let i = 0; i < units.length; i += 4096) text += String.fromCharCode(...units.slice(i, i + 4096));
  return text;
}

/** The alphabet an SMSC means by data_coding 0 on messages it delivers (some send Latin-1 there). */
export type DefaultAlphabet = 'gsm7' | 'latin1';

/**
 * The text of a message body by its SMPP data_coding, or undefined for codings
 * that carry no text (binary, WAP push and the like).
 */
export function decodeText(bytes: Uint8Array, dataCoding: number, defaultAlphabet: DefaultAlphabet = 'gsm7'): string | undefined {
  switch (dataCoding) {
    case 0x00:
      return defaultAlphabet === 'gsm7' ? decodeGsm7(bytes) : Buffer.from(bytes).toString('latin1');
    case 0x01: // IA5 (ASCII) is Latin-1's first half
    case 0x03:
      return Buffer.from(bytes).toString('latin1');
    case 0x08:
      return decodeUcs2(bytes);
    case 0xf0:
    case 0xf1:
    case 0xf2:
    case 0xf3: // GSM message class with the default alphabet
      return decodeGsm7(bytes);
    default:
      return undefined;
  }
}

export interface Concatenation {
  reference: number;
  total: number;
  sequence: number;
}

export interface UserData {
  /** present when the header carries a concatenation element (8- or 16-bit reference) */
  concat?: Concatenation;
  /** the payload after the header */
  body: Buffer;
}

/**
 * Splits a short_message whose UDHI bit is set into header and payload.
 * A header that runs past the message is treated as no header at all.
 */
export function parseUserData(shortMessage: Buffer): UserData {
  const headerLength = shortMessage[0];
  if (headerLength === undefined || headerLength + 1 > shortMessage.length) return { body: shortMessage };
  const header = shortMessage.subarray(1, headerLength + 1);
  const body = shortMessage.subarray(headerLength + 1);
  let concat: Concatenation | undefined;
  for (let i = 0; i + 1 < header.length; ) {
    const id = header[i] as number;
    const length = header[i + 1] as number;
    const data = header.subarray(i + 2, i + 2 + length);
    if (data.length < length) break;
    if (id === 0x00 && length === 3) {
      concat = { reference: data[0] as number, total: data[1] as number, sequence: data[2] as number };
    } else if (id === 0x08 && length === 4) {
      concat = { reference: data.readUInt16BE(0), total: data[2] as number, sequence: data[3] as number };
    }
    i += 2 + length;
  }
  return concat && concat.total > 0 && concat.sequence > 0 && concat.sequence <= concat.total ? { concat, body } : { body };
}
