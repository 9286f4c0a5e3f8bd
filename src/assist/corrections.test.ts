import { describe, expect, it } from 'vitest';
import { arraySource, exportCorrections, guessLang, maskPersonalDetails } from './corrections.js';

describe('personal details in corrections', () => {
  it('masks CNICs with and without dashes', () => {
    expect(maskPersonalDetails('mera cnic 35202-1234567-1 hai')).toBe('mera cnic [CNIC] hai');
    expect(maskPersonalDetails('CNIC 3520212345671 blocked')).toBe('CNIC [CNIC] blocked');
  });

  it('masks mobile and landline numbers, e-mail addresses, IBANs and long account numbers', () => {
    expect(maskPersonalDetails('call me 0300-1234567 or +92 321 7654321')).toBe('call me [PHONE] or [PHONE]');
    expect(maskPersonalDetails('landline 042-35761234')).toBe('landline [PHONE]');
    expect(maskPersonalDetails('mail aslam.khan@example.pk')).toBe('mail [EMAIL]');
    expect(maskPersonalDetails('IBAN PK36SCBL0000001123456702 frozen')).toBe('IBAN [ACCOUNT] frozen');
    expect(maskPersonalDetails('account 0012 3456 7890 12 debited')).toBe('account [NUMBER] debited');
  });

  it('keeps amounts, dates and reference numbers short enough to be no one’s', () => {
    expect(maskPersonalDetails('qist 10500 ki jagah 8500 mili, 12/05/2024')).toBe('qist 10500 ki jagah 8500 mili, 12/05/2024');
    expect(maskPersonalDetails('FIR no 412/24')).toBe('FIR no 412/24');
  });

  it('masks names introduced as names, in three scripts', () => {
    expect(maskPersonalDetails('My name is Shazia Parveen and my instalment is late')).toBe('My name is [NAME] and my instalment is late');
    expect(maskPersonalDetails('mera naam ghulam rasool hai, bijli nahi')).toBe('mera naam [NAME] hai, bijli nahi');
    expect(maskPersonalDetails('میرا نام نسرین بی بی ہے، قسط نہیں ملی')).toBe('میرا نام [NAME] ہے، قسط نہیں ملی');
    expect(maskPersonalDetails('Rukhsana w/o Muhammad Akram')).toBe('Rukhsana w/o [NAME]');
    expect(maskPersonalDetails('بشیر احمد ولد نذیر احمد کی زمین')).toBe('بشیر احمد ولد [NAME] کی زمین');
    expect(maskPersonalDetails('complaint against Mr Tariq at the branch')).toBe('complaint against [NAME] at the branch');
  });

  it('does not mask words that only look like a cue', () => {
    expect(maskPersonalDetails('my name was removed from the list')).toBe('my name was removed from the list');
    expect(maskPersonalDetails('میرا نام بی آئی ایس پی سے نکال دیا')).toBe('میرا نام بی آئی ایس پی سے نکال دیا');
  });
});

describe('export-corrections', () => {
  it('writes the officer’s label, a language, and the masked text, each correction once', async () => {
    const lines = await exportCorrections(
      arraySource([
        { text: 'ATM se paise nahi nikle, mera number 03001234567', label: 'BANK', predicted: 'BISP' },
        { text: 'ATM se paise nahi nikle, mera number 0300-1234567', label: 'BANK', predicted: 'BISP' },
        { text: 'شناختی کارڈ 35202-1234567-1 کی تجدید نہیں ہوئی', label: 'NADRA' },
        { text: 'My SIM was blocked after renewing my CNIC', label: 'TELCO', lang: 'en' },
      ]),
    );
    expect(lines).toEqual([
      { label: 'BANK', lang: 'roman', text: 'ATM se paise nahi nikle, mera number [PHONE]' },
      { label: 'NADRA', lang: 'ur', text: 'شناختی کارڈ [CNIC] کی تجدید نہیں ہوئی' },
      { label: 'TELCO', lang: 'en', text: 'My SIM was blocked after renewing my CNIC' },
    ]);
  });

  it('guesses the way of writing', () => {
    expect(guessLang('bijli nahi hai 3 din se')).toBe('roman');
    expect(guessLang('No electricity for three days')).toBe('en');
    expect(guessLang('تین دن سے بجلی نہیں')).toBe('ur');
  });
});
