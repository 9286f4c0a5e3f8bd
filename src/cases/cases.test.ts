import { createHash } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { RabtaError } from '../core/index.js';
import { canonicalJson } from '../ledger/index.js';
import { testDialects } from '../store/testing.js';
import { AUTHORITY, BISP, CITIZEN, DAY_MS, HBL, JAZZ, OTHER_CITIZEN, startCaseInstance } from './testing.js';
import type { CaseTestInstance } from './testing.js';
import type { CasesTables } from './tables.js';
import { ledgerRecords } from '../ledger/testing.js';

const postgresUrl = inject('postgresUrl');

async function problem(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RabtaError) return error.code;
    throw error;
  }
  throw new Error('expected a problem');
}

const TEXT = 'Meri BISP ki qist HBL ATM se nahi nikli, teen din se chakkar laga rahi hoon';

describe.each(testDialects(postgresUrl))('cases on %s', (dialect) => {
  let t: CaseTestInstance;
  afterEach(async () => t?.close());

  it('opens a joint case: reference, deadlines from the category, partners, SMS, a ledger commitment per change and no text in the ledger', async () => {
    t = await startCaseInstance(dialect, postgresUrl);
    const cases = t.platform.cases;
    const opened = await cases.open(HBL, { category: 'PAYMENT-NOT-RECEIVED', text: TEXT, citizen: { cnic: CITIZEN.cnic }, partners: ['PK/GOV/BISP'], district: 'PB-LAHORE', channel: 'signed', intake: 'PK/BANK/HBL' });
    expect(opened.reference).toMatch(/^RB-26-000001-\d$/);
    expect(opened.state).toBe('triaged');
    expect(opened.lead).toBe('PK/BANK/HBL');
    expect(Date.parse(opened.resolutionDue as string)).toBe(t.clock.now + 3 * DAY_MS);
    const second = await cases.open(HBL, { category: 'PAYMENT-NOT-RECEIVED', text: 'again', channel: 'signed', intake: 'PK/BANK/HBL' });
    expect(second.reference).toMatch(/^RB-26-000002-\d$/);

    // The registered phone of the CNIC hears the reference.
    expect(t.lastSms(CITIZEN.mobile)?.text).toContain(opened.reference);
    const view = await cases.view(BISP, opened.reference);
    expect(view.partners).toEqual(['PK/GOV/BISP']);
    expect(view.citizen?.cnic).toBe('35202-*****67-1');
    expect(view.text).toBe(TEXT);
    expect(view.tasks.map((task) => [task.kind, task.assignee, task.state])).toEqual([['respond', 'PK/BANK/HBL', 'open']]);
    expect(view.timeline.map((e) => [e.kind, e.from, e.to])).toEqual([
      ['opened', null, 'new'],
      ['triaged', 'new', 'triaged'],
    ]);

    const leaves = await ledgerRecords(t.platform.store.db, { kind: 5 });
    expect(leaves).toHaveLength(4);
    for (const leaf of leaves) {
      expect(leaf.record).not.toContain('BISP ki qist');
      expect(leaf.record).not.toContain('1234567');
      expect(leaf.salt).not.toBeNull();
    }
    // The receipt opens the commitment: SHA-256(salt ‖ canonical record) is the leaf's body.
    const receipt = (await cases.receipt(HBL, opened.reference, 2)) as { record: Record<string, unknown>; salt: string; entry: string };
    expect(receipt.record).toMatchObject({ reference: opened.reference, seq: 2, from: 'new', to: 'triaged' });
    const digest = createHash('sha256').update(Buffer.from(receipt.salt, 'base64')).update(canonicalJson(receipt.record)).digest();
    expect(Buffer.from(receipt.entry, 'base64').subarray(10).equals(digest)).toBe(true);
  });

  it('refuses bad input clearly and writes nothing', async () => {
    t = await startCaseInstance(dialect, postgresUrl);
    const cases = t.platform.cases;
    expect(await problem(cases.open(HBL, { category: 'NO-SUCH', text: TEXT, channel: 'signed', intake: 'x' }))).toBe('unknown-category');
    expect(await problem(cases.open(HBL, { category: 'PAYMENT-NOT-RECEIVED', text: 'ب'.repeat(4001), channel: 'signed', intake: 'x' }))).toBe('description-too-long');
    expect(await problem(cases.open(HBL, { category: 'PAYMENT-NOT-RECEIVED', text: TEXT, district: 'XX-99', channel: 'signed', intake: 'x' }))).toBe('unknown-district');
    expect(await problem(cases.open(HBL, { category: 'PAYMENT-NOT-RECEIVED', text: TEXT, partners: ['PK/GOV/NOPE'], channel: 'signed', intake: 'x' }))).toBe('bad-request');
    const db = t.platform.store.tables<CasesTables>();
    expect(await db.selectFrom('cases').select('id').execute()).toHaveLength(0);
    expect(await db.selectFrom('case_timeline').select('id').execute()).toHaveLength(0);
    expect(await ledgerRecords(t.platform.store.db, { kind: 5 })).toHaveLength(0);
    // 4,000 characters are taken (Urdu letters counted as one each).
    const ok = await cases.open(HBL, { category: 'PAYMENT-NOT-RECEIVED', text: 'ب'.repeat(4000), channel: 'signed', intake: 'x' });
    const wrongCheck = ok.reference.slice(0, -1) + String((Number(ok.reference.slice(-1)) + 1) % 10);
    expect(await problem(cases.view(HBL, wrongCheck))).toBe('case-reference-invalid');
    // An institution not on the case does not learn it exists.
    expect(await problem(cases.view(JAZZ, ok.reference))).toBe('unknown-case');
    // A state change that is not allowed leaves the case as it was.
    expect(await problem(cases.accept(BISP, ok.reference))).toBe('unknown-case');
    await cases.accept(HBL, ok.reference);
    expect(await problem(cases.accept(HBL, ok.reference))).toBe('case-state');
    expect((await cases.view(HBL, ok.reference)).state).toBe('in-progress');
  });

  it('resolved is a proposal: 2 reopens and escalates to the head, 1 closes with a satisfaction', async () => {
    t = await startCaseInstance(dialect, postgresUrl);
    const cases = t.platform.cases;
    await cases.setEscalationLevels(HBL, 'PK/BANK/HBL', ['complaints officer', 'regional head', 'president']);
    const { reference } = await cases.open(HBL, { category: 'PAYMENT-NOT-RECEIVED', text: TEXT, citizen: { cnic: CITIZEN.cnic }, channel: 'signed', intake: 'PK/BANK/HBL' });
    await cases.accept(HBL, reference);
    await cases.resolve(HBL, reference, { note: 'credited again' });
    expect(t.lastSms(CITIZEN.mobile)?.text).toContain('Reply 1');
    const hash = (await t.platform.store.tables<CasesTables>().selectFrom('cases').select('subject_hash').executeTakeFirstOrThrow()).subject_hash as string;
    // Someone else cannot answer for her case.
    expect(await problem(cases.citizen.answer('0'.repeat(64), reference, { solved: true }))).toBe('case-not-yours');
    const reopened = await cases.citizen.answer(hash, reference, { solved: false });
    expect(reopened.state).toBe('reopened');
    expect(reopened.escalationLevel).toBe(1);
    const notices = await cases.notices(HBL, 'PK/BANK/HBL');
    expect(notices[0]?.detail).toContain('complaints officer');
    await cases.resolve(HBL, reference);
    const closed = await cases.citizen.answer(hash, reference, { solved: true, satisfaction: 4 });
    expect(closed.state).toBe('closed');
    const view = await cases.view(AUTHORITY, reference);
    expect(view.satisfaction).toBe(4);
    expect(view.timeline.map((e) => e.kind)).toEqual(['opened', 'triaged', 'accepted', 'resolved', 'reopened', 'escalated', 'resolved', 'confirmed']);
    expect(view.tasks.filter((task) => task.state === 'open')).toEqual([]);
    expect((await cases.citizen.view(hash, reference)).notes.map((n) => n.text)).toEqual(['credited again']);
  });

  it('deadlines escalate one level at a time with the compressed clock, then stay overdue; silence closes unconfirmed', async () => {
    t = await startCaseInstance(dialect, postgresUrl);
    const cases = t.platform.cases;
    const { reference } = await cases.open(HBL, { category: 'PAYMENT-NOT-RECEIVED', text: TEXT, channel: 'signed', intake: 'PK/BANK/HBL', partners: ['PK/GOV/BISP'] });
    const { task } = await cases.assignTask(HBL, reference, { assignee: 'PK/GOV/BISP', title: 'confirm the payment file', dueDays: 2 });
    expect(await cases.sweep()).toEqual({ escalated: 0, overdue: 0, unconfirmed: 0 });
    t.clock.advance(DAY_MS + 1); // the first response is late
    expect(await cases.sweep()).toEqual({ escalated: 1, overdue: 0, unconfirmed: 0 });
    expect(await cases.sweep()).toEqual({ escalated: 0, overdue: 0, unconfirmed: 0 });
    let view = await cases.view(HBL, reference);
    expect(view.escalationLevel).toBe(1);
    t.clock.advance(DAY_MS); // BISP's task is late too
    expect((await cases.sweep())?.escalated).toBe(1);
    view = await cases.view(BISP, reference);
    expect(view.tasks.find((x) => x.id === task)?.escalationLevel).toBe(1);
    expect((await cases.notices(BISP, 'PK/GOV/BISP'))[0]?.detail).toContain('grievance officer');
    t.clock.advance(2 * DAY_MS + 1); // both late again: HBL to its head, BISP's task to its head
    expect((await cases.sweep())?.escalated).toBe(2);
    t.clock.advance(2 * DAY_MS + 1); // nothing higher than the head: overdue, and off the sweep
    expect(await cases.sweep()).toEqual({ escalated: 0, overdue: 2, unconfirmed: 0 });
    t.clock.advance(10 * DAY_MS);
    expect(await cases.sweep()).toEqual({ escalated: 0, overdue: 0, unconfirmed: 0 });
    expect((await cases.overdue(AUTHORITY)).map((o) => o.assignee).sort()).toEqual(['PK/BANK/HBL', 'PK/GOV/BISP']);
    expect((await cases.overdue(BISP)).map((o) => o.assignee)).toEqual(['PK/GOV/BISP']);

    await cases.resolve(HBL, reference);
    t.clock.advance(7 * DAY_MS + 1);
    expect((await cases.sweep())?.unconfirmed).toBe(1);
    expect((await cases.view(HBL, reference)).state).toBe('closed-unconfirmed');
  });

  it('a case without category or lead waits in the triage queue; anonymous cases hide the citizen from institutions', async () => {
    t = await startCaseInstance(dialect, postgresUrl);
    const cases = t.platform.cases;
    const a = await cases.open({ kind: 'citizen', by: 'portal' }, { text: 'meri sim band hai', citizen: { cnic: OTHER_CITIZEN.cnic }, anonymous: true, channel: 'portal', intake: 'portal' });
    const b = await cases.open({ kind: 'citizen', by: 'portal' }, { category: 'SIM-BLOCKED', text: 'sim band', channel: 'portal', intake: 'portal' });
    expect([a.state, b.state]).toEqual(['new', 'new']);
    expect((await cases.triageQueue(AUTHORITY)).map((c) => c.reference)).toEqual([a.reference, b.reference]);
    expect(await problem(cases.triageQueue(HBL))).toBe('forbidden');
    expect(await problem(cases.triage(HBL, a.reference, { category: 'SIM-BLOCKED', lead: 'PK/TELCO/JAZZ' }))).toBe('forbidden');
    await cases.triage(AUTHORITY, a.reference, { category: 'SIM-BLOCKED', lead: 'PK/TELCO/JAZZ' });
    expect((await cases.triageQueue(AUTHORITY)).map((c) => c.reference)).toEqual([b.reference]);
    const seen = await cases.view(JAZZ, a.reference);
    expect(seen.citizen).toBeNull();
    expect((await cases.view(AUTHORITY, a.reference)).citizen?.cnic).toBe('42101-*****21-3');
    // The lead transfers it; the new lead has its own first-response deadline.
    await cases.transfer(JAZZ, a.reference, { to: 'PK/BANK/HBL', reason: 'the SIM is the bank’s registered number' });
    const moved = await cases.view(HBL, a.reference);
    expect(moved.state).toBe('transferred');
    expect(moved.tasks.filter((x) => x.state === 'open').map((x) => x.assignee)).toEqual(['PK/BANK/HBL']);
    expect(await problem(cases.view(JAZZ, a.reference))).toBe('unknown-case');
  });

  it('the grievance router, when injected, sets a confident label; an unsure or unknown one leaves the case to triage', async () => {
    const router = {
      route: async (text: string) =>
        text.includes('sim') ? { label: 'SIM-BLOCKED', confidence: 0.93, routed: true, alternatives: [] } : text.includes('???') ? { label: 'NOT-IN-CATALOGUE', confidence: 0.9, routed: true, alternatives: [] } : { label: 'BISP-ELIGIBILITY', confidence: 0.31, routed: false, alternatives: [{ label: 'PAYMENT-NOT-RECEIVED', confidence: 0.3 }] },
    };
    t = await startCaseInstance(dialect, postgresUrl, {}, router);
    const cases = t.platform.cases;
    const routed = await cases.open({ kind: 'citizen', by: 'sms' }, { text: 'meri sim band hai', channel: 'sms', intake: 'sms' });
    expect(routed).toMatchObject({ category: 'SIM-BLOCKED', state: 'new', lead: null });
    expect((await cases.view(AUTHORITY, routed.reference)).timeline[0]?.detail).toMatchObject({ router: { label: 'SIM-BLOCKED', confidence: 0.93 } });
    const unsure = await cases.open({ kind: 'citizen', by: 'sms' }, { text: 'kuch samajh nahi aa raha', channel: 'sms', intake: 'sms' });
    const unknown = await cases.open({ kind: 'citizen', by: 'sms' }, { text: '???', channel: 'sms', intake: 'sms' });
    expect([unsure.category, unknown.category]).toEqual([null, null]);
    expect((await cases.triageQueue(AUTHORITY)).map((c) => c.reference)).toEqual([routed.reference, unsure.reference, unknown.reference]);
  });
});
