import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCEPTED_REPLIES, AMBIGUOUS_REPLIES } from '../../src/consent/index.js';
import { RabtaClient, loadKeyFile } from '../../src/sdk/index.js';
import { demoBeneficiaries } from './people.js';
import { smsInbox } from './scenario/phones.js';
import type { SmsInbox } from './scenario/phones.js';
import { startDemoUnderTest } from './testing.js';
import type { DemoUnderTest } from './testing.js';

/*
 * The replies people really type (issue 18), each sent from a handset over
 * real SMPP (deliver_sm from the demo SMSC to the platform), each answered
 * over SMPP (submit_sm back to the handset): every accepted form of yes, no
 * and withdraw, the ambiguous ones answered with a question and never taken
 * as consent, and the status and stop forms.
 */
const WAIT = 20_000;
/** Where the consent request names its reply code, in either language. */
const REPLY_CODE = /(?:HAAN |ہاں یا نہیں \u200E)(\d{4,6})/;

describe('the reply table, over SMPP through the demo SMSC', () => {
  let running: DemoUnderTest;
  let inbox: SmsInbox;
  let bank: RabtaClient;
  const people = demoBeneficiaries();
  const citizen = people.find((p) => p.language === 'ur') ?? (people[0] as (typeof people)[number]);

  beforeAll(async () => {
    running = await startDemoUnderTest();
    inbox = smsInbox(running.smsc);
    const key = await loadKeyFile(running.demo.keyFiles.find((f) => f.endsWith('HBL-branch-app.json')) as string);
    bank = new RabtaClient({ baseUrl: running.t.platform.config.publicUrl, client: key.client, keyId: key.keyId, privateKey: key.privateKey });
  }, 120_000);
  afterAll(async () => running?.close());

  /** A consent request to the citizen; resolves to its id and the reply code its SMS carried. */
  async function ask(): Promise<{ id: string; code: string }> {
    const from = inbox.mark();
    const request = await bank.requestConsent({ cnic: citizen.cnic, services: ['PK/GOV/BISP/payments/beneficiary-status'], purpose: 'beneficiary-support', validUntil: new Date(Date.now() + 86_400_000), dataLifeDays: 7, frequency: { count: 5, per: 'day' } });
    const asked = await inbox.waitFor(citizen.mobile, (t) => REPLY_CODE.test(t), WAIT, from);
    const code = REPLY_CODE.exec(asked)?.[1];
    if (!code) throw new Error(`no reply code in ${asked}`);
    return { id: request.id, code };
  }

  /** Texts the platform from the citizen's phone and waits for its answer over SMPP. */
  const text = (body: string) => inbox.ask(citizen.mobile, body, () => true, WAIT);
  const status = async (id: string) => (await bank.getConsent(id)).status;

  const withCode = (form: string, code: string) => `${form} ${code}`;

  it.each(ACCEPTED_REPLIES.approve.map((form) => [form]))('%s + code approves', async (form) => {
    const { id, code } = await ask();
    expect(await text(withCode(form, code))).toContain('اجازت دی');
    expect(await status(id)).toBe('ACTIVE');
  });

  it.each(ACCEPTED_REPLIES.reject.map((form) => [form]))('%s + code refuses', async (form) => {
    const { id, code } = await ask();
    expect(await text(withCode(form, code))).toContain('رد کر دی');
    expect(await status(id)).toBe('REJECTED');
  });

  it.each(ACCEPTED_REPLIES.revoke.map((form) => [form]))('%s + code withdraws a consent', async (form) => {
    const { id, code } = await ask();
    await text(`haan ${code}`);
    expect(await status(id)).toBe('ACTIVE');
    expect(await text(withCode(form, code))).toContain('اجازت واپس ہو گئی');
    expect(await status(id)).toBe('REVOKED');
  });

  it.each([
    ['code first', (code: string) => `${code} haan`],
    ['an Urdu comma', (code: string) => `ہاں،${code}`],
    ['Urdu digits', (code: string) => `ہاں ${[...code].map((d) => String.fromCharCode(0x06f0 + Number(d))).join('')}`],
    ['a trailing ?', (code: string) => `haan ${code}?`],
    ['a trailing ؟', (code: string) => `ہاں ${code}؟`],
  ])('accepts yes with %s', async (_how, write) => {
    const { id, code } = await ask();
    await text(write(code));
    expect(await status(id)).toBe('ACTIVE');
  });

  it.each(AMBIGUOUS_REPLIES.map((form) => [form]))('%s (with the code too) is answered with a question and is never consent', async (form) => {
    const { id, code } = await ask();
    const bare = await text(form);
    expect(bare).toContain('کیا آپ اجازت دے رہے ہیں؟');
    const coded = await text(`${form} ${code}`);
    expect(coded).toContain('کیا آپ اجازت دے رہے ہیں؟');
    expect(coded).toContain(code);
    expect(await status(id)).toBe('REQUESTED');
    await text(`nahi ${code}`);
  });

  it.each(['STATUS', 'halat', 'hallat', 'paisay', 'اسٹیٹس', 'رقم', 'کفالت', 'حالت؟'])('%s answers with her status, CNIC masked', async (form) => {
    const answer = await text(form);
    expect(answer).toMatch(/^رابطہ: (?:شناختی )?کارڈ \u200E\d{5}-\*{5}\d\d-\d/);
    expect(answer).not.toContain(citizen.cnic);
  });

  it.each([
    ['BAND', 'کسی بھی ادارے'],
    ['STOP', 'کسی بھی ادارے'],
    ['band karo', 'کسی بھی ادارے'],
    ['BAND BISP', 'بینظیر انکم سپورٹ پروگرام'],
    ['بند بی آئی ایس پی', 'بینظیر انکم سپورٹ پروگرام'],
  ])('%s stops messages, says the payment is not affected, and SHURU starts them again', async (form, institution) => {
    const stopped = await text(form);
    expect(stopped).toContain(institution);
    expect(stopped).toContain('ادائیگی پر کوئی اثر نہیں');
    expect(await text('SHURU')).toContain('دوبارہ آئیں گے');
  });
});
