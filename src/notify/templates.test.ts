import bidiImport from 'bidi-js';
import type { Bidi } from 'bidi-js';
import { describe, expect, it } from 'vitest';
import type { Language } from '../core/index.js';
import { measureSms } from './encoding.js';
import { renderCitizenMessage } from './templates.js';
import type { CitizenTemplate, CitizenTemplateParams } from './templates.js';

// bidi-js types its CJS build as an ESM default export: under NodeNext the default import is typed as the module.
const bidiFactory = (bidiImport as unknown as { default?: () => Bidi }).default ?? (bidiImport as unknown as () => Bidi);
const bidi = bidiFactory();

/** What the screen shows, left to right, by the Unicode bidi algorithm (paragraph direction from the text). */
function visual(text: string): string {
  const levels = bidi.getEmbeddingLevels(text);
  const chars = [...text];
  // bidi-js works on UTF-16 indices; every character here is in the BMP.
  for (const segment of bidi.getReorderSegments(text, levels)) {
    const [start, end] = segment as [number, number];
    const reversed = chars.slice(start, end + 1).reverse();
    chars.splice(start, end - start + 1, ...reversed);
  }
  return chars.join('').replace(/\u200E/g, '');
}

// The longest real values: the demo catalogue's longest institution names and purposes.
const LONG = {
  ur: { consumer: 'حبیب بینک لمیٹڈ', provider: 'بینظیر انکم سپورٹ پروگرام', institution: 'بینظیر انکم سپورٹ پروگرام', purpose: 'برانچ میں مستحق کی مدد' },
  en: { consumer: 'Habib Bank Limited', provider: 'Benazir Income Support Programme', institution: 'Benazir Income Support Programme', purpose: 'Helping a beneficiary at the branch' },
};
const CNIC = '54400-*****11-2';
const CODE = '482137';
const SHORT = '9988';

function cases(language: Language): { [K in CitizenTemplate]: CitizenTemplateParams[K] } {
  const n = LONG[language];
  const cp = { consumer: n.consumer, purpose: n.purpose, cnic: CNIC };
  return {
    otp: { code: CODE, minutes: '10' },
    'consent-request': { ...cp, provider: n.provider, code: CODE, validUntil: '2026-07-30' },
    'consent-approved': { ...cp, code: CODE },
    'consent-rejected': cp,
    'consent-revoked': cp,
    'consent-expired': cp,
    'consent-code-unknown': { code: CODE },
    'consent-ambiguous': { code: CODE },
    help: {},
    'event-notice': { institution: n.institution, text: language === 'ur' ? 'آپ کی قسط 13500 روپے جاری ہو گئی۔' : 'Your instalment of 13500 rupees is released.' },
    'status-reply': { cnic: CNIC, institution: n.institution, text: language === 'ur' ? 'قسط 13500 روپے جاری۔' : 'Instalment of 13500 rupees released.', date: '2026-07-30' },
    'status-none': { cnic: CNIC },
    'status-unknown': {},
    'notices-stopped': { institution: n.institution },
    'notices-resumed': { institution: n.institution },
    'institution-unknown': { code: 'BISPX' },
    'number-unregistered': {},
  };
}

/** English texts allowed a second GSM-7 part: those that carry two long names or a long name and the reply instructions. */
const EN_TWO_PARTS = new Set<CitizenTemplate>(['consent-request', 'consent-approved', 'consent-revoked', 'notices-stopped', 'status-unknown', 'status-reply']);

describe.each(['ur', 'en'] as const)('every citizen SMS in %s, at the longest real values', (language) => {
  const all = Object.entries(cases(language)) as Array<[CitizenTemplate, CitizenTemplateParams[CitizenTemplate]]>;

  it.each(all)('%s fits its part budget', (template, params) => {
    const text = renderCitizenMessage(language, template, params as never, SHORT);
    const { encoding, parts } = measureSms(text);
    if (language === 'ur') expect(parts).toBeLessThanOrEqual(template === 'consent-request' ? 3 : 2);
    else {
      expect(encoding).toBe('gsm7');
      expect(parts).toBeLessThanOrEqual(EN_TWO_PARTS.has(template) ? 2 : 1);
    }
    expect(text).not.toContain('رابطہ کریں');
    for (const word of ['ڈیٹا', 'سائن اِن', '<کوڈ>', 'کارآمد']) expect(text).not.toContain(word);
  });

  it.each(all)('%s: codes say nobody asks for them; answers name the short code', (template, params) => {
    const text = renderCitizenMessage(language, template, params as never, SHORT);
    if (template === 'otp' || template === 'consent-request') expect(text).toMatch(language === 'ur' ? /کوئی نہیں مانگے گا|کبھی نہیں مانگے گا/ : /never ask|will ever ask/);
    if (['consent-request', 'consent-approved', 'help', 'consent-ambiguous', 'consent-code-unknown', 'status-unknown', 'notices-stopped'].includes(template)) expect(text).toContain(SHORT);
    if (template === 'event-notice' || template === 'status-reply') {
      expect(text).toContain('13,500');
      expect(text).toMatch(language === 'ur' ? /کوئی فیس/ : /No fee/);
    }
    if (template === 'notices-stopped') expect(text).toMatch(language === 'ur' ? /ادائیگی پر کوئی اثر نہیں/ : /payment is not affected/);
  });

  if (language === 'ur') {
    it.each(all)('%s shows CNIC, code, amount and date in reading order', (template, params) => {
      const text = renderCitizenMessage('ur', template, params as never, SHORT);
      const shown = visual(text);
      for (const value of [CNIC, CODE, SHORT, '13,500', '2026', 'BISPX']) {
        if (text.replace(/\u200E/g, '').includes(value)) expect(shown, `${value} in ${template}`).toContain(value);
      }
      if (template === 'consent-request') expect(text).toContain('30 جولائی 2026');
    });
  }
});

describe('what the template set keeps from the notify set it replaced', () => {
  it('never shows a CNIC in full, even when one is given in clear', () => {
    for (const language of ['ur', 'en'] as const) {
      const text = renderCitizenMessage(language, 'consent-rejected', { consumer: 'HBL', purpose: 'support', cnic: '35202-1234567-1' });
      expect(text).not.toContain('1234567');
      expect(text).toContain(language === 'ur' ? '\u200E35202-*****67-1' : '35202-*****67-1');
    }
  });

  it('folds line breaks in the values (a notice rule filled with a multi-line reason)', () => {
    expect(renderCitizenMessage('en', 'event-notice', { institution: 'BISP', text: 'line one\nline two ' })).toBe('BISP: line one line two. No fee or deduction is ever due.');
  });
});
