import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SYSTEM_ACTOR, subjectHash, PROBLEM_BASE } from '../core/index.js';
import { citizensRows } from '../citizens/testing.js';
import { consentRows } from '../consent/testing.js';
import { memoryMessenger } from '../notify/index.js';
import { startTestInstance } from '../platform/testing.js';
import type { TestInstance } from '../platform/testing.js';
import { testDialects } from '../store/testing.js';
import { approvedKey, signedSender, until } from './testing.js';
import type { ClientKey } from './testing.js';
import type { EventsTables } from './tables.js';

const postgresUrl = inject('postgresUrl');
const TOPIC = 'PK/BANK/HBL/disbursement/payment.credited';
const AMINA = { cnic: '54400-1111111-2', mobile: '+923331111111' };
const BILAL = { cnic: '54400-2222222-3', mobile: '+923332222222' };
const STRANGER = '+923339999999';

const SCHEMA = {
  type: 'object',
  required: ['cnic', 'amount', 'from'],
  additionalProperties: false,
  properties: { cnic: { type: 'string', pattern: '^\\d{5}-\\d{7}-\\d$' }, amount: { type: 'integer', minimum: 1 }, from: { type: 'string' }, agent: { type: 'object', properties: { area: { type: 'string' } } } },
};

for (const dialect of testDialects(postgresUrl)) {
  describe(`citizen notices, STATUS and batches of events on ${dialect}`, () => {
    let t: TestInstance;
    let hbl: ClientKey;
    let send: ReturnType<typeof signedSender>;
    let hblToken: string;
    const messenger = memoryMessenger();
    const problem = (r: { status: number; json: () => { type?: string } }) => ({ status: r.status, type: r.json().type?.replace(PROBLEM_BASE, '') });
    const admin = async (token: string, method: string, url: string, payload?: unknown) => {
      const response = await t.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
      return { status: response.statusCode, json: () => JSON.parse(response.body) as Record<string, unknown> & { type?: string } };
    };
    const credited = (cnic: string, amount: number) => ({ cnic, amount, from: '2026-12-01', agent: { area: 'Quetta Cantt' } });
    const publish = (body: unknown, headers: Record<string, string> = {}) => send(hbl, 'POST', `/events/${TOPIC}`, { body, headers: { 'rabta-purpose': 'disbursement', ...headers } });
    const batch = (events: unknown[], headers: Record<string, string> = {}) => send(hbl, 'POST', `/events/${TOPIC}/batch`, { body: { events }, headers: { 'rabta-purpose': 'disbursement', ...headers } });
    const sms = (from: string, text: string) => t.platform.citizens.handleInboundSms({ from, text });
    const hashOf = (cnic: string) => subjectHash(t.platform.keyring.subjectSecret, cnic.replaceAll('-', ''));
    const countEvents = async () => Number((await t.platform.store.tables<EventsTables>().selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    beforeAll(async () => {
      t = await startTestInstance(dialect, postgresUrl, { platform: { messenger, events: { worker: false } } });
      send = signedSender(t);
      const r = t.platform.registry;
      await r.createMember(SYSTEM_ACTOR, { memberClass: 'BANK', code: 'HBL', nameEn: 'HBL', nameUr: 'ایچ بی ایل' });
      await r.createMember(SYSTEM_ACTOR, { memberClass: 'GOV', code: 'BISP', nameEn: 'BISP', nameUr: 'بینظیر انکم سپورٹ پروگرام' });
      await r.createSubsystem(SYSTEM_ACTOR, 'PK/BANK/HBL', { code: 'disbursement', name: 'disbursement' });
      await r.createSubsystem(SYSTEM_ACTOR, 'PK/GOV/BISP', { code: 'payments', name: 'payments' });
      await r.createPurpose(SYSTEM_ACTOR, { code: 'disbursement', nameEn: 'd', nameUr: 'd', legalBasis: 'statute', statute: 'BISP Act 2010' });
      await r.createPurpose(SYSTEM_ACTOR, { code: 'support', nameEn: 'support', nameUr: 'مدد', legalBasis: 'consent', statute: null });
      hbl = await approvedKey(t, 'PK/BANK/HBL/disbursement');
      hblToken = (await r.createOperator(SYSTEM_ACTOR, { name: 'HBL admin', role: 'member-admin', memberId: 'PK/BANK/HBL' })).token;
      await t.platform.events.createTopic(SYSTEM_ACTOR, 'PK/BANK/HBL/disbursement', { code: 'payment.credited', title: 'credited', schema: SCHEMA, personal: true, subjectPath: 'cnic' });
      await t.platform.events.grantTopicAccess(SYSTEM_ACTOR, { topicId: TOPIC, subscriberId: 'PK/GOV/BISP/payments', purposes: ['disbursement', 'support'] });
      await t.platform.events.createSubscription(SYSTEM_ACTOR, { topicId: TOPIC, subscriberId: 'PK/GOV/BISP/payments', delivery: { pull: true }, filter: null });
      await t.platform.citizens.registerCitizen(SYSTEM_ACTOR, { ...AMINA, language: 'ur' });
      await t.platform.citizens.registerCitizen(SYSTEM_ACTOR, { ...BILAL, language: 'en' });
    });
    afterAll(async () => t?.close());

    it('takes a notification rule only for fields the topic declares, from the topic’s member', async () => {
      const url = `/admin/topics/${TOPIC.split('/').slice(1).join('/')}/notice-rule`;
      expect(problem(await admin(hblToken, 'PUT', url, { ur: 'رقم {amount}', en: 'Amount {amont}' }))).toEqual({ status: 400, type: 'bad-request' });
      const set = await admin(hblToken, 'PUT', url, {
        ur: '{amount} روپے آپ کے اکاؤنٹ میں آ گئے، {from} سے {agent.area} میں نکلوا سکتے ہیں',
        en: 'Rs {amount} credited; withdraw from {from} in {agent.area}',
        status: true,
      });
      expect(set.status).toBe(200);
      expect(set.json()).toMatchObject({ topic: TOPIC, status: true, fields: ['amount', 'from', 'agent.area'] });
      expect((await admin(hblToken, 'GET', url)).json()).toMatchObject({ en: 'Rs {amount} credited; withdraw from {from} in {agent.area}' });
    });

    it('limits a rule by the SMS its citizens receive — name, values and fee warning included — not by the template', async () => {
      const url = `/admin/topics/${TOPIC.split('/').slice(1).join('/')}/notice-rule`;
      // 70 characters of template, but {from} may be a long district name and the amount six figures: past two UCS-2 parts.
      const long = await admin(hblToken, 'PUT', url, { ur: `${'ب'.repeat(60)} {amount} روپے {from} {agent.area}`, en: 'Rs {amount} credited' });
      expect(problem(long)).toEqual({ status: 400, type: 'bad-request' });
      expect(long.json()).toMatchObject({ language: 'ur', parts: 3, maxParts: 2 });
      // And 230 characters of English that render in two GSM-7 parts are taken, though the template is long.
      const english = `${'Your payment is in your account. '.repeat(6).trim()} Rs {amount}`;
      expect(english.length).toBeGreaterThan(200);
      expect((await admin(hblToken, 'PUT', url, { ur: '{amount} روپے آ گئے', en: english })).status).toBe(200);
      expect((await admin(hblToken, 'PUT', url, { ur: '{amount} روپے آ گئے', en: `${english} ${'x'.repeat(120)}` })).json()).toMatchObject({ language: 'en', parts: 3 });
      // The rule the tests below rely on, again.
      const rule = { ur: '{amount} روپے آپ کے اکاؤنٹ میں آ گئے، {from} سے {agent.area} میں نکلوا سکتے ہیں', en: 'Rs {amount} credited; withdraw from {from} in {agent.area}', status: true };
      expect((await admin(hblToken, 'PUT', url, rule)).status).toBe(200);
    });

    it('tells each registered subject in their language, records the event in their tracker, and sends nothing to the unregistered', async () => {
      messenger.clear();
      expect((await publish(credited(AMINA.cnic, 13500))).status).toBe(201);
      expect((await publish(credited(BILAL.cnic, 9000))).status).toBe(201);
      expect((await publish(credited('54400-3333333-4', 7000))).status).toBe(201);
      const notices = await until(() => (messenger.sent.filter((m) => m.template === 'event-notice').length >= 2 ? messenger.sent : undefined), 10_000, 'two notices');
      await t.platform.citizens.notices.idle();
      expect(notices.filter((m) => m.template === 'event-notice')).toHaveLength(2);
      expect(messenger.last(AMINA.mobile, 'event-notice')?.text).toBe('ایچ بی ایل: \u200E13,500 روپے آپ کے اکاؤنٹ میں آ گئے، \u200E2026-12-01 سے Quetta Cantt میں نکلوا سکتے ہیں۔ کوئی فیس یا کٹوتی کبھی نہیں۔');
      expect(messenger.last(BILAL.mobile, 'event-notice')?.text).toBe('HBL: Rs 9,000 credited; withdraw from 2026-12-01 in Quetta Cantt. No fee or deduction is ever due.');
      const tracker = await consentRows(t.platform.store.db).tracker({ subjectHash: hashOf(AMINA.cnic) });
      expect(tracker).toHaveLength(1);
      expect(tracker[0]).toMatchObject({ kind: 'event', service_id: TOPIC, client_id: 'PK/BANK/HBL/disbursement', legal_basis: 'statute', statute: 'BISP Act 2010', outcome: 'published' });
      expect(JSON.parse(tracker[0]?.recipients as string)).toEqual(['PK/GOV/BISP/payments']);
      const sent = await citizensRows(t.platform.store.db).notifications(hashOf(AMINA.cnic));
      expect(sent.map((s) => s.status)).toEqual(['sent']);
    });

    it('answers STATUS, halat, حالت and a bare CNIC with the latest status, CNIC masked; a number not registered to that CNIC learns nothing', async () => {
      messenger.clear();
      expect(await sms(AMINA.mobile, 'حالت')).toEqual({ outcome: 'status' });
      const reply = messenger.last(AMINA.mobile, 'status-reply');
      expect(reply?.text).toContain('54400-*****11-2');
      expect(reply?.text).toContain('\u200E13,500 روپے');
      expect(reply?.text).not.toContain('1111111');
      expect(await sms(BILAL.mobile, 'Status')).toEqual({ outcome: 'status' });
      expect(messenger.last(BILAL.mobile, 'status-reply')?.text).toMatch(/^Rabta: CNIC 54400-\*{5}22-3, HBL \(\d{1,2} [A-Z][a-z]{2} \d{4}\): Rs 9,000 credited/);
      expect(await sms(AMINA.mobile, 'halat 54400 1111111 2')).toEqual({ outcome: 'status' });
      expect(await sms(AMINA.mobile, '٥٤٤٠٠-١١١١١١١-٢')).toEqual({ outcome: 'status' });
      // Bilal's CNIC from Amina's phone, and anything from a stranger: the same impersonal answer.
      expect(await sms(AMINA.mobile, BILAL.cnic)).toEqual({ outcome: 'status-unknown' });
      expect(await sms(STRANGER, `STATUS ${AMINA.cnic}`)).toEqual({ outcome: 'status-unknown' });
      expect(await sms(STRANGER, 'halat')).toEqual({ outcome: 'status-unknown' });
      const impersonal = messenger.sent.filter((m) => m.template === 'status-unknown');
      expect(impersonal).toHaveLength(3);
      for (const m of impersonal) expect(m.text).not.toMatch(/\d{5}|13500|9000/);
    });

    it('stops an institution’s notices by SMS and resumes them, while STATUS still answers', async () => {
      messenger.clear();
      expect(await sms(AMINA.mobile, 'band hbl')).toEqual({ outcome: 'stopped' });
      expect(messenger.last(AMINA.mobile, 'notices-stopped')?.text).toContain('ایچ بی ایل');
      expect(await sms(AMINA.mobile, 'BAND NOPE')).toEqual({ outcome: 'institution-unknown' });
      expect((await publish(credited(AMINA.cnic, 14000))).status).toBe(201);
      await until(async () => {
        const rows = await citizensRows(t.platform.store.db).notifications(hashOf(AMINA.cnic), 'event-notice');
        return rows.length === 2 ? rows : undefined;
      });
      await t.platform.citizens.notices.sendOnce();
      expect(messenger.last(AMINA.mobile, 'event-notice')).toBeUndefined();
      expect(await sms(AMINA.mobile, 'halat')).toEqual({ outcome: 'status' });
      expect(messenger.last(AMINA.mobile, 'status-reply')?.text).toContain('14,000');
      expect(await sms(AMINA.mobile, 'شروع HBL')).toEqual({ outcome: 'resumed' });
      expect((await publish(credited(AMINA.cnic, 15000))).status).toBe(201);
      await until(() => messenger.last(AMINA.mobile, 'event-notice'), 10_000, 'the resumed notice');
      expect(messenger.last(AMINA.mobile, 'event-notice')?.text).toContain('15,000');
    });

    it('sends again a notice whose sender died holding it, and lets the citizen stop institutions on the web too', async () => {
      messenger.clear();
      expect((await publish(credited(BILAL.cnic, 16000))).status).toBe(201);
      await until(() => messenger.last(BILAL.mobile, 'event-notice'), 10_000, 'the notice');
      await t.platform.citizens.notices.idle();
      // As if a node had claimed it long ago and died before it could say "sent".
      const row = (await citizensRows(t.platform.store.db).notifications(hashOf(BILAL.cnic))).at(-1);
      if (!row) throw new Error('no notification for Bilal');
      await citizensRows(t.platform.store.db).claimNotification(row.id, 'dead-node', Date.now() - 3_600_000);
      messenger.clear();
      await until(() => messenger.last(BILAL.mobile, 'event-notice'), 10_000, 'the notice sent again');
      expect(messenger.last(BILAL.mobile, 'event-notice')?.text).toContain('16,000');

      const post = (url: string, payload: unknown) => t.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown> });
      expect((await post('/citizen/otp', { cnic: BILAL.cnic })).statusCode).toBe(202);
      const code = messenger.last(BILAL.mobile, 'otp')?.params.code as string;
      const session = await post('/citizen/session', { cnic: BILAL.cnic, code });
      const auth = { authorization: `Bearer ${(JSON.parse(session.body) as { token: string }).token}` };
      const settings = async (method: 'GET' | 'PUT', payload?: unknown) => {
        const r = await t.app.inject({ method, url: '/citizen/notice-settings', headers: auth, ...(payload ? { payload: payload as Record<string, unknown> } : {}) });
        return { status: r.statusCode, body: JSON.parse(r.body) as { stopped?: string[]; type?: string } };
      };
      expect(await settings('GET')).toEqual({ status: 200, body: { stopped: [] } });
      expect(await settings('PUT', { stopped: ['PK/BANK/HBL'] })).toEqual({ status: 200, body: { stopped: ['PK/BANK/HBL'] } });
      expect((await settings('PUT', { stopped: ['PK/BANK/NOPE'] })).status).toBe(400);
      messenger.clear();
      expect((await publish(credited(BILAL.cnic, 17000))).status).toBe(201);
      await until(async () => {
        const latest = (await citizensRows(t.platform.store.db).notifications(hashOf(BILAL.cnic), 'event-notice')).at(-1);
        return latest?.status === 'suppressed';
      });
      expect(messenger.last(BILAL.mobile, 'event-notice')).toBeUndefined();
      const access = await t.app.inject({ method: 'GET', url: '/citizen/access', headers: auth });
      const items = (JSON.parse(access.body) as { items: Array<{ kind: string; service: string; recipients: Array<{ id: string }> }> }).items;
      expect(items[0]).toMatchObject({ kind: 'event', service: TOPIC, recipients: [{ id: 'PK/GOV/BISP' }] });
      expect(await settings('PUT', { stopped: [] })).toEqual({ status: 200, body: { stopped: [] } });
    });

    it('under a consent purpose, delivers only to the subscribers the subject consented to, and the consent can name the topic', async () => {
      const deliveries = async (eventId: string) => t.platform.store.tables<EventsTables>().selectFrom('event_deliveries').select('subscription_id').where('event_id', '=', eventId).execute();
      const before = await publish(credited(AMINA.cnic, 500), { 'rabta-purpose': 'support' });
      expect(before.status).toBe(201);
      expect(await deliveries(before.json().id as string)).toHaveLength(0);

      messenger.clear();
      const asked = await t.platform.consent.requestConsent('PK/GOV/BISP/payments', {
        cnic: AMINA.cnic,
        services: [TOPIC],
        purpose: 'support',
        validUntil: Date.now() + 30 * 86_400_000,
        dataLifeDays: 30,
        frequency: { count: 10, per: 'day' },
      });
      const code = messenger.last(AMINA.mobile, 'consent-request')?.params.code as string;
      expect(await sms(AMINA.mobile, `HAAN ${code}`)).toMatchObject({ outcome: 'approved' });
      const after = await publish(credited(AMINA.cnic, 600), { 'rabta-purpose': 'support' });
      expect(after.status).toBe(201);
      expect(await deliveries(after.json().id as string)).toHaveLength(1);
      const [tracked] = await consentRows(t.platform.store.db).tracker({ exchangeId: after.json().id as string });
      expect(tracked).toMatchObject({ legal_basis: 'consent', consent_id: asked.id });
      // Bilal consented to nothing: an event about him under this purpose reaches no one.
      const other = await publish(credited(BILAL.cnic, 700), { 'rabta-purpose': 'support' });
      expect(await deliveries(other.json().id as string)).toHaveLength(0);
      await expect(
        t.platform.consent.requestConsent('PK/GOV/BISP/payments', { cnic: AMINA.cnic, services: [`${TOPIC}x`], purpose: 'support', validUntil: Date.now() + 86_400_000, dataLifeDays: 1, frequency: { count: 1, per: 'day' } }),
      ).rejects.toMatchObject({ code: 'unknown-service' });
    });

    it('publishes a batch all or none: rows at fault are listed and nothing is written; a retry with the key returns the same events', async () => {
      const before = await countEvents();
      const bad = await batch([credited(AMINA.cnic, 1), { cnic: 'x', amount: 0, from: '' }, credited(BILAL.cnic, 2), { amount: 5 }]);
      expect(problem(bad)).toEqual({ status: 422, type: 'event-invalid' });
      expect(bad.json()).toMatchObject({ invalidRows: 2, rows: [{ row: 1 }, { row: 3 }] });
      expect(await countEvents()).toBe(before);
      expect(problem(await batch([]))).toEqual({ status: 400, type: 'bad-request' });
      expect(problem(await send(hbl, 'POST', `/events/${TOPIC}/batch`, { body: '{"events": [', headers: { 'rabta-purpose': 'disbursement' } }))).toEqual({ status: 400, type: 'malformed-json' });

      const rows = Array.from({ length: 1200 }, (_, i) => credited(`54400-${String(4000000 + i)}-5`, 100 + i));
      const ok = await batch(rows, { 'idempotency-key': 'batch-2026-12' });
      expect(ok.status).toBe(201);
      const ids = (ok.json().events as Array<{ id: string }>).map((e) => e.id);
      expect(ids).toHaveLength(1200);
      expect([...ids].sort()).toEqual(ids);
      expect(await countEvents()).toBe(before + 1200);
      const again = await batch(rows, { 'idempotency-key': 'batch-2026-12' });
      expect(again.status).toBe(200);
      expect(again.json()).toEqual({ events: ids.map((id) => ({ id })), created: false });
      expect(problem(await batch(rows.slice(1), { 'idempotency-key': 'batch-2026-12' }))).toEqual({ status: 422, type: 'idempotency-key-reused' });
      expect(await countEvents()).toBe(before + 1200);
      const pulled = await t.platform.store.tables<EventsTables>().selectFrom('event_deliveries').select((eb) => eb.fn.countAll().as('n')).where('event_id', 'in', ids).executeTakeFirstOrThrow();
      expect(Number(pulled.n)).toBe(1200);
      const tracked = await consentRows(t.platform.store.db).tracker({ subjectHash: hashOf('54400-4000007-5') });
      expect(tracked.map((r) => r.exchange_id)).toEqual([ids[7]]);
    });
  });
}
