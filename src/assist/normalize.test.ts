import { describe, expect, it } from 'vitest';
import { normalize, normalizeChars, tokens } from './normalize.js';

describe('normalisation', () => {
  it('folds the Arabic forms of yeh, kaf and heh into the Urdu ones', () => {
    // ي (064A) ى (0649) → ی (06CC); ك (0643) → ک (06A9); ه (0647), ة (0629) → ہ (06C1)
    expect(normalizeChars('\u0643\u0627\u0631\u0688')).toBe('\u06A9\u0627\u0631\u0688');
    expect(normalizeChars('\u0628\u062C\u0644\u064A')).toBe('\u0628\u062C\u0644\u06CC');
    expect(normalizeChars('\u0645\u0633\u062A\u0641\u0649')).toBe('\u0645\u0633\u062A\u0641\u06CC');
    expect(normalizeChars('\u0634\u06A9\u0627\u06CC\u062A \u0627\u0644\u0645\u062F\u064A\u0646\u0629')).toBe('\u0634\u06A9\u0627\u06CC\u062A \u0627\u0644\u0645\u062F\u06CC\u0646\u06C1');
    expect(normalizeChars('\u0645\u0647\u06CC\u0646\u0647')).toBe('\u0645\u06C1\u06CC\u0646\u06C1');
    // the same word typed on an Arabic and on an Urdu keyboard is one word
    expect(normalize('بجلي نهيں')).toBe(normalize('بجلی نہیں'));
  });

  it('drops harakat, the superscript alef and tatweel', () => {
    expect(normalizeChars('پَانِی')).toBe('پانی');
    expect(normalizeChars('بـــجـلی')).toBe('بجلی');
    expect(normalizeChars('زکوٰۃ')).toBe('زکوہ');
    expect(normalizeChars('قِسْط')).toBe('قسط');
  });

  it('writes Urdu and Arabic-Indic digits as ASCII', () => {
    expect(normalizeChars('۱۰۵۰۰')).toBe('10500');
    expect(normalizeChars('٣٥٢٠٢')).toBe('35202');
    expect(normalize('قسط ۸۵۰۰ ملی')).toBe('قسط 8500 ملی');
  });

  it('keeps at most two of a repeated letter, and lower-cases', () => {
    expect(normalizeChars('PLZZZZ Jaldiii')).toBe('plzz jaldii');
    expect(normalizeChars('بہتتتت')).toBe('بہتت');
    // digits are not letters: an amount keeps its zeros
    expect(normalizeChars('10000')).toBe('10000');
  });

  it('folds Roman Urdu spellings into one', () => {
    expect(tokens('bijli nhi h 3 din sy')).toEqual(['bijli', 'nahi', 'hai', '3', 'din', 'se']);
    expect(tokens('nai aya, nahin aaya, nahi aya')).toEqual(['nahi', 'aya', 'nahi', 'aaya', 'nahi', 'aya']);
    expect(normalize('complaint kr di, bht pareshan hain')).toBe('complaint kar di bohat pareshan hain');
    expect(normalize('Paisay nai mile')).toBe(normalize('pese nahi mile'));
    expect(normalize('bjli ka bill')).toBe('bijli ka bill');
  });

  it('treats Urdu punctuation as punctuation and keeps words whole', () => {
    expect(tokens('پانی نہیں آ رہا۔ کب آئے گا؟')).toEqual(['پانی', 'نہیں', 'ا', 'رہا', 'کب', 'ائے', 'گا']);
    expect(tokens('a/c block, B-form')).toEqual(['account', 'block', 'b', 'form']);
  });
});
