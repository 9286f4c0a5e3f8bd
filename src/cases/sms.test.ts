import { afterEach, describe, expect, inject, it } from 'vitest';
import { testDialects } from '../store/testing.js';
import { AUTHORITY, CITIZEN, HBL, OTHER_CITIZEN, startCaseInstance } from './testing.js';
import type { CaseTestInstance } from './testing.js';

const postgresUrl = inject('postgresUrl');

describe.each(testDialects(postgresUrl))('cases by SMS on %s', (dialect) => {
  let t: CaseTestInstance;
  afterEach(async () => t?.close());

  it('SHIKAYAT opens a case and answers its reference; the reference answers its state; 1/2 answer for her own case only', async () => {
    t = await startCaseInstance(dialect, postgresUrl);
    const sms = (from: string, text: string) => t.platform.citizens.handleInboundSms({ from, text });
    const cases = t.platform.cases;

    expect((await sms(CITIZEN.mobile.replace('+', ''), 'SHIKAYAT meri BISP qist ATM se nahi nikli')).outcome).toBe('dispatched');
    const reply = t.lastSms(CITIZEN.mobile)?.text as string;
    const reference = /RB-\d{2}-\d{6}-\d/.exec(reply)?.[0] as string;
    expect(reference).toBeDefined();
    const opened = await cases.view(AUTHORITY, reference);
    expect(opened).toMatchObject({ state: 'new', channel: 'sms', text: 'meri BISP qist ATM se nahi nikli' });
    expect(opened.citizen?.cnic).toBe('35202-*****67-1');

    // An unknown phone in Urdu script gets its case and an Urdu answer.
    await sms('03219998888', 'شکایت میری رقم نہیں ملی');
    expect(t.lastSms('+923219998888')?.text).toMatch(/^رابطہ: آپ کی شکایت درج ہو گئی۔ حوالہ RB-/);

    await cases.triage(AUTHORITY, reference, { category: 'PAYMENT-NOT-RECEIVED' });
    await sms(CITIZEN.mobile, reference.toLowerCase().replace(/-/g, ' '));
    expect(t.lastSms(CITIZEN.mobile)?.text).toMatch(new RegExp(`case ${reference}: assigned, with PK/BANK/HBL\\. Next deadline`));
    const wrong = reference.slice(0, -1) + String((Number(reference.slice(-1)) + 1) % 10);
    await sms(CITIZEN.mobile, wrong);
    expect(t.lastSms(CITIZEN.mobile)?.text).toContain('is not a valid reference');

    await cases.accept(HBL, reference);
    await cases.resolve(HBL, reference);
    // Another citizen cannot read or answer her case.
    await sms(OTHER_CITIZEN.mobile, reference);
    expect(t.lastSms(OTHER_CITIZEN.mobile)?.text).toContain('was not filed from this number');
    await sms(OTHER_CITIZEN.mobile, `${reference} 1`);
    expect(t.lastSms(OTHER_CITIZEN.mobile)?.text).toContain('was not filed from this number');
    await sms(OTHER_CITIZEN.mobile, '1');
    expect(t.lastSms(OTHER_CITIZEN.mobile)?.text).toContain('no case of this number is waiting');
    expect((await cases.view(AUTHORITY, reference)).state).toBe('resolved');

    await sms(CITIZEN.mobile, '2');
    expect((await cases.view(AUTHORITY, reference)).state).toBe('reopened');
    expect(t.lastSms(CITIZEN.mobile)?.text).toContain('reopened and escalated');
    await cases.resolve(HBL, reference);
    await sms(CITIZEN.mobile, '۱ ۵');
    const closed = await cases.view(AUTHORITY, reference);
    expect(closed.state).toBe('closed');
    expect(closed.satisfaction).toBe(5);

    // Consent's commands still reach consent.
    expect((await sms(CITIZEN.mobile, 'HAAN 1234')).outcome).not.toBe('dispatched');
    expect((await sms(CITIZEN.mobile, 'SHIKAYAT')).outcome).toBe('dispatched');
    expect(t.lastSms(CITIZEN.mobile)?.text).toContain('followed by your problem');
  });
});
