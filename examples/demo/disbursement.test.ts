import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureSms } from '../../src/notify/index.js';
import type { TestInstance } from '../../src/platform/testing.js';
import type { DisbursementReport } from './scenario/disbursement.js';
import type { Progress } from './scenario/progress.js';
import { RabtaClient, loadKeyFile } from '../../src/sdk/index.js';
import { startDemoUnderTest } from './testing.js';
import type { DemoUnderTest } from './testing.js';
import type { AllTables } from '../../test/tables.js';

/*
 * The founding scenario end to end, as `npm start -- --scenario disbursement`
 * runs it: real HTTP between the parties, signed calls with each party's own
 * key, webhooks verified with the standardwebhooks library, SMS over SMPP to
 * the demo SMSC, the citizen's tracker read through the citizen API.
 */
describe('demo: the disbursement scenario, BISP → HBL → beneficiaries', () => {
  let running: DemoUnderTest;
  let t: TestInstance;
  let report: DisbursementReport;
  // Every value each progress bar was set to, in order.
  const bars = new Map<string, number[]>();
  const recording: Progress = {
    stage: (name) => {
      bars.set(name, []);
      return (done) => bars.get(name)?.push(done);
    },
    note: () => undefined,
    stop: () => undefined,
  };

  beforeAll(async () => {
    // A working day of 10 s: the joint case's deadlines pass only if the institutions dawdle.
    running = await startDemoUnderTest({ RABTA_EGRESS_ALLOW: 'loopback', RABTA_CASES_WORKING_DAY_MS: '10000', RABTA_CASES_SWEEP_MS: '200' });
    t = running.t;
    report = await running.demo.runScenario('disbursement', running.smsc, recording);
  }, 120_000);
  afterAll(async () => running?.close());

  it('refuses a batch with bad rows whole, row by row, and credits the corrected one', async () => {
    expect(report.refused.status).toBe(422);
    expect(report.refused.accepted).toBe(0);
    // Rows are numbered from 1: the three bad rows were appended after the good ones.
    expect(report.refused.rejected.map((r) => r.row)).toEqual([report.rows + 1, report.rows + 2, report.rows + 3]);
    expect(report.lines.find((l) => l.includes('first attempt refused'))).toContain(`row ${report.rows + 1}: no HBL account`);
    expect(report.refused.rejected.map((r) => r.errors[0])).toEqual(['no HBL account is open for this CNIC', 'this CNIC is already in the batch', expect.stringMatching(/^amountPkr/)]);
    expect(report.accepted.map((a) => a.status)).toEqual([202]);
    // Nothing of the refused attempt was credited: one credit per beneficiary of the accepted batch.
    const credited = await t.platform.store.tables<AllTables>().selectFrom('events').select('payload').where('topic_id', '=', 'PK/BANK/HBL/disbursement/payment.credited').execute();
    expect(credited.filter((e) => (JSON.parse(e.payload) as { batchId: string }).batchId === report.batchId)).toHaveLength(report.rows);
    expect(report.published).toBe(report.rows);
  });

  it('brings every credit to BISP by verified webhook, and the failed withdrawal to BISP and the complaints desk', () => {
    expect(report.rows).toBeGreaterThanOrEqual(5);
    expect(report.bispRecords).toEqual({ credited: report.rows - 1, withdrawalFailed: 1, webhooks: report.rows + 1, refusedDeliveries: 0 });
    expect(report.tickets).toHaveLength(1);
    expect(report.tickets[0]).toMatchObject({ cnic: report.failure.cnic, reason: 'biometric-mismatch' });
    expect(report.failure.smsReply).toContain('انگوٹھے کی تصدیق نہیں ہو سکی');
  });

  it('texts every registered beneficiary, in her language, and answers حالت with her status, CNIC masked', () => {
    expect(report.sms.expected).toBeGreaterThanOrEqual(4);
    expect(report.sms.sent).toBe(report.sms.expected);
    expect(report.sms.sample).toMatch(/^حبیب بینک لمیٹڈ: آپ کی کفالت کی رقم \u200E?13,500 روپے/);
    // Issue 18, item 7: the topic's Urdu fields (date, agent area) keep English out of the Urdu text, and it fits in 2 parts.
    expect(report.sms.sample).not.toMatch(/[A-Za-z]/);
    expect(measureSms(report.sms.sample).parts).toBeLessThanOrEqual(2);
    expect(report.status.asked).toBe('حالت');
    expect(report.status.reply).toMatch(/^رابطہ: کارڈ \u200E?\d{5}-\*{5}\d\d-\d، حبیب بینک لمیٹڈ/);
    expect(report.status.reply).toMatch(/13,?500/);
  });

  it('shows the batch and the credit in every beneficiary’s data tracker', () => {
    expect(report.tracker).toHaveLength(report.rows);
    for (const entry of report.tracker) expect(entry).toMatchObject({ exchange: true, credited: true });
    const kinds = report.trackerShown.map((row) => `${row.kind} ${row.service} ${row.outcome}`);
    expect(kinds).toContain('event PK/BANK/HBL/disbursement/payment.credited published');
    expect(kinds).toContain('exchange PK/BANK/HBL/disbursement/payment-batches ok');
    expect(report.trackerShown.find((row) => row.kind === 'event')?.recipients).toEqual(['Benazir Income Support Programme']);
  });

  it('counts BISP’s records up to every beneficiary and never back down', () => {
    const records = bars.get('BISP records updated by webhook') as number[];
    expect(records.at(-1)).toBe(report.rows);
    expect(records.every((value, i) => i === 0 || value >= (records[i - 1] as number))).toBe(true);
  });

  it('tells the beneficiary in words that the bank refused the first batch and it was sent again', () => {
    const batches = report.trackerShown.filter((row) => row.service === 'PK/BANK/HBL/disbursement/payment-batches');
    expect(batches.map((row) => row.outcome).sort()).toEqual(['ok', 'upstream-error']);
    expect(batches.find((row) => row.outcome === 'upstream-error')?.outcomeText).toBe('Habib Bank Limited refused the request; it was sent again and accepted');
    expect(batches.find((row) => row.outcome === 'ok')?.outcomeText).toBe('Habib Bank Limited answered');
    expect(report.lines.join('\n')).not.toContain('upstream-error');
  });

  it('has BISP’s status service follow the credit and the failed withdrawal', async () => {
    const key = await loadKeyFile(running.demo.keyFiles.find((f) => f.endsWith('HBL-branch-app.json')) as string);
    const branch = new RabtaClient({ baseUrl: t.platform.config.publicUrl, client: key.client, keyId: key.keyId, privateKey: key.privateKey });
    const stateOf = async (cnic: string) => {
      const response = await branch.call({ method: 'GET', path: '/x/PK/GOV/BISP/payments/beneficiary-status/beneficiaries/status', purpose: 'cash-transfer-disbursement', subject: cnic });
      return response.json<{ lastPayment: { state: string } }>().lastPayment.state;
    };
    const credited = running.demo.people.find((p) => p.bank === 'HBL' && p.status === 'active' && p.cnic !== report.failure.cnic);
    expect(await stateOf(credited?.cnic as string)).toBe('credited');
    expect(await stateOf(report.failure.cnic)).toBe('withdrawal-failed');
  });

  it('opens a joint case for the failed withdrawal that she follows by SMS until her "1" closes it', async () => {
    const c = report.jointCase;
    expect(c.reference).toMatch(/^RB-\d\d-\d{6}-\d$/);
    expect(c).toMatchObject({ lead: 'PK/BANK/HBL', partners: ['PK/GOV/BISP'], resolutionDays: 3, finalState: 'closed' });
    expect(c.openedSms).toContain(c.reference);
    // Her texted reference answers the state and the next deadline.
    expect(c.stateReply).toContain(c.reference);
    expect(c.stateReply).toMatch(/Next deadline|اگلی مقررہ تاریخ/);
    expect(c.answers.map((a) => a.answer)).toEqual(['2', '1']);
    expect(c.answers[0]?.asked).toMatch(/1 =.*2 =/);
    expect(c.escalation).toEqual({ level: 1, role: 'HBL head of complaints' });
    expect(c.timeline).toEqual(['opened', 'triaged', 'accepted', 'resolved', 'reopened', 'escalated', 'resolved', 'confirmed']);
    // Every SMS of the case went over the demo SMSC to her phone.
    const unlucky = running.demo.people.find((p) => p.cnic === report.failure.cnic);
    const texts = running.smsc.received.filter((r) => r.destination.replace(/^\+/, '') === unlucky?.mobile.replace(/^\+/, '')).map((r) => r.text).join('\n');
    expect(texts).toContain(c.reference);
    const row = await t.platform.store.tables<AllTables>().selectFrom('cases').select(['event_id', 'state', 'satisfaction']).where('reference', '=', c.reference).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ event_id: report.failure.eventId, state: 'closed' });
  });

  it('ends its webhook subscriptions with the run, so nothing is delivered to a dead port', async () => {
    expect(report.subscriptions).toHaveLength(3);
    const rows = await t.platform.store.tables<AllTables>().selectFrom('event_subscriptions').select(['id', 'status']).where('id', 'in', report.subscriptions).execute();
    expect(rows.map((r) => r.status)).toEqual(['deleted', 'deleted', 'deleted']);
  });
});
