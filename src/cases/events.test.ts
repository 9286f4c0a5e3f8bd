import { afterEach, describe, expect, inject, it } from 'vitest';
import { SYSTEM_ACTOR } from '../core/index.js';
import { testDialects } from '../store/testing.js';
import { AUTHORITY, BISP, CITIZEN, HBL, startCaseInstance } from './testing.js';
import type { CaseTestInstance } from './testing.js';
import type { CasesTables } from './tables.js';

const postgresUrl = inject('postgresUrl');
const FAILED = 'PK/BANK/HBL/complaints/withdrawal.failed';
const CASE_TOPIC = (t: string) => `PK/GOV/RABTA/cases/${t}`;

describe.each(testDialects(postgresUrl))('cases and events on %s', (dialect) => {
  let t: CaseTestInstance;
  afterEach(async () => t?.close());

  it('a rule opens a joint case from a failed withdrawal (once per subject), and every change reaches the institutions on case.* topics', async () => {
    t = await startCaseInstance(dialect, postgresUrl);
    const { events, registry, cases } = t.platform;
    await registry.createPurpose(SYSTEM_ACTOR, { code: 'disbursement', nameEn: 'Disbursement', nameUr: 'ادائیگی', legalBasis: 'statute', statute: 'BISP Act 2010' });
    await events.createTopic(SYSTEM_ACTOR, 'PK/BANK/HBL/complaints', {
      code: 'withdrawal.failed',
      title: 'A withdrawal failed',
      personal: true,
      subjectPath: 'cnic',
      schema: { type: 'object', required: ['cnic'], properties: { cnic: { type: 'string' }, atm: { type: 'string' } } },
    });
    // The case.* topics are the instance's own: seeded by the first publication.
    await cases.open(AUTHORITY, { category: 'SIM-BLOCKED', lead: 'PK/TELCO/JAZZ', text: 'seed', channel: 'admin', intake: 'test' });
    await cases.processPending();
    const subscriptions: Record<string, string> = {};
    for (const [member, subsystem] of [['PK/BANK/HBL', 'PK/BANK/HBL/complaints'], ['PK/GOV/BISP', 'PK/GOV/BISP/payments']] as const) {
      for (const topic of ['case.opened', 'case.assigned', 'case.resolved', 'case.reopened', 'case.escalated', 'case.closed']) {
        await events.grantTopicAccess(SYSTEM_ACTOR, { topicId: CASE_TOPIC(topic), subscriberId: subsystem, purposes: ['disbursement'] });
      }
      const sub = await events.createSubscription(SYSTEM_ACTOR, { topicId: CASE_TOPIC('case.opened'), subscriberId: subsystem, delivery: { pull: true }, filter: { institution: member } });
      subscriptions[member] = sub.id;
    }

    const rule = await cases.addRule(HBL, 'PK/BANK/HBL', { topic: FAILED, category: 'PAYMENT-NOT-RECEIVED', lead: 'PK/BANK/HBL', partners: ['PK/GOV/BISP'], withinDays: 30 });
    expect(rule.partners).toEqual(['PK/GOV/BISP']);
    const publish = async () => events.publish({ publisherId: 'PK/BANK/HBL/complaints', topicId: FAILED, body: Buffer.from(JSON.stringify({ cnic: CITIZEN.cnic, atm: 'Mall Road' })), purpose: 'disbursement', view: await registry.view() });
    const first = await publish();
    expect((await cases.processPending()).opened).toBe(1);
    await publish();
    await cases.processPending();
    const ruled = await t.platform.store.tables<CasesTables>().selectFrom('cases').selectAll().where('rule_id', '=', rule.id).execute();
    expect(ruled).toHaveLength(1);
    const view = await cases.view(BISP, ruled[0]?.reference as string);
    expect(view).toMatchObject({ lead: 'PK/BANK/HBL', partners: ['PK/GOV/BISP'], event: first.id, state: 'triaged', category: 'PAYMENT-NOT-RECEIVED' });
    expect(view.citizen?.cnic).toBe('35202-*****67-1');
    expect(t.lastSms(CITIZEN.mobile)?.text).toContain(view.reference);

    // Each institution on the case hears case.opened, filtered to itself; the payload holds no text or CNIC.
    for (const [member, client] of [['PK/BANK/HBL', 'PK/BANK/HBL/complaints'], ['PK/GOV/BISP', 'PK/GOV/BISP/payments']] as const) {
      const page = await events.pull(client, subscriptions[member] as string, {});
      const mine = page.events.map((e) => JSON.parse(e.data) as Record<string, unknown>).filter((d) => d.reference === view.reference);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ institution: member, state: 'new', change: 'opened', lead: 'PK/BANK/HBL', partners: ['PK/GOV/BISP'] });
      expect(JSON.stringify(mine[0])).not.toContain('1234567');
    }
    // Processing again publishes nothing twice.
    expect((await cases.processPending()).published).toBe(0);
  });
});
