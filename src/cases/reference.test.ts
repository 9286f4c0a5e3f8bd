import { describe, expect, it } from 'vitest';
import { RabtaError } from '../core/index.js';
import { checkDigit, checksOut, formatReference, parseReference } from './reference.js';

describe('case references', () => {
  it('are RB-YY-NNNNNN-C with a check digit', () => {
    const reference = formatReference(2026, 4731);
    expect(reference).toMatch(/^RB-26-004731-\d$/);
    expect(parseReference(reference)).toBe(reference);
  });

  it('read what people type: lower case, spaces, no dashes, Urdu and Arabic-Indic digits', () => {
    const reference = formatReference(2026, 4731);
    const digits = reference.replace(/\D/g, '');
    const urdu = [...digits].map((d) => String.fromCharCode(0x06f0 + Number(d))).join('');
    const arabic = [...digits].map((d) => String.fromCharCode(0x0660 + Number(d))).join('');
    for (const typed of [reference.toLowerCase(), `rb ${digits.slice(0, 2)} ${digits.slice(2, 8)} ${digits.slice(8)}`, `RB${digits}`, `RB-${urdu}`, `rb${arabic}`]) {
      expect(parseReference(typed)).toBe(reference);
    }
    expect(parseReference('hello')).toBeUndefined();
    expect(parseReference('RB-26-47-1')).toBeUndefined();
  });

  it('detect every single wrong digit and every swap of neighbouring digits (check digit included)', () => {
    let checked = 0;
    const missed: string[] = [];
    for (let sequence = 0; sequence < 3000; sequence += 7) {
      for (const year of [2026, 2031]) {
        const reference = formatReference(year, sequence);
        const digits = reference.replace(/\D/g, '');
        expect(checksOut(digits)).toBe(true);
        for (let i = 0; i < digits.length; i++) {
          for (let d = 0; d <= 9; d++) {
            if (String(d) === digits[i]) continue;
            const wrong = digits.slice(0, i) + d + digits.slice(i + 1);
            if (checksOut(wrong)) missed.push(`${digits} → ${wrong}`);
            checked++;
          }
          if (i + 1 < digits.length && digits[i] !== digits[i + 1]) {
            const swapped = digits.slice(0, i) + digits[i + 1] + digits[i] + digits.slice(i + 2);
            if (checksOut(swapped)) missed.push(`${digits} → ${swapped}`);
            checked++;
          }
        }
      }
    }
    expect(missed).toEqual([]);
    expect(checked).toBeGreaterThan(70_000);
  });

  it('a typed reference with a wrong check digit is a clear problem, not a missing case', () => {
    const reference = formatReference(2026, 4731);
    const wrong = reference.slice(0, -1) + String((Number(reference.slice(-1)) + 1) % 10);
    expect(() => parseReference(wrong)).toThrowError(RabtaError);
    try {
      parseReference(wrong);
    } catch (error) {
      expect((error as RabtaError).code).toBe('case-reference-invalid');
    }
    expect(checkDigit('26004731')).toBe(reference.slice(-1));
  });
});
