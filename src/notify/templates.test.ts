import { describe, expect, it } from 'vitest';
import { RabtaError } from '../core/index.js';
import { measureSms } from './encoding.js';
import { LANGUAGES, render, TEMPLATE_KEYS, templateParams } from './templates.js';
import type { TemplateKey, TemplateParams } from './templates.js';

const SAMPLES: { [K in TemplateKey]: TemplateParams[K] } = {
  otp: { code: '123456', minutes: 5 },
  'consent-request': { consumer: 'HBL', provider: 'NADRA', purpose: 'account opening', cnic: '35202-1234567-1', code: '4821' },
  'consent-approved': { consumer: 'HBL', purpose: 'account opening', cnic: '3520212345671', code: '4821' },
  'consent-rejected': { consumer: 'HBL', purpose: 'account opening', cnic: '35202-*****67-1' },
  'consent-revoked': { consumer: 'HBL', purpose: 'account opening', cnic: '35202-*****67-1' },
  'consent-expired': { consumer: 'HBL', purpose: 'account opening', cnic: '35202-*****67-1' },
  'consent-code-unknown': { code: '4821' },
  help: {},
  'payment-status': { institution: 'BISP', cnic: '35202-1234567-1', amount: 10500, date: '2025-11-28', status: 'credited' },
  notification: { institution: 'BISP', message: 'Your survey visit is on 2 December.' },
};

const ARABIC_SCRIPT = /[\u0600-\u06FF]/;

describe('templates', () => {
  it('has every key in both languages, and each renders', () => {
    expect(TEMPLATE_KEYS.sort()).toEqual(Object.keys(SAMPLES).sort());
    for (const key of TEMPLATE_KEYS) {
      const ur = render(key, 'ur', SAMPLES[key] as never);
      const en = render(key, 'en', SAMPLES[key] as never);
      expect(ur, key).toMatch(ARABIC_SCRIPT);
      expect(en, key).not.toMatch(ARABIC_SCRIPT);
      expect(ur).not.toBe(en);
    }
    expect(LANGUAGES).toEqual(['ur', 'en']);
  });

  it('keeps English in the GSM 7-bit alphabet and short; Urdu goes as UCS-2', () => {
    for (const key of TEMPLATE_KEYS) {
      const en = measureSms(render(key, 'en', SAMPLES[key] as never));
      const ur = measureSms(render(key, 'ur', SAMPLES[key] as never));
      expect(en.encoding, key).toBe('gsm7');
      expect(ur.encoding, key).toBe('ucs2');
      expect(en.parts, key).toBeLessThanOrEqual(2);
      expect(ur.parts, key).toBeLessThanOrEqual(3);
    }
    // the most sent text fits one SMS even with a 10-minute life
    expect(measureSms(render('otp', 'en', { code: '123456', minutes: 10 })).parts).toBe(1);
    expect(measureSms(render('otp', 'ur', { code: '123456', minutes: 10 })).parts).toBe(1);
  });

  it('words the sign-in code as Pakistani SMS do', () => {
    expect(render('otp', 'ur', { code: '123456', minutes: 5 })).toBe('آپ کا رابطہ کوڈ 123456 ہے۔ یہ 5 منٹ میں ختم ہو گا۔ کسی کو نہ بتائیں۔');
    expect(render('otp', 'en', { code: '123456', minutes: '5' })).toBe('Your Rabta code is 123456. It expires in 5 minutes. Do not share it with anyone.');
  });

  it('tells the citizen how to answer a consent request in their script', () => {
    const ur = render('consent-request', 'ur', SAMPLES['consent-request']);
    expect(ur).toContain('ہاں 4821');
    expect(ur).toContain('نہیں 4821');
    expect(ur).toContain('HBL');
    const en = render('consent-request', 'en', SAMPLES['consent-request']);
    expect(en).toContain('HAAN 4821');
    expect(en).toContain('NAHI 4821');
    expect(en).toContain('account opening');
  });

  it('never shows a CNIC in full, and keeps it readable inside Urdu', () => {
    for (const key of TEMPLATE_KEYS) {
      for (const language of LANGUAGES) {
        const text = render(key, language, SAMPLES[key] as never);
        expect(text, `${key}/${language}`).not.toMatch(/1234567|3520212345671/);
        if (templateParams(key).includes('cnic')) {
          expect(text).toContain('35202-*****67-1');
          // in Urdu a left-to-right mark keeps the masked number in one piece
          if (language === 'ur') expect(text).toContain('\u200E35202-*****67-1');
        }
      }
    }
  });

  it('writes rupees with thousands separators and dates as DD-MM-YYYY (Pakistan time)', () => {
    const en = render('payment-status', 'en', { ...SAMPLES['payment-status'], amount: '1250000' });
    expect(en).toBe('Rabta: BISP payment of Rs 1,250,000 for CNIC 35202-*****67-1 was credited to your account on 28-11-2025.');
    const late = render('payment-status', 'ur', { ...SAMPLES['payment-status'], date: new Date('2025-11-27T20:00:00Z'), status: 'pending' });
    expect(late).toContain('28-11-2025');
    expect(late).toContain('10,500 روپے');
    expect(render('payment-status', 'en', { ...SAMPLES['payment-status'], status: 'failed' })).toContain('could not be made on 28-11-2025');
  });

  it('refuses to render with a parameter missing or malformed', () => {
    const missing = () => render('otp', 'en', { code: '123456' } as never);
    expect(missing).toThrow(RabtaError);
    expect(missing).toThrow(/needs the parameter "minutes"/);
    expect(() => render('consent-request', 'ur', { ...SAMPLES['consent-request'], code: ' ' })).toThrow(/"code"/);
    expect(() => render('payment-status', 'en', { ...SAMPLES['payment-status'], status: 'lost' as never })).toThrow(/status/);
    expect(() => render('payment-status', 'en', { ...SAMPLES['payment-status'], amount: 'ten' })).toThrow(/amount/);
    expect(() => render('payment-status', 'en', { ...SAMPLES['payment-status'], date: '28/11/2025' })).toThrow(/date/);
    expect(() => render('nope' as TemplateKey, 'en', {} as never)).toThrow(/No SMS template/);
    expect(() => render('help', 'fr' as never, {})).toThrow(/language/);
  });

  it('folds line breaks in free-text parameters', () => {
    expect(render('notification', 'en', { institution: 'BISP', message: 'line one\nline two ' })).toBe('Rabta (BISP): line one line two');
  });
});
