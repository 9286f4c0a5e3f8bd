import { afterEach, describe, expect, inject, it } from 'vitest';
import { SYSTEM_ACTOR } from '../core/index.js';
import { approvedKey } from '../events/testing.js';
import { testDialects } from '../store/testing.js';
import { CITIZEN, signedAt, startCaseInstance } from './testing.js';
import type { CaseTestInstance } from './testing.js';

const postgresUrl = inject('postgresUrl');

describe.each(testDialects(postgresUrl))('signed case calls and the member-admin API on %s', (dialect) => {
  let t: CaseTestInstance;
  afterEach(async () => t?.close());

  it('an institution opens, shares, assigns, notes, transfers and resolves by signed calls; others are refused', async () => {
    t = await startCaseInstance(dialect, postgresUrl);
    const send = signedAt(t);
    const hbl = await approvedKey(t, 'PK/BANK/HBL/complaints');
    const bisp = await approvedKey(t, 'PK/GOV/BISP/payments');
    const jazz = await approvedKey(t, 'PK/TELCO/JAZZ/sims');

    const opened = await send(hbl, 'POST', '/cases', { body: { category: 'PAYMENT-NOT-RECEIVED', text: 'qist nahi mili', citizen: { cnic: CITIZEN.cnic }, district: 'PB-LAHORE' } });
    expect(opened.status).toBe(201);
    const ref = opened.json().reference as string;
    expect((await send(hbl, 'POST', `/cases/${ref}/partners`, { body: { member: 'PK/GOV/BISP' } })).status).toBe(200);
    const task = await send(hbl, 'POST', `/cases/${ref}/tasks`, { body: { assignee: 'PK/GOV/BISP', title: 'check the payment file', dueDays: 1 } });
    expect(task.status).toBe(201);
    const taskId = task.json().task as string;
    // The partner completes its own task and writes an internal note; it cannot resolve the lead's case.
    expect((await send(bisp, 'POST', `/cases/${ref}/tasks/${taskId}/complete`)).status).toBe(200);
    expect((await send(bisp, 'POST', `/cases/${ref}/notes`, { body: { text: 'paid on 3 March', visibility: 'internal' } })).status).toBe(201);
    const refused = await send(bisp, 'POST', `/cases/${ref}/resolve`, { body: {} });
    expect(refused.status).toBe(403);
    expect(refused.json().type).toBe('https://rabta.pk/problems/forbidden');
    // An institution not on the case learns nothing of it.
    expect((await send(jazz, 'GET', `/cases/${ref}`)).json().type).toBe('https://rabta.pk/problems/unknown-case');
    expect((await send(jazz, 'GET', '/cases')).json()).toEqual([]);
    const wrong = ref.slice(0, -1) + String((Number(ref.slice(-1)) + 1) % 10);
    const badRef = await send(hbl, 'GET', `/cases/${wrong}`);
    expect(badRef.status).toBe(400);
    expect(badRef.json().type).toBe('https://rabta.pk/problems/case-reference-invalid');
    expect((await send(hbl, 'POST', '/cases', { body: { category: 'NOPE', text: 'x' } })).json().type).toBe('https://rabta.pk/problems/unknown-category');
    expect((await send(hbl, 'POST', '/cases', { body: { category: 'SIM-BLOCKED', text: 'x'.repeat(4001) } })).json().type).toBe('https://rabta.pk/problems/description-too-long');

    expect((await send(hbl, 'POST', `/cases/${ref}/accept`)).json().state).toBe('in-progress');
    expect((await send(hbl, 'POST', `/cases/${ref}/resolve`, { body: { note: 'credited again' } })).json().state).toBe('resolved');
    const view = (await send(bisp, 'GET', `/cases/${ref}`)).json() as { timeline: Array<{ kind: string; seq: number }>; notes: Array<{ text: string }> };
    expect(view.timeline.map((e) => e.kind)).toEqual(['opened', 'triaged', 'partner-added', 'task-assigned', 'task-completed', 'note', 'accepted', 'resolved']);
    const receipt = await send(bisp, 'GET', `/cases/${ref}/timeline/8/receipt`);
    expect(receipt.status).toBe(200);
    expect(receipt.json().proof).toContain('c2sp.org/tlog-proof');
    // An unsigned call is refused before anything else.
    const unsigned = await t.app.inject({ method: 'GET', url: `/cases/${ref}` });
    expect(unsigned.statusCode).toBe(400);
  });

  it('a member admin’s token acts only for its own member; the authority keeps the catalogue and the triage queue', async () => {
    t = await startCaseInstance(dialect, postgresUrl);
    const { token: hblToken } = await t.platform.registry.createOperator(SYSTEM_ACTOR, { name: 'hbl admin', role: 'member-admin', memberId: 'PK/BANK/HBL' });
    const call = async (token: string, method: string, url: string, payload?: unknown) => {
      const r = await t.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
      return { status: r.statusCode, json: () => JSON.parse(r.body) as Record<string, unknown> & { type?: string } };
    };
    const put = await call(t.token, 'PUT', '/admin/case-categories/ATM-CARD', { nameEn: 'ATM card', nameUr: 'اے ٹی ایم کارڈ', lead: 'PK/BANK/HBL', firstResponseDays: 1, resolutionDays: 2 });
    expect(put.status).toBe(200);
    expect((await call(hblToken, 'PUT', '/admin/case-categories/ATM-CARD', { nameEn: 'x', nameUr: 'x', firstResponseDays: 1, resolutionDays: 2 })).status).toBe(403);
    const opened = await call(hblToken, 'POST', '/admin/cases', { category: 'ATM-CARD', text: 'card phans gaya' });
    expect(opened.status).toBe(201);
    const ref = opened.json().reference as string;
    expect((await call(hblToken, 'POST', `/admin/cases/${ref}/transfer`, { to: 'PK/GOV/BISP', reason: 'programme card' })).json().lead).toBe('PK/GOV/BISP');
    expect((await call(hblToken, 'GET', `/admin/cases/${ref}`)).json().type).toBe('https://rabta.pk/problems/unknown-case');
    expect((await call(t.token, 'GET', `/admin/cases/${ref}`)).json().lead).toBe('PK/GOV/BISP');
    expect((await call(hblToken, 'PUT', '/admin/members/GOV/BISP/escalation-levels', { roles: ['x'] })).status).toBe(403);
    expect((await call(hblToken, 'PUT', '/admin/members/BANK/HBL/escalation-levels', { roles: ['complaints officer', 'president'] })).status).toBe(200);
    const key = await call(hblToken, 'POST', '/admin/members/BANK/HBL/intake-keys', { label: 'branch app' });
    expect(key.json().apiKey).toMatch(/^o311_/);
    expect((await call(hblToken, 'POST', '/admin/members/GOV/BISP/intake-keys', { label: 'x' })).status).toBe(403);
    const queued = await call(t.token, 'POST', '/admin/cases', { text: 'no category yet' });
    expect(queued.json().state).toBe('new');
    expect((await call(hblToken, 'GET', '/admin/case-triage')).status).toBe(403);
    expect(((await call(t.token, 'GET', '/admin/case-triage')).json() as unknown as Array<{ reference: string }>).map((c) => c.reference)).toEqual([queued.json().reference]);
    expect((await call(t.token, 'POST', `/admin/case-triage/${queued.json().reference as string}`, { category: 'ATM-CARD' })).json().lead).toBe('PK/BANK/HBL');
  });
});
