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
// A case: its reference, the demo's longest lead member id, a deadline (17:00 in Pakistan) and a reason at its limit.
const REFERENCE = 'RB-26-004731-7';
const LEAD = 'PK/PROV/HEALTH-BA';
const DUE = '2026-07-30T12:00:00.000Z';
/** a rejection's reason may have 500 characters (a resolution's note 300); the template cuts both to CASE_REASON_MAX */
const REASON = {
  ur: 'آپ کا نام 2025 کے سروے میں اہل افراد کی فہرست میں شامل نہیں، اس لیے یہ ادائیگی آپ کو نہیں ہو سکتی۔ '.repeat(6).slice(0, 500),
  en: 'Your name is not on the list of eligible households of the 2025 survey, so this payment cannot be made to you. '.repeat(5).slice(0, 500),
};
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
    // The longest state name, with a lead and a deadline; a rejected case's reason is a variant below.
    'case-opened': { reference: REFERENCE, lead: LEAD, due: DUE },
    'case-state': { reference: REFERENCE, state: 'reopened', lead: LEAD, due: DUE, reason: '' },
    'case-confirm': { reference: REFERENCE, lead: LEAD, note: REASON[language].slice(0, 300) },
    'case-closed': { reference: REFERENCE },
    'case-rated': { reference: REFERENCE, score: '5' },
    'case-reopened': { reference: REFERENCE, due: DUE },
    'case-rejected': { reference: REFERENCE, reason: REASON[language] },
    'case-not-yours': { reference: REFERENCE },
    'case-bad-reference': { text: 'RB-26-0047310-8 ye meri shikayat' },
    'case-unknown-reference': { reference: REFERENCE },
    'case-nothing-to-confirm': {},
    'case-too-long': { max: '4000' },
    'case-empty': {},
  };
}

/** Templates measured a second time, at other values that make them long. */
function variants(language: Language): Array<[CitizenTemplate, CitizenTemplateParams[CitizenTemplate]]> {
  return [['case-state', { reference: REFERENCE, state: 'rejected', lead: LEAD, due: '', reason: REASON[language] }]];
}

/** English texts allowed a second GSM-7 part: those that carry two long names or a long name and the reply instructions. */
const EN_TWO_PARTS = new Set<CitizenTemplate>(['consent-request', 'consent-approved', 'consent-revoked', 'notices-stopped', 'status-unknown', 'status-reply', 'case-confirm', 'case-rejected', 'case-state']);
/** Urdu texts allowed a third UCS-2 part: the consent request (its date) and a resolution (its note and the answer asked). */
const UR_THREE_PARTS = new Set<CitizenTemplate>(['consent-request', 'case-confirm']);
/** Texts that expect an answer, which must say where to send it. */
const ANSWERED = ['consent-request', 'consent-approved', 'help', 'consent-ambiguous', 'consent-code-unknown', 'status-unknown', 'notices-stopped', 'case-opened', 'case-confirm', 'case-closed', 'case-bad-reference', 'case-nothing-to-confirm', 'case-empty'];

describe.each(['ur', 'en'] as const)('every citizen SMS in %s, at the longest real values', (language) => {
  const all = [...(Object.entries(cases(language)) as Array<[CitizenTemplate, CitizenTemplateParams[CitizenTemplate]]>), ...variants(language)];

  it.each(all)('%s fits its part budget', (template, params) => {
    const text = renderCitizenMessage(language, template, params as never, SHORT);
    const { encoding, parts } = measureSms(text);
    if (language === 'ur') expect(parts).toBeLessThanOrEqual(UR_THREE_PARTS.has(template) ? 3 : 2);
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
    if (ANSWERED.includes(template)) expect(text).toContain(SHORT);
    if (template === 'event-notice' || template === 'status-reply') {
      expect(text).toContain('13,500');
      expect(text).toMatch(language === 'ur' ? /کوئی فیس/ : /No fee/);
    }
    if (template === 'notices-stopped') expect(text).toMatch(language === 'ur' ? /ادائیگی پر کوئی اثر نہیں/ : /payment is not affected/);
  });

  if (language === 'ur') {
    it.each(all)('%s shows CNIC, code, amount, date, case reference and reply digits in reading order', (template, params) => {
      const text = renderCitizenMessage('ur', template, params as never, SHORT);
      const shown = visual(text);
      for (const value of [CNIC, CODE, SHORT, '13,500', '2026', 'BISPX', REFERENCE, LEAD, '17:00', '1 5', '4000', 'RB-26-0047310-8']) {
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

describe('the case texts', () => {
  it('cut an institution\'s long reason at a word, and keep a short one whole', () => {
    const cut = renderCitizenMessage('en', 'case-rejected', { reference: REFERENCE, reason: REASON.en });
    expect(cut).toMatch(/ \S+\.\.\.$/);
    expect(cut.length).toBeLessThan(REASON.en.length);
    expect(renderCitizenMessage('ur', 'case-rejected', { reference: REFERENCE, reason: 'دستاویز نامکمل۔' })).toBe(`رابطہ: شکایت \u200E${REFERENCE} مسترد کر دی گئی۔ وجہ: دستاویز نامکمل۔`);
    expect(renderCitizenMessage('en', 'case-state', { reference: REFERENCE, state: 'rejected', lead: '', due: '', reason: 'Incomplete papers' })).toBe(`Rabta: case ${REFERENCE}: rejected. Reason: Incomplete papers.`);
  });

  it('show a deadline as its day in Pakistan (UTC+5)', () => {
    const late = renderCitizenMessage('ur', 'case-reopened', { reference: REFERENCE, due: '2026-07-30T20:00:00.000Z' });
    expect(late).toContain('مقررہ تاریخ 31 جولائی');
    expect(renderCitizenMessage('en', 'case-opened', { reference: REFERENCE, lead: '', due: '2026-07-30T12:00:00.000Z' })).toBe(`Rabta: your complaint is registered. Reference ${REFERENCE}, due 30 Jul. Text the reference to 9988 to hear its state.`);
  });

  it('name a state they do not know by its key rather than fail', () => {
    expect(renderCitizenMessage('en', 'case-state', { reference: REFERENCE, state: 'on-hold', lead: LEAD, due: '', reason: '' })).toBe(`Rabta: case ${REFERENCE}: on-hold, with ${LEAD}.`);
  });
});
