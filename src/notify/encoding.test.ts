import { describe, expect, it } from 'vitest';
import { chooseEncoding, decodeGsm7, decodeText, decodeUcs2, encodeSms, isGsm7, measureSms, measureUnits, parseUserData, splitText } from './encoding.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const URDU_LETTER = 'ب'; // U+0628

describe('choosing the encoding', () => {
  it('keeps plain English, digits and the GSM specials in GSM-7', () => {
    expect(chooseEncoding('Your Rabta code is 123456.')).toBe('gsm7');
    expect(chooseEncoding('@£$¥ èéùìò Ç Øø Åå Δ_ΦΓΛΩΠΨΣΘΞ ÆæßÉ ¤ ¡ÄÖÑÜ§¿äöñüà')).toBe('gsm7');
    expect(chooseEncoding('{}[]~|^\\€\f')).toBe('gsm7');
  });

  it('sends Urdu, and anything outside the alphabet, as UCS-2', () => {
    expect(chooseEncoding('ہاں 4821')).toBe('ucs2');
    expect(chooseEncoding('don’t')).toBe('ucs2'); // a curly apostrophe
    expect(chooseEncoding('ç')).toBe('ucs2'); // only the capital Ç is in the table
    expect(chooseEncoding('\u001b')).toBe('ucs2'); // the escape is not a character
    expect(isGsm7('')).toBe(true);
  });

  it('counts extension characters as two septets', () => {
    expect(measureUnits('a€b')).toBe(4);
    expect(measureUnits('[x]')).toBe(5);
    expect(measureUnits('ہاں')).toBe(3);
  });
});

describe('GSM-7 octets (unpacked septets)', () => {
  it('maps the basic table and escapes the extension table', () => {
    const { parts, dataCoding, esmClass } = encodeSms('@£$_€ Hi', { reference: 1 });
    expect(dataCoding).toBe(0);
    expect(esmClass).toBe(0);
    expect(hex(parts[0] as Buffer)).toBe('000102111b6520' + '4869');
  });

  it('puts characters where 23.038 puts them', () => {
    const septets = (text: string) => [...(encodeSms(text, { reference: 0 }).parts[0] as Buffer)];
    expect(septets('Ξ\u00c6ÉÄ§¿àÇ\n\r')).toEqual([0x1a, 0x1c, 0x1f, 0x5b, 0x5f, 0x60, 0x7f, 0x09, 0x0a, 0x0d]);
    expect(septets('^{}\\[~]|\f')).toEqual([0x1b, 0x14, 0x1b, 0x28, 0x1b, 0x29, 0x1b, 0x2f, 0x1b, 0x3c, 0x1b, 0x3d, 0x1b, 0x3e, 0x1b, 0x40, 0x1b, 0x0a]);
  });

  it('round-trips every character of both tables', () => {
    const all = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà\f^{}\\[~]|€';
    const encoded = encodeSms(all, { reference: 0, maxParts: 255 });
    expect(encoded.encoding).toBe('gsm7');
    const bodies = encoded.parts.map((p) => (encoded.parts.length > 1 ? p.subarray(6) : p));
    expect(decodeGsm7(Buffer.concat(bodies))).toBe(all);
  });

  it('shows the default character for an escape it does not know, and never crashes on a dangling escape', () => {
    expect(decodeGsm7(Buffer.from([0x1b, 0x41, 0x1b]))).toBe('A');
    expect(decodeGsm7(Buffer.from([0x48, 0x80]))).toBe('H\uFFFD');
  });
});

