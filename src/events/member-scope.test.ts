import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SYSTEM_ACTOR } from '../core/index.js';
import { startTestInstance } from '../platform/testing.js';
import type { TestInstance } from '../platform/testing.js';
import { testDialects } from '../store/testing.js';
import { approvedKey, signedSender, startReceiver, until } from './testing.js';
import type { EventsTables } from './tables.js';

const postgresUrl = inject('postgresUrl');
const TOPIC = 'PK/BANK/HBL/disbursement/payment.credited';

/**
 * A member admin's scope is its member, exactly: member codes may hold `_`
 * (a LIKE wildcard) and differ only in case (SQLite's LIKE ignores case), so
 * the admins of `PK/BANK/H_L` and `PK/BANK/hbl` must see nothing of HBL's.
 */
for (const dialect of testDialects(postgresUrl)) {
  describe(`member-admin scope on ${dialect}`, () => {
    let t: TestInstance;
    const tokens: Record<string, string> = {};
    let rx: Awaited<ReturnType<typeof startReceiver>>;
    let hblSubscription: string;
    let deadId: number;
    const started = Date.now();

    const admin = async (token: string, method: string, url: string, payload?: Record<string, unknown>) => {
      const response = await t.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
      return { status: response.statusCode, json: () => JSON.parse(response.body) as unknown };
    };

    beforeAll(async () => {
      t = await startTestInstance(dialect, postgresUrl, { platform: { events: { worker: { schedule: [0], jitter: 0, pollMs: 10, disableAfterDeadLetters: 100 } } } });
      const r = t.platform.registry;
      const a = SYSTEM_ACTOR;
      for (const code of ['HBL', 'H_L', 'hbl']) {
        await r.createMember(a, { memberClass: 'BANK', code, nameEn: code, nameUr: code });
        await r.createSubsystem(a, `PK/BANK/${code}`, { code: 'disbursement', name: 'disbursement' });
        tokens[code] = (await r.createOperator(a, { name: `${code} admin`, role: 'member-admin', memberId: `PK/BANK/${code}` })).token;
      }
      await r.createMember(a, { memberClass: 'GOV', code: 'BISP', nameEn: 'BISP', nameUr: 'BISP' });
      await r.createSubsystem(a, 'PK/GOV/BISP', { code: 'payments', name: 'payments' });
      await r.createPurpose(a, { code: 'disbursement', nameEn: 'd', nameUr: 'd', legalBasis: 'statute', statute: 'BISP Act 2010' });
      await r.createService(a, 'PK/BANK/HBL/disbursement', { code: 'account-status', title: 'account status', upstreamUrl: 'http://127.0.0.1:9/status' });
      await r.grantAccess(a, { serviceId: 'PK/BANK/HBL/disbursement/account-status', clientId: 'PK/GOV/BISP/payments', purposes: ['disbursement'] });

      await t.platform.events.createTopic(a, 'PK/BANK/HBL/disbursement', { code: 'payment.credited', title: 'credited', schema: { type: 'object' } });
      await t.platform.events.grantTopicAccess(a, { topicId: TOPIC, subscriberId: 'PK/GOV/BISP/payments', purposes: ['disbursement'] });
      // A receiver that refuses every delivery: HBL's event becomes a dead letter.
      rx = await startReceiver(() => ({ status: 400 }));
      const bisp = await approvedKey(t, 'PK/GOV/BISP/payments');
      const hbl = await approvedKey(t, 'PK/BANK/HBL/disbursement');
      const send = signedSender(t);
      const sub = await send(bisp, 'POST', '/subscriptions', { body: { topic: TOPIC, delivery: { webhook: rx.url } } });
      expect(sub.status).toBe(201);
      hblSubscription = sub.json().id as string;
      const event = await send(hbl, 'POST', `/events/${TOPIC}`, { body: { amount: 1 }, headers: { 'rabta-purpose': 'disbursement' } });
      expect(event.status).toBe(201);
      const dead = await until(
        () => t.platform.store.tables<EventsTables>().selectFrom('event_deliveries').select(['id', 'status']).where('event_id', '=', event.json().id as string).where('status', '=', 'dead').executeTakeFirst(),
        5000,
        'the dead letter',
      );
      deadId = Number(dead.id);
    });
    afterAll(async () => {
      await t?.close();
      await rx?.close();
    });

    it('shows HBL its own subscriptions, deliveries and topic rights (the control)', async () => {
      expect(((await admin(tokens.HBL!, 'GET', '/admin/subscriptions')).json() as Array<{ id: string }>).map((s) => s.id)).toEqual([hblSubscription]);
      expect(((await admin(tokens.HBL!, 'GET', '/admin/deliveries')).json() as { deliveries: Array<{ id: number }> }).deliveries.map((d) => d.id)).toEqual([deadId]);
    });

    for (const code of ['H_L', 'hbl']) {
      it(`shows the admin of PK/BANK/${code} none of HBL's subscriptions or deliveries, and replays none of its dead letters`, async () => {
        const token = tokens[code]!;
        expect((await admin(token, 'GET', '/admin/subscriptions')).json()).toEqual([]);
        expect((await admin(token, 'GET', '/admin/deliveries')).json()).toEqual({ deliveries: [], next: null });
        expect((await admin(token, 'GET', `/admin/deliveries/${deadId}`)).status).toBe(404);
        const range = { from: new Date(started - 1000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
        expect((await admin(token, 'POST', '/admin/deliveries/replay', { ...range, topic: TOPIC })).json()).toEqual({ replayed: 0 });
        expect((await admin(token, 'POST', '/admin/deliveries/replay', { ...range, subscription: hblSubscription })).json()).toEqual({ replayed: 0 });
        const still = await t.platform.store.tables<EventsTables>().selectFrom('event_deliveries').select('status').where('id', '=', deadId).executeTakeFirstOrThrow();
        expect(still.status).toBe('dead');
      });

      it(`lists no topic, topic right, service or access right of HBL under the member filter PK/BANK/${code}`, async () => {
        const member = encodeURIComponent(`PK/BANK/${code}`);
        expect((await admin(t.token, 'GET', `/admin/topics?member=${member}`)).json()).toEqual([]);
        expect((await admin(t.token, 'GET', `/admin/topic-access?member=${member}`)).json()).toEqual([]);
        expect((await admin(t.token, 'GET', `/admin/services?member=${member}`)).json()).toEqual([]);
        expect((await admin(t.token, 'GET', `/admin/access?member=${member}`)).json()).toEqual([]);
        expect(await t.platform.events.listSubscriptions({ memberId: `PK/BANK/${code}` })).toEqual([]);
      });
    }

    it('still finds HBL’s records under its own member filter', async () => {
      const member = encodeURIComponent('PK/BANK/HBL');
      expect(((await admin(t.token, 'GET', `/admin/topics?member=${member}`)).json() as Array<{ id: string }>).map((x) => x.id)).toEqual([TOPIC]);
      expect((await admin(t.token, 'GET', `/admin/topic-access?member=${member}`)).json()).toHaveLength(1);
      expect((await admin(t.token, 'GET', `/admin/services?member=${member}`)).json()).toHaveLength(1);
      expect((await admin(t.token, 'GET', `/admin/access?member=${member}`)).json()).toHaveLength(1);
      // The subscriber's side: BISP's admin filter finds the right it was granted.
      expect((await admin(t.token, 'GET', `/admin/topic-access?member=${encodeURIComponent('PK/GOV/BISP')}`)).json()).toHaveLength(1);
      // A pattern character in the filter matches nothing rather than everything.
      expect((await admin(t.token, 'GET', `/admin/services?member=${encodeURIComponent('PK/BANK/%')}`)).json()).toEqual([]);
    });

    it('replays HBL’s dead letter for HBL’s own admin', async () => {
      const range = { from: new Date(started - 1000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
      const replayed = await admin(tokens.HBL!, 'POST', '/admin/deliveries/replay', { ...range, topic: TOPIC });
      expect(replayed.json()).toEqual({ replayed: 1 });
    });
  });
}
