import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startDemoUnderTest } from '../../examples/demo/testing.js';
import type { DemoUnderTest } from '../../examples/demo/testing.js';
import { demoBeneficiaries } from '../../examples/demo/people.js';
import { CREDITED, declareDisbursementTopics } from '../../examples/demo/scenario/topics.js';
import { SYSTEM_ACTOR } from '../core/index.js';
import { freePort } from '../platform/testing.js';
import { RabtaClient, loadKeyFile } from '../sdk/index.js';
import { expectAccessible, firstLoadBytes, launchChromium, screenshot } from './testing.js';

/*
 * The operator console and the public dashboard in Debian's chromium, on
 * the demo: an operator signs in with her API token, approves a key waiting
 * in the queue, replays a dead letter, reads the audit trail with names; the
 * dashboard shows the pair of institutions in its network and suppresses a
 * small count (story.browser.test.ts walks the dashboard whole). axe-core on
 * every screen.
 */
describe('web: the console and the dashboard in a real browser', () => {
  let running: DemoUnderTest;
  let browser: Browser;
  let page: Page;
  let base: string;
  let keyId: string;
  let deadId: number;
  let queued: string;

  beforeAll(async () => {
    // Two quick attempts, so a delivery to a dead endpoint becomes a dead letter at once.
    running = await startDemoUnderTest({ RABTA_EVENTS_RETRY_SCHEDULE_MS: '0,10' });
    const { platform } = running.t;
    base = platform.config.publicUrl.replace(/\/$/, '');
    const keyOf = async (suffix: string) => {
      const key = await loadKeyFile(running.demo.keyFiles.find((f) => f.endsWith(suffix)) as string);
      return new RabtaClient({ baseUrl: base, client: key.client, keyId: key.keyId, privateKey: key.privateKey });
    };
    // Twelve statute calls from HBL to BISP (shown), and a key waiting for approval.
    const bank = await keyOf('HBL-branch-app.json');
    const citizen = demoBeneficiaries()[0]!;
    for (let i = 0; i < 12; i++) {
      const answer = await bank.call({ method: 'GET', path: '/x/PK/GOV/BISP/payments/beneficiary-status/beneficiaries/status', purpose: 'cash-transfer-disbursement', subject: citizen.cnic });
      expect(answer.status).toBe(200);
    }
    const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    const registered = await running.t.app.inject({ method: 'POST', url: '/admin/subsystems/GOV/BISP/payments/keys', headers: { authorization: `Bearer ${running.t.token}` }, payload: { jwk } });
    expect(registered.statusCode).toBe(201);
    keyId = (JSON.parse(registered.body) as { keyId: string }).keyId;
    // A subscriber whose endpoint is gone, and one credit published to it.
    await declareDisbursementTopics(platform);
    await platform.events.createSubscription(SYSTEM_ACTOR, { topicId: CREDITED, subscriberId: 'PK/GOV/BISP/payments', delivery: { webhook: `http://127.0.0.1:${await freePort()}/gone` } });
    const hbl = await keyOf('HBL-disbursement.json');
    await hbl.publish(CREDITED, { cnic: citizen.cnic, batchId: 'console-test', amountPkr: 13500, withdrawableFrom: '2026-12-02', agentArea: 'Quetta', withdrawableFromUr: '2 دسمبر 2026', agentAreaUr: 'کوئٹہ کے ایجنٹ' }, { purpose: 'cash-transfer-disbursement' });
    // Wait for the condition, not for time: the worker's two attempts fail and the delivery is dead.
    for (let i = 0; i < 400; i++) {
      const dead = (await platform.events.searchDeliveries(SYSTEM_ACTOR, { status: 'dead' })).deliveries;
      if (dead[0]) {
        deadId = dead[0].id;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(deadId).toBeDefined();
    // A catalogue with two of the router's labels, and a complaint the router is not sure of: it waits for triage.
    const authority = { kind: 'authority' as const, by: 'console-test' };
    await platform.cases.putCategory(authority, { code: 'BISP', nameEn: 'Cash transfer programme', nameUr: 'بی آئی ایس پی', lead: 'PK/GOV/BISP', firstResponseDays: 1, resolutionDays: 5 });
    await platform.cases.putCategory(authority, { code: 'BANK', nameEn: 'Bank', nameUr: 'بینک', lead: 'PK/BANK/HBL', firstResponseDays: 1, resolutionDays: 3 });
    const opened = await platform.cases.open(authority, { text: 'مجھے مدد چاہیے', channel: 'admin', intake: 'authority', citizen: { cnic: citizen.cnic } });
    expect(opened.state).toBe('new');
    queued = opened.reference;
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(20_000);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  it('signs an operator in with her token and approves the key waiting in the queue', async () => {
    await page.goto(`${base}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    await expectAccessible(page, 'console sign-in');
    await page.fill('#token', 'rbt_not-a-token');
    await page.click('form[action="/console/sign-in"] button');
    await page.waitForURL(`${base}/console/sign-in?m=bad`);
    await page.fill('#token', running.t.token);
    await page.click('form[action="/console/sign-in"] button');
    await page.waitForURL(`${base}/console`);
    await expectAccessible(page, 'console home');
    const cookie = (await page.context().cookies(base + '/console')).find((c) => c.name === 'rabta_console');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
    // The token is sealed, not readable in the cookie.
    expect(cookie?.value).not.toContain(running.t.token);

    await page.click('a[href="/console/approvals"]');
    await page.waitForURL(`${base}/console/approvals`);
    await expectAccessible(page, 'approvals');
    const row = page.locator('tr', { hasText: keyId });
    expect(await row.innerText()).toContain('test authority');
    await screenshot(page, 'console-approvals');
    await row.locator('button').click();
    await page.waitForURL(`${base}/console/approvals?m=approved`);
    expect((await running.t.platform.registry.getKey(keyId))?.status).toBe('approved');
    expect(await page.locator('tr', { hasText: keyId }).count()).toBe(0);
  }, 120_000);

  it('lists the dead letters and replays one through the admin API', async () => {
    await page.goto(`${base}/console/deliveries?status=dead`);
    await expectAccessible(page, 'deliveries');
    const before = (await running.t.platform.events.getDelivery(SYSTEM_ACTOR, deadId)).lastAttemptAt;
    await page.click(`tr[data-delivery="${deadId}"] button`);
    await page.waitForURL(`${base}/console/deliveries?status=dead&m=replayed`);
    // Queued again: the worker attempts it anew (and, the endpoint still gone, it dies again).
    await expect.poll(async () => (await running.t.platform.events.getDelivery(SYSTEM_ACTOR, deadId)).lastAttemptAt, { timeout: 20_000 }).not.toBe(before);
  }, 120_000);

  it('triages a queued case with the router’s suggestions, corrects them, and works the case from the inbox', async () => {
    await page.goto(`${base}/console/cases/triage`);
    await expectAccessible(page, 'triage');
    const card = page.locator(`section[data-triage="${queued}"]`);
    // The router's three suggestions with their confidence; the one the catalogue has comes first in the form.
    expect(await card.locator('ol.suggestions li').count()).toBe(3);
    expect(await card.locator('ol.suggestions li').first().innerText()).toMatch(/%/);
    const select = card.locator('select[name=category]');
    // Preselected: the best of the router's suggestions that the catalogue has.
    const said = await running.t.platform.cases.triageSuggestions({ kind: 'authority', by: 'test' }, queued);
    const best = said.suggestions.find((s) => s.inCatalogue)?.category;
    expect(best).toBeDefined();
    expect(best).not.toBe('BANK');
    expect(await select.inputValue()).toBe(best);
    await screenshot(page, 'console-triage');
    // The officer knows better: it is the bank's (a correction of the router).
    await select.selectOption('BANK');
    await card.locator('button[type=submit]').click();
    await page.waitForURL(`${base}/console/cases/triage?m=corrected&r=${queued}`);
    expect(await page.locator(`section[data-triage="${queued}"]`).count()).toBe(0);
    const triaged = await running.t.platform.cases.view({ kind: 'authority', by: 'test' }, queued);
    expect(triaged).toMatchObject({ state: 'triaged', category: 'BANK', lead: 'PK/BANK/HBL' });

    // The inbox, nearest deadline first: the case is there, with its lead; its page has the actions.
    await page.goto(`${base}/console/cases`);
    await expectAccessible(page, 'cases inbox');
    const dues = await page.locator('tbody tr td:nth-child(6)').allInnerTexts();
    expect([...dues].sort()).toEqual(dues);
    await page.click(`tr[data-case="${queued}"] a`);
    await page.waitForURL(`${base}/console/cases/${queued}`);
    await expectAccessible(page, 'case');
    await page.click(`form[action="/console/cases/${queued}/accept"] button`);
    await page.waitForURL(`${base}/console/cases/${queued}?m=accept`);
    await page.selectOption('#partner-member', 'PK/GOV/BISP');
    await page.click(`form[action="/console/cases/${queued}/partner"] button`);
    await page.waitForURL(`${base}/console/cases/${queued}?m=partner`);
    await page.selectOption('#task-assignee', 'PK/GOV/BISP');
    await page.fill('#task-title', 'confirm the beneficiary record');
    await page.click(`form[action="/console/cases/${queued}/task"] button`);
    await page.waitForURL(`${base}/console/cases/${queued}?m=task`);
    // A task for someone not on the case is refused by the API, and said so.
    await page.selectOption('#task-assignee', 'PK/TELCO/JAZZ');
    await page.fill('#task-title', 'not theirs');
    await page.click(`form[action="/console/cases/${queued}/task"] button`);
    await page.waitForURL(new RegExp(`/console/cases/${queued}\\?m=refused`));
    expect(await page.locator('[role=alert]').count()).toBe(1);
    await page.fill('#resolve-note', 'paid again');
    await page.click(`form[action="/console/cases/${queued}/resolve"] button`);
    await page.waitForURL(`${base}/console/cases/${queued}?m=resolve`);
    const worked = await running.t.platform.cases.view({ kind: 'authority', by: 'test' }, queued);
    expect(worked.state).toBe('resolved');
    expect(worked.partners).toEqual(['PK/GOV/BISP']);
    expect(worked.tasks.map((t) => t.title)).toContain('confirm the beneficiary record');
    await screenshot(page, 'console-case');
    await page.goto(`${base}/console/cases/escalations`);
    await expectAccessible(page, 'escalations');
    expect(await page.locator('table').count()).toBe(2);
  }, 120_000);

  it('shows the audit trail with operators’ names, and every list screen', async () => {
    await page.goto(`${base}/console/audit`);
    await expectAccessible(page, 'audit');
    expect(await page.locator('tr', { hasText: 'key.approve' }).first().innerText()).toContain('test authority');
    for (const section of ['members', 'services', 'purposes', 'access', 'topics', 'subscriptions', 'witnesses']) {
      await page.goto(`${base}/console/${section}`);
      expect(await page.locator('table').count()).toBeGreaterThan(0);
      await expectAccessible(page, section);
    }
  }, 120_000);

  it('loads each console screen with no script and well under 200 KB', async () => {
    for (const section of ['approvals', 'deliveries', 'audit', 'members', 'cases', 'cases/triage', 'cases/escalations']) {
      const { total, parts } = await firstLoadBytes(page, `${base}/console/${section}`);
      expect(Object.keys(parts).filter((p) => p.endsWith('.js'))).toEqual([]);
      expect(total).toBeLessThan(200 * 1024);
    }
  }, 120_000);

  it('shows the dashboard without sign-in: HBL and BISP in the network of institutions, the small count of credits suppressed', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const public_ = await context.newPage();
    await public_.goto(`${base}/dashboard/network`);
    await expectAccessible(public_, 'dashboard network ur');
    // HBL asked BISP twelve times: a volume shown, in Urdu digits, not withheld.
    const pair = await public_.locator('tr[data-row="PK/BANK/HBL|PK/GOV/BISP"] td').first().innerText();
    expect(pair).toMatch(/^[۰-۹,]+$/);
    await public_.goto(`${base}/dashboard`);
    await expectAccessible(public_, 'dashboard ur');
    // One credit event: suppressed.
    expect(await public_.locator('section[aria-labelledby="events"] tbody').innerText()).toContain('< ۱۰');
    await public_.click('form[action="/lang"] button');
    await public_.waitForURL(`${base}/dashboard`);
    await expectAccessible(public_, 'dashboard en');
    expect(await public_.locator('section[aria-labelledby="events"] tbody').innerText()).toContain('< 10');
    await context.close();
  }, 120_000);
});