describe('splitting', () => {
  it('fits 160 septets in one SMS and splits the 161st into 153-septet parts', () => {
    expect(measureSms('a'.repeat(160))).toEqual({ encoding: 'gsm7', units: 160, parts: 1 });
    const two = encodeSms('a'.repeat(161), { reference: 7 });
    expect(two.parts.map((p) => p.length)).toEqual([6 + 153, 6 + 8]);
    expect(two.esmClass).toBe(0x40);
    expect(measureSms('a'.repeat(153 * 3)).parts).toBe(3);
    expect(measureSms('a'.repeat(153 * 3 + 1)).parts).toBe(4);
  });

  it('counts extension characters double when deciding the parts', () => {
    expect(measureSms('€'.repeat(80)).parts).toBe(1);
    expect(measureSms('€'.repeat(81)).parts).toBe(2);
  });

  it('never separates an escape from its character', () => {
    const text = 'a'.repeat(152) + '€' + 'b'.repeat(10);
    const { parts } = splitText(text);
    expect(parts.map((p) => p.length)).toEqual([152, 12]);
    expect(parts[1]?.slice(0, 2)).toEqual([0x1b, 0x65]);
  });

  it('fits 70 UCS-2 characters in one SMS and splits the 71st into 67-character parts', () => {
    expect(measureSms(URDU_LETTER.repeat(70))).toEqual({ encoding: 'ucs2', units: 70, parts: 1 });
    const two = encodeSms(URDU_LETTER.repeat(71), { reference: 200 });
    expect(two.dataCoding).toBe(8);
    expect(two.parts.map((p) => p.length)).toEqual([6 + 67 * 2, 6 + 4 * 2]);
    expect(hex(two.parts[0]?.subarray(0, 8) as Buffer)).toBe('050003c802010628');
    expect(hex(two.parts[1]?.subarray(0, 6) as Buffer)).toBe('050003c80202');
  });

  it('never splits a surrogate pair', () => {
    const text = URDU_LETTER.repeat(66) + '😀' + URDU_LETTER.repeat(5);
    const { parts } = splitText(text);
    expect(parts.map((p) => p.length)).toEqual([66, 7]);
    const encoded = encodeSms(text, { reference: 1 });
    expect(decodeUcs2(Buffer.concat(encoded.parts.map((p) => p.subarray(6))))).toBe(text);
  });

  it('encodes UCS-2 as UTF-16 big-endian', () => {
    expect(hex(encodeSms('ہاں', { reference: 0 }).parts[0] as Buffer)).toBe('06c1062706ba');
  });

  it('refuses texts beyond the allowed number of parts', () => {
    expect(() => encodeSms('a'.repeat(153 * 3 + 1), { reference: 0, maxParts: 3 })).toThrow(/4 SMS parts; at most 3/);
    expect(() => encodeSms(URDU_LETTER.repeat(67 * 255 + 1), { reference: 0 })).toThrow(/at most 255/);
  });

  it('keeps an empty text as one empty SMS', () => {
    expect(encodeSms('', { reference: 0 }).parts).toEqual([Buffer.alloc(0)]);
  });
});

describe('reading message bodies', () => {
  it('finds the concatenation element with an 8-bit or a 16-bit reference', () => {
    expect(parseUserData(Buffer.from('0500030a03026869', 'hex'))).toEqual({ concat: { reference: 10, total: 3, sequence: 2 }, body: Buffer.from('hi') });
    expect(parseUserData(Buffer.from('060804beef02016869', 'hex'))).toEqual({ concat: { reference: 0xbeef, total: 2, sequence: 1 }, body: Buffer.from('hi') });
  });

  it('skips other header elements and ignores nonsense headers', () => {
    // a port-addressing element, then the concatenation element
    expect(parseUserData(Buffer.from('0b050400000000' + '0003010201' + '41', 'hex')).concat).toEqual({ reference: 1, total: 2, sequence: 1 });
    expect(parseUserData(Buffer.from('0500030a03046869', 'hex')).concat).toBeUndefined(); // part 4 of 3
    expect(parseUserData(Buffer.from('ff00', 'hex'))).toEqual({ body: Buffer.from('ff00', 'hex') });
  });

  it('decodes by data_coding', () => {
    expect(decodeText(Buffer.from([0x00, 0x48]), 0)).toBe('@H');
    expect(decodeText(Buffer.from([0x00, 0x48]), 0, 'latin1')).toBe('\u0000H');
    expect(decodeText(Buffer.from('café', 'latin1'), 3)).toBe('café');
    expect(decodeText(Buffer.from('06c1062706ba', 'hex'), 8)).toBe('ہاں');
    expect(decodeText(Buffer.from([1, 2]), 4)).toBeUndefined();
  });
});
