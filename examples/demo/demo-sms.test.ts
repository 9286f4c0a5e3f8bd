import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliFailure } from '../../src/cli/admin/index.js';
import { registerDemoCommands } from '../../src/cli/demo.js';
import { RabtaClient, loadKeyFile } from '../../src/sdk/index.js';
import { demoBeneficiaries } from './people.js';
import { smsInbox } from './scenario/phones.js';
import { startDemoUnderTest } from './testing.js';
import type { DemoUnderTest } from './testing.js';

/*
 * `rabta demo sms`: a citizen's phone texts the platform over SMPP through the
 * demo SMSC (submit_sm from a handset, deliver_sm to the platform) and prints
 * the platform's reply — so HAAN, WAPIS, BAND and STATUS can be tried by hand.
 */
describe('rabta demo sms', () => {
  let running: DemoUnderTest;
  const people = demoBeneficiaries();

  async function sms(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const program = new Command('rabta').exitOverride();
    registerDemoCommands(program, { out: (l) => out.push(l), err: (l) => err.push(l) });
    let failed = false;
    try {
      await program.parseAsync(['node', 'rabta', 'demo', 'sms', '--smsc-port', String(running.smsc.port), ...argv]);
    } catch (error) {
      if (!(error instanceof CliFailure)) throw error;
      failed = true;
    }
    return { out: out.join('\n'), err: err.join('\n'), failed };
  }

  beforeAll(async () => {
    running = await startDemoUnderTest();
  });
  afterAll(async () => running?.close());

  it('answers HAAN with the code from the consent request, and the consent becomes active', async () => {
    const citizen = people.find((p) => p.language === 'en') ?? (people[0] as (typeof people)[number]);
    const key = await loadKeyFile(running.demo.keyFiles.find((f) => f.endsWith('HBL-branch-app.json')) as string);
    const bank = new RabtaClient({ baseUrl: running.t.platform.config.publicUrl, client: key.client, keyId: key.keyId, privateKey: key.privateKey });
    const inbox = smsInbox(running.smsc);
    const from = inbox.mark();
    const request = await bank.requestConsent({ cnic: citizen.cnic, services: ['PK/GOV/BISP/payments/beneficiary-status'], purpose: 'beneficiary-support', validUntil: new Date(Date.now() + 86_400_000), dataLifeDays: 7, frequency: { count: 5, per: 'day' } });
    const asked = await inbox.waitFor(citizen.mobile, (text) => /HAAN \d{4}/.test(text), 20_000, from);
    const code = /HAAN (\d{4})/.exec(asked)?.[1] as string;
    const answered = await sms('--from', citizen.mobile, 'HAAN', code);
    expect(answered.failed).toBe(false);
    expect(answered.err).toContain(`${citizen.mobile} → the platform, over SMPP via the demo SMSC`);
    expect(answered.out.length).toBeGreaterThan(10);
    expect((await bank.getConsent(request.id)).status).toBe('ACTIVE');
    // WAPIS withdraws it, and says so by SMS.
    const revoked = await sms('--from', citizen.mobile, 'WAPIS', code);
    expect(revoked.failed).toBe(false);
    expect(revoked.out).not.toBe(answered.out);
    expect((await bank.getConsent(request.id)).status).toBe('REVOKED');
  });

  it('answers STATUS from a phone no citizen registered without anything personal', async () => {
    const stranger = await sms('--from', '+923009999999', 'STATUS');
    expect(stranger.failed).toBe(false);
    // In Urdu, the language of a number Rabta does not know.
    expect(stranger.out).toMatch(/^رابطہ: اس نمبر پر کوئی معلومات نہیں دی جا سکتیں۔ اپنے شناختی کارڈ پر رجسٹرڈ نمبر سے \u200E?\d+ پر حالت بھیجیں۔$/);
  });

  it('answers STATUS from a beneficiary’s phone with her CNIC masked', async () => {
    const citizen = people.find((p) => p.language === 'en') ?? (people[0] as (typeof people)[number]);
    const status = await sms('--from', citizen.mobile, 'STATUS');
    expect(status.failed).toBe(false);
    expect(status.out).toMatch(/^Rabta: /);
    expect(status.out).toMatch(/\d{5}-\*{5}\d\d-\d/);
    expect(status.out).not.toContain(citizen.cnic);
  });

  it('refuses a number that is not in international form, and says when the SMSC is not there', async () => {
    const bad = await sms('--from', '03001234567', 'STATUS');
    expect(bad.failed).toBe(true);
    expect(bad.err).toContain('--from must be a mobile number in international form');
    const program = new Command('rabta').exitOverride();
    const err: string[] = [];
    registerDemoCommands(program, { out: () => undefined, err: (l) => err.push(l) });
    await expect(program.parseAsync(['node', 'rabta', 'demo', 'sms', '--smsc-port', '1', '--from', '+923001234567', 'STATUS'])).rejects.toBeInstanceOf(CliFailure);
    expect(err.join('\n')).toContain('cannot reach the demo SMSC at 127.0.0.1:1');
  });
});
