import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RabtaClient, RabtaProblemError, loadKeyFile, fetchInstanceKeys } from '../../src/sdk/index.js';
import type { TestInstance } from '../../src/platform/testing.js';
import type { Smsc } from '../smsc/smsc.js';
import { demoBeneficiaries } from './people.js';
import { asReceipt, verifyReceipt } from '../../src/ledger/receipt-verify.js';
import type { startDemo } from './index.js';
import { startDemoUnderTest } from './testing.js';
import { smsInbox } from './scenario/phones.js';
import type { DemoUnderTest } from './testing.js';

/*
 * The consent story of the demo, with the SMS going over real SMPP to the
 * demo SMSC: a bank asks for a beneficiary's status for a consent purpose and
 * is refused; the citizen gets the request in Urdu and answers HAAN by SMS;
 * the call passes; WAPIS revokes it; a statute call needs no consent and
 * still shows in the citizen's tracker.
 */
describe('demo: consent by SMS over SMPP', () => {
  let running: DemoUnderTest;
  let t: TestInstance;
  let smsc: Smsc;
  let demo: Awaited<ReturnType<typeof startDemo>>;
  let bank: RabtaClient;
  // The consent API answers unsigned (only exchanges carry response signatures).
  let bankApi: RabtaClient;
  const citizen = demoBeneficiaries()[0]!;
  const statusPath = '/x/PK/GOV/BISP/payments/beneficiary-status/beneficiaries/status';

  const textOf = (parts: { shortMessage: Buffer; esmClass: number; dataCoding: number }[]) =>
    parts.map((p) => (p.dataCoding === 8 ? Buffer.from(p.shortMessage.subarray(p.esmClass & 0x40 ? 6 : 0)).swap16().toString('utf16le') : p.shortMessage.subarray(p.esmClass & 0x40 ? 6 : 0).toString('latin1'))).join('');

  beforeAll(async () => {
    running = await startDemoUnderTest();
    ({ t, smsc, demo } = running);
    const key = await loadKeyFile(demo.keyFiles.find((f) => f.endsWith('HBL-branch-app.json')) as string);
    bank = new RabtaClient({ baseUrl: t.platform.config.publicUrl, client: key.client, keyId: key.keyId, privateKey: key.privateKey, exchangeKeys: await fetchInstanceKeys(t.platform.config.publicUrl) });
    bankApi = new RabtaClient({ baseUrl: t.platform.config.publicUrl, client: key.client, keyId: key.keyId, privateKey: key.privateKey });
  });
  afterAll(async () => running?.close());

  it('refuses, asks by SMS, passes after HAAN, fails after WAPIS', async () => {
    const ask = () => bank.call({ method: 'GET', path: statusPath, purpose: 'beneficiary-support', subject: citizen.cnic });
    await expect(ask()).rejects.toMatchObject({ code: 'consent-missing' });

    const mark = smsc.received.length;
    const request = await bankApi.call({
      method: 'POST',
      path: '/consents',
      json: { cnic: citizen.cnic, services: ['PK/GOV/BISP/payments/beneficiary-status'], purpose: 'beneficiary-support', validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString(), dataLifeDays: 30, frequency: { count: 10, per: 'day' } },
    });
    expect(request.status).toBe(201);
    // The request is a multipart SMS: wait for the whole of it, not its first part.
    const sms = await smsInbox(smsc).waitFor(citizen.mobile, (text) => /\d{4,6}/.test(text) && text.endsWith('کوڈ کوئی نہیں مانگے گا'), 10_000, mark);
    // Urdu, over UCS-2, naming the bank, with the CNIC masked and the code to answer.
    expect(sms).toContain('حبیب بینک');
    expect(sms).not.toContain(citizen.cnic.slice(6, 12));
    const code = /ہاں یا نہیں \u200E?(\d{4,6})/.exec(sms)?.[1] as string;
    expect(code).toBeDefined();

    await smsc.deliverToClient(citizen.mobile, `ہاں ${code}`);
    let passed = false;
    for (let i = 0; i < 100 && !passed; i++) {
      passed = await ask().then((r) => r.status === 200, () => false);
      if (!passed) await new Promise((r) => setTimeout(r, 50));
    }
    expect(passed).toBe(true);

    await smsc.deliverToClient(citizen.mobile, `WAPIS ${code}`);
    let revoked = false;
    for (let i = 0; i < 100 && !revoked; i++) {
      revoked = await ask().then(() => false, (e: unknown) => e instanceof RabtaProblemError && e.code === 'consent-revoked');
      if (!revoked) await new Promise((r) => setTimeout(r, 50));
    }
    expect(revoked).toBe(true);

    const statute = await bank.call({ method: 'GET', path: statusPath, purpose: 'cash-transfer-disbursement', subject: citizen.cnic });
    expect(statute.status).toBe(200);

    // The citizen signs in with a code sent over SMPP and sees every one of those calls.
    const sent = smsc.received.length;
    expect((await t.app.inject({ method: 'POST', url: '/citizen/otp', payload: { cnic: citizen.cnic } })).statusCode).toBe(202);
    let otp: string | undefined;
    for (let i = 0; i < 200 && !otp; i++) {
      const fresh = smsc.received.slice(sent).filter((r) => r.destination.endsWith(citizen.mobile.slice(-9)));
      otp = /(\d{6})/.exec(textOf(fresh))?.[1];
      if (!otp) await new Promise((r) => setTimeout(r, 25));
    }
    expect(otp).toBeDefined();
    const session = await t.app.inject({ method: 'POST', url: '/citizen/session', payload: { cnic: citizen.cnic, code: otp } });
    expect(session.statusCode).toBe(201);
    const token = (JSON.parse(session.body) as { token: string }).token;
    const access = JSON.parse((await t.app.inject({ method: 'GET', url: '/citizen/access', headers: { authorization: `Bearer ${token}` } })).body) as { items: Array<{ purpose: { code: string }; outcome: string; legalBasis: string | null }> };
    const purposes = access.items.map((row) => `${row.purpose.code} ${row.legalBasis ?? '-'} ${row.outcome}`);
    // The citizen can check that the statute call was logged: record, salt and inclusion proof, verified offline.
    const statuteId = statute.exchangeId as string;
    const receipt = await t.app.inject({ method: 'GET', url: `/citizen/receipts/exchanges/${statuteId}`, headers: { authorization: `Bearer ${token}` } });
    expect(receipt.statusCode).toBe(200);
    const document = asReceipt(JSON.parse(receipt.body));
    if (typeof document === 'string') throw new Error(document);
    expect(verifyReceipt(document, { quorum: 0 })).toMatchObject({ ok: true });
    const someoneElses = await t.app.inject({ method: 'GET', url: '/citizen/receipts/exchanges/00000000-0000-4000-8000-000000000000', headers: { authorization: `Bearer ${token}` } });
    expect(someoneElses.statusCode).toBe(404);
    expect(purposes.sort()).toEqual(['beneficiary-support - consent-missing', 'beneficiary-support - consent-revoked', 'beneficiary-support consent ok', 'cash-transfer-disbursement statute ok']);
  });
});
