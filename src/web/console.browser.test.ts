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
 * dashboard shows the exchanges between institutions as a chart and a
 * table, with small counts suppressed. axe-core on every screen.
 */
describe('web: the console and the dashboard in a real browser', () => {
  let running: DemoUnderTest;
  let browser: Browser;
  let page: Page;
  let base: string;
  let keyId: string;
  let deadId: number;

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
    for (const section of ['approvals', 'deliveries', 'audit', 'members']) {
      const { total, parts } = await firstLoadBytes(page, `${base}/console/${section}`);
      expect(Object.keys(parts).filter((p) => p.endsWith('.js'))).toEqual([]);
      expect(total).toBeLessThan(200 * 1024);
    }
  }, 120_000);

  it('shows the dashboard without sign-in: exchanges per institution pair as chart and table, small counts suppressed', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const public_ = await context.newPage();
    await public_.goto(`${base}/dashboard`);
    await expectAccessible(public_, 'dashboard ur');
    const table = public_.locator('section[aria-labelledby="exchanges"] table');
    const rows = await table.locator('tbody tr').allInnerTexts();
    // HBL asked BISP twelve times: shown, in Urdu digits.
    expect(rows.some((r) => r.includes('۱۲'))).toBe(true);
    // One credit event: suppressed.
    expect(await public_.locator('section[aria-labelledby="events"] tbody').innerText()).toContain('< ۱۰');
    await screenshot(public_, 'dashboard-ur');
    await public_.click('form[action="/lang"] button');
    await public_.waitForURL(`${base}/dashboard`);
    await expectAccessible(public_, 'dashboard en');
    expect((await public_.locator('section[aria-labelledby="exchanges"] tbody').innerText())).toContain('12');
    await context.close();
  }, 120_000);
});
