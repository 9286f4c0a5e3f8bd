import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SYSTEM_ACTOR, PROBLEM_BASE } from '../core/index.js';
import { startTestInstance } from '../platform/testing.js';
import type { TestInstance } from '../platform/testing.js';
import { testDialects } from '../store/testing.js';
import type { PersonalEvent } from '../core/index.js';
import { approvedKey, signedSender, startReceiver, until } from './testing.js';
import type { ClientKey } from './testing.js';
import type { EventsTables } from './tables.js';
import { ledgerRecords } from '../ledger/testing.js';

const postgresUrl = inject('postgresUrl');
const CNIC = '35202-1234567-1';
const TOPIC = 'PK/BANK/HBL/disbursement/payment.credited';
const OPEN = 'PK/BANK/HBL/disbursement/branch.opened';
/** attempts at once, then 100, 200 and 300 ms after each failure: four attempts */
const SCHEDULE = [0, 100, 200, 300];
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const SCHEMA = {
  type: 'object',
  required: ['cnic', 'amount', 'account', 'batch'],
  additionalProperties: false,
  properties: {
    cnic: { type: 'string', pattern: '^\\d{5}-\\d{7}-\\d$' },
    amount: { type: 'integer', minimum: 1 },
    account: { type: 'string' },
    batch: { type: 'string' },
    district: { type: 'string' },
    note: { type: 'string' },
  },
};

interface Keys {
  hbl: ClientKey;
  bisp: ClientKey;
  desk: ClientKey;
  jazz: ClientKey;
}

/** Three members: HBL publishes; BISP and HBL's complaints desk may subscribe; Jazz may not. */
async function seed(t: TestInstance): Promise<Keys & { tokens: Record<'hbl' | 'bisp' | 'jazz', string> }> {
  const r = t.platform.registry;
  const a = SYSTEM_ACTOR;
  for (const [cls, code] of [['GOV', 'BISP'], ['BANK', 'HBL'], ['TELCO', 'JAZZ']] as const) await r.createMember(a, { memberClass: cls, code, nameEn: code, nameUr: code });
  await r.createSubsystem(a, 'PK/BANK/HBL', { code: 'disbursement', name: 'disbursement' });
  await r.createSubsystem(a, 'PK/BANK/HBL', { code: 'complaints', name: 'complaints desk' });
  await r.createSubsystem(a, 'PK/GOV/BISP', { code: 'payments', name: 'payments' });
  await r.createSubsystem(a, 'PK/TELCO/JAZZ', { code: 'sims', name: 'sims' });
  await r.createPurpose(a, { code: 'disbursement', nameEn: 'd', nameUr: 'd', legalBasis: 'statute', statute: 'BISP Act 2010' });
  await r.createPurpose(a, { code: 'support', nameEn: 's', nameUr: 's', legalBasis: 'consent', statute: null });
  const token = async (memberId: string) => (await r.createOperator(a, { name: `${memberId} admin`, role: 'member-admin', memberId })).token;
  return {
    hbl: await approvedKey(t, 'PK/BANK/HBL/disbursement'),
    bisp: await approvedKey(t, 'PK/GOV/BISP/payments'),
    desk: await approvedKey(t, 'PK/BANK/HBL/complaints'),
    jazz: await approvedKey(t, 'PK/TELCO/JAZZ/sims'),
    tokens: { hbl: await token('PK/BANK/HBL'), bisp: await token('PK/GOV/BISP'), jazz: await token('PK/TELCO/JAZZ') },
  };
}

for (const dialect of testDialects(postgresUrl)) {
  describe(`events on ${dialect}`, () => {
    let t: TestInstance;
    let k: Awaited<ReturnType<typeof seed>>;
    let send: ReturnType<typeof signedSender>;
    const personal: PersonalEvent[] = [];
    const receivers: Array<{ close(): Promise<void> }> = [];

    const admin = async (token: string, method: string, url: string, payload?: unknown) => {
      const response = await t.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
      return { status: response.statusCode, json: () => JSON.parse(response.body) as Record<string, unknown> & { type?: string } };
    };
    const publish = (body: unknown, headers: Record<string, string> = {}, topic = TOPIC, key?: ClientKey) =>
      send(key ?? k.hbl, 'POST', `/events/${topic}`, { body, headers: { 'rabta-purpose': 'disbursement', ...headers } });
    const subscribe = async (key: ClientKey, delivery: unknown, filter?: Record<string, unknown>, topic = TOPIC) => {
      const r = await send(key, 'POST', '/subscriptions', { body: { topic, delivery, ...(filter ? { filter } : {}) } });
      return r;
    };
    const receiver = async (...args: Parameters<typeof startReceiver>) => {
      const rx = await startReceiver(...args);
      receivers.push(rx);
      return rx;
    };
    const deliveriesOf = (eventId: string) => t.platform.store.tables<EventsTables>().selectFrom('event_deliveries').selectAll().where('event_id', '=', eventId).orderBy('id').execute();
    const credited = (batch: string, extra: Record<string, unknown> = {}) => ({ cnic: CNIC, amount: 13500, account: `PK00HBL-${batch}`, batch, ...extra });
    const problem = (r: { status: number; json: () => { type?: string } }) => ({ status: r.status, type: r.json().type?.replace(PROBLEM_BASE, '') });

    beforeAll(async () => {
      t = await startTestInstance(dialect, postgresUrl, {
        platform: {
          events: {
            worker: { schedule: SCHEDULE, jitter: 0, pollMs: 10, timeoutMs: 2000, disableAfterDeadLetters: 2 },
            onPersonalEvents: async (_trx, events) => {
              personal.push(...events);
            },
          },
        },
      });
      send = signedSender(t);
      k = await seed(t);
      // The topic by the admin API, as HBL's own admin.
      const created = await admin(k.tokens.hbl, 'POST', '/admin/subsystems/BANK/HBL/disbursement/topics', {
        code: 'payment.credited',
        title: 'A beneficiary’s account was credited',
        schema: SCHEMA,
        personal: true,
        subjectPath: 'cnic',
        orderingKeyPath: 'account',
        retentionDays: 30,
      });
      expect(created.status).toBe(201);
      expect(created.json()).toMatchObject({ id: TOPIC, version: 1, personal: true, subjectPath: 'cnic', orderingKeyPath: 'account' });
      await t.platform.events.createTopic(SYSTEM_ACTOR, 'PK/BANK/HBL/disbursement', { code: 'branch.opened', title: 'A branch opened', schema: { type: 'object' } });
      for (const [subscriber, purposes] of [
        [k.bisp.client, ['disbursement']],
        [k.desk.client, ['disbursement', 'support']],
      ] as const) {
        const granted = await admin(k.tokens.hbl, 'POST', '/admin/topic-access', { topic: TOPIC, subscriber, purposes });
        expect(granted.status).toBe(201);
      }
      await t.platform.events.grantTopicAccess(SYSTEM_ACTOR, { topicId: OPEN, subscriberId: k.bisp.client, purposes: ['disbursement'] });
    });
    afterAll(async () => {
      await t?.close();
      await Promise.all(receivers.map((rx) => rx.close()));
    });

    it('publishes, delivers a Standard Webhooks message the receiver verifies, and logs a commitment, not the payload', async () => {
      const rx = await receiver();
      const sub = await subscribe(k.bisp, { webhook: rx.url }, { batch: 'basic' });
      expect(sub.status).toBe(201);
      const secret = sub.json().secret as string;
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);

      const body = credited('basic');
      const r = await publish(body);
      expect(r.status).toBe(201);
      const id = r.json().id as string;
      expect(id).toMatch(UUID_V7);

      await until(() => rx.received.length >= 1, 5000, 'the webhook');
      const got = rx.received[0]!;
      const verified = new Webhook(secret).verify(got.body, got.headers as Record<string, string>);
      expect(verified).toEqual({ type: TOPIC, timestamp: expect.any(String), data: body });
      expect(got.headers['webhook-id']).toBe(id);
      expect(got.headers['content-type']).toBe('application/json');
      expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(got.body, got.headers as Record<string, string>)).toThrow();
      await until(async () => (await deliveriesOf(id))[0]?.status === 'delivered', 2000, 'delivered');

      const [leaf] = await ledgerRecords(t.platform.store.db, { kind: 4, ref: id });
      if (!leaf) throw new Error(`no ledger leaf for ${id}`);
      expect(JSON.parse(leaf.record as string)).toEqual({ id, topic: TOPIC, publisher: k.hbl.client, at: expect.any(Number), payloadDigest: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(leaf.salt).not.toBeNull();
      expect(leaf.entry.toString('latin1')).not.toContain('1234567');

      const tracked = personal.find((p) => p.eventId === id);
      expect(tracked).toMatchObject({ topic: TOPIC, publisher: k.hbl.client, purpose: 'disbursement', legalBasis: 'statute', reference: 'BISP Act 2010', recipients: [k.bisp.client] });
      expect(tracked?.subjectHashes).toHaveLength(1);
      expect(tracked?.subjectHashes[0]).toMatch(/^[0-9a-f]{64}$/);

      const journal = (await t.platform.registry.listChanges({ limit: 1000 })).filter((j) => ['topic.create', 'topic-access.grant', 'subscription.create'].includes(j.action));
      expect(journal.map((j) => j.action)).toEqual(expect.arrayContaining(['topic.create', 'topic-access.grant', 'subscription.create']));
      // The public journal names a filter's fields, never its values.
      expect(journal.map((j) => JSON.stringify(j.details)).join()).not.toContain('"basic"');
    });

    it('refuses an event that breaks the schema (422 with the reasons), bad JSON, and a personal event without a lawful purpose', async () => {
      const before = await t.platform.store.tables<EventsTables>().selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      const bad = await publish({ cnic: CNIC, amount: -5, batch: 'bad', extra: 1 });
      expect(problem(bad)).toEqual({ status: 422, type: 'event-invalid' });
      const keywords = (bad.json().errors as Array<{ keyword: string }>).map((e) => e.keyword);
      expect(keywords).toEqual(expect.arrayContaining(['required', 'minimum', 'additionalProperties']));
      expect(bad.body).not.toContain('1234567');
      expect(problem(await publish('{"cnic": '))).toEqual({ status: 400, type: 'malformed-json' });
      expect(problem(await publish(credited('bad'), { 'rabta-purpose': 'nonsense' }))).toEqual({ status: 400, type: 'unknown-purpose' });
      const noPurpose = await send(k.hbl, 'POST', `/events/${TOPIC}`, { body: credited('bad') });
      expect(problem(noPurpose)).toEqual({ status: 400, type: 'purpose-required' });
      expect(problem(await publish(credited('bad', { cnic: '123' })))).toEqual({ status: 422, type: 'event-invalid' });
      expect(problem(await publish({ ...credited('bad'), account: '' }))).toEqual({ status: 422, type: 'event-invalid' });
      const after = await t.platform.store.tables<EventsTables>().selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    });

    it('answers a re-publication with the same Idempotency-Key with the original event and delivers it once', async () => {
      const rx = await receiver();
      expect((await subscribe(k.bisp, { webhook: rx.url }, { batch: 'idem' })).status).toBe(201);
      const first = await publish(credited('idem'), { 'idempotency-key': 'pay-2026-0001' });
      expect(first.status).toBe(201);
      const again = await publish(credited('idem'), { 'idempotency-key': 'pay-2026-0001' });
      expect(again.status).toBe(200);
      expect(again.json().id).toBe(first.json().id);
      const raced = await Promise.all([1, 2, 3].map(() => publish(credited('idem', { note: 'race' }), { 'idempotency-key': '"pay-2026-0002"' })));
      expect(new Set(raced.map((r) => r.json().id)).size).toBe(1);
      expect(raced.map((r) => r.status).sort()).toEqual([200, 200, 201]);
      expect(problem(await publish(credited('idem', { amount: 1 }), { 'idempotency-key': 'pay-2026-0001' }))).toEqual({ status: 422, type: 'idempotency-key-reused' });
      await until(() => rx.received.length >= 2, 5000, 'two deliveries');
      // Nothing more comes: a sentinel of the same ordering key (the account) arrives only after all that came before it.
      const sentinel = (await publish(credited('idem', { note: 'sentinel' }))).json().id as string;
      await until(() => rx.received.some((r) => r.headers['webhook-id'] === sentinel), 5000, 'the sentinel');
      expect(rx.received.map((r) => r.headers['webhook-id'])).toEqual([first.json().id, raced[0]!.json().id, sentinel]);
      expect(await deliveriesOf(first.json().id as string)).toHaveLength(1);
    });

    it('lets only the topic’s subsystem publish, and only subsystems with an access right subscribe', async () => {
      expect(problem(await subscribe(k.jazz, { pull: true }))).toEqual({ status: 403, type: 'no-topic-access' });
      expect(problem(await publish(credited('x'), {}, TOPIC, k.desk))).toEqual({ status: 403, type: 'not-topic-publisher' });
      expect(problem(await publish({}, {}, 'PK/BANK/HBL/disbursement/nothing.here'))).toEqual({ status: 404, type: 'unknown-topic' });
      const foreign = await admin(k.tokens.jazz, 'POST', '/admin/subscriptions', { topic: TOPIC, client: k.bisp.client, delivery: { pull: true } });
      expect(problem(foreign)).toEqual({ status: 403, type: 'forbidden' });
      expect(problem(await admin(k.tokens.jazz, 'POST', '/admin/topic-access', { topic: TOPIC, subscriber: k.jazz.client, purposes: ['disbursement'] }))).toEqual({ status: 403, type: 'forbidden' });
      expect(problem(await admin(k.tokens.hbl, 'POST', '/admin/subsystems/BANK/HBL/disbursement/topics', { code: 'payment.credited', title: 't', schema: {} }))).toEqual({ status: 409, type: 'conflict' });
      expect(problem(await admin(k.tokens.hbl, 'POST', '/admin/subsystems/BANK/HBL/disbursement/topics', { code: 'p2', title: 't', schema: {}, personal: true }))).toEqual({ status: 400, type: 'bad-request' });
      expect(problem(await admin(k.tokens.hbl, 'POST', '/admin/subsystems/BANK/HBL/disbursement/topics', { code: 'p3', title: 't', schema: { type: 'nonsense' } }))).toEqual({ status: 400, type: 'bad-request' });
      const unsigned = await t.app.inject({ method: 'POST', url: `/events/${TOPIC}`, headers: { 'content-type': 'application/json' }, payload: credited('x') });
      expect(unsigned.statusCode).toBe(400);
      // With an admin token, the subscriber's own member may subscribe it.
      const byAdmin = await admin(k.tokens.bisp, 'POST', '/admin/subscriptions', { topic: TOPIC, client: k.bisp.client, delivery: { pull: true }, filter: { batch: 'by-admin' } });
      expect(byAdmin.status).toBe(201);
      expect(byAdmin.json().secret).toBeUndefined();
    });

    it('delivers to a subscription only the events its filter matches', async () => {
      const rx = await receiver();
      expect((await subscribe(k.desk, { webhook: rx.url }, { batch: 'filter', district: 'Lahore' })).status).toBe(201);
      const lahore = await publish(credited('filter', { district: 'Lahore' }));
      const karachi = await publish(credited('filter', { district: 'Karachi' }));
      // A sentinel of the same ordering key (the account), published last, arrives after anything published before it.
      const sentinel = await publish(credited('filter', { district: 'Lahore', note: 'sentinel' }));
      await until(() => rx.received.some((r) => r.headers['webhook-id'] === sentinel.json().id), 5000, 'the sentinel');
      expect(rx.received.map((r) => r.headers['webhook-id'])).toEqual([lahore.json().id, sentinel.json().id]);
      expect(await deliveriesOf(karachi.json().id as string)).toHaveLength(0);
    });

    it('retries on the schedule until the receiver answers 2xx, and keeps every attempt', async () => {
      const rx = await receiver((_r, i) => ({ status: i < 2 ? 500 : 204 }));
      expect((await subscribe(k.bisp, { webhook: rx.url }, { batch: 'retry' })).status).toBe(201);
      const id = (await publish(credited('retry'))).json().id as string;
      const [delivery] = await until(async () => {
        const rows = await deliveriesOf(id);
        return rows[0]?.status === 'delivered' ? rows : undefined;
      }, 5000, 'delivery after retries');
      expect(delivery).toMatchObject({ attempts: 3, last_status: 204 });
      expect(rx.received).toHaveLength(3);
      const detail = await admin(k.tokens.bisp, 'GET', `/admin/deliveries/${delivery!.id}`);
      expect(detail.status).toBe(200);
      // By the worker's own record: no attempt began before its failed predecessor ended plus the schedule's delay.
      const log = detail.json().attemptLog as Array<{ at: string; durationMs: number }>;
      for (let i = 1; i < log.length; i++) expect(Date.parse(log[i]!.at) - (Date.parse(log[i - 1]!.at) + log[i - 1]!.durationMs)).toBeGreaterThanOrEqual(SCHEDULE[i]! - 1);
      expect((detail.json().attemptLog as Array<{ status: number; error: string | null }>).map((a) => [a.status, a.error])).toEqual([
        [500, 'http-500'],
        [500, 'http-500'],
        [204, null],
      ]);
    });

    it('honours Retry-After, keeps webhook-id across attempts and signs each attempt afresh', async () => {
      const rx = await receiver((_r, i) => (i === 0 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 }));
      const sub = await subscribe(k.bisp, { webhook: rx.url }, { batch: 'retry-after' });
      const secret = sub.json().secret as string;
      const id = (await publish(credited('retry-after'))).json().id as string;
      await until(() => rx.received.length >= 2, 5000, 'the second attempt');
      const [first, second] = rx.received as [(typeof rx.received)[0], (typeof rx.received)[0]];
      // By the worker's own record: the second attempt waited out Retry-After (1 s), not the schedule's 100 ms.
      const [delivery] = await until(async () => {
        const rows = await deliveriesOf(id);
        return rows[0]?.status === 'delivered' ? rows : undefined;
      }, 5000, 'delivered');
      const log = (await admin(k.tokens.bisp, 'GET', `/admin/deliveries/${delivery!.id}`)).json().attemptLog as Array<{ at: string; durationMs: number }>;
      expect(Date.parse(log[1]!.at) - (Date.parse(log[0]!.at) + log[0]!.durationMs)).toBeGreaterThanOrEqual(999);
      expect(first.headers['webhook-id']).toBe(id);
      expect(second.headers['webhook-id']).toBe(id);
      expect(second.headers['webhook-timestamp']).not.toBe(first.headers['webhook-timestamp']);
      expect(second.headers['webhook-signature']).not.toBe(first.headers['webhook-signature']);
      expect(first.body).toBe(second.body);
      for (const attempt of [first, second]) expect(new Webhook(secret).verify(attempt.body, attempt.headers as Record<string, string>)).toMatchObject({ type: TOPIC });
    });

    it('makes a dead letter of what fails every attempt, and replays it', async () => {
      let failing = true;
      const rx = await receiver(() => ({ status: failing ? 400 : 200 }));
      expect((await subscribe(k.bisp, { webhook: rx.url }, { batch: 'dead' })).status).toBe(201);
      const id = (await publish(credited('dead'))).json().id as string;
      const [dead] = await until(async () => {
        const rows = await deliveriesOf(id);
        return rows[0]?.status === 'dead' ? rows : undefined;
      }, 5000, 'a dead letter');
      expect(dead).toMatchObject({ attempts: SCHEDULE.length, last_status: 400, last_error: 'http-400' });
      expect(rx.received).toHaveLength(SCHEDULE.length);
      const search = await admin(k.tokens.bisp, 'GET', `/admin/deliveries?status=dead&event=${id}`);
      expect((search.json().deliveries as unknown[]).length).toBe(1);
      // The publisher's admin sees it too; a stranger's does not.
      expect((((await admin(k.tokens.hbl, 'GET', `/admin/deliveries?event=${id}`)).json().deliveries) as unknown[]).length).toBe(1);
      expect((((await admin(k.tokens.jazz, 'GET', `/admin/deliveries?event=${id}`)).json().deliveries) as unknown[]).length).toBe(0);
      expect(problem(await admin(k.tokens.jazz, 'POST', `/admin/deliveries/${dead!.id}/replay`))).toEqual({ status: 403, type: 'forbidden' });

      failing = false;
      const replayed = await admin(k.tokens.bisp, 'POST', `/admin/deliveries/${dead!.id}/replay`);
      expect(replayed.status).toBe(200);
      expect(replayed.json()).toMatchObject({ status: 'pending', attempts: 0 });
      await until(async () => (await deliveriesOf(id))[0]?.status === 'delivered', 5000, 'the replay');
      expect(rx.received).toHaveLength(SCHEDULE.length + 1);
      expect(rx.received.every((r) => r.headers['webhook-id'] === id)).toBe(true);
      expect(problem(await admin(k.tokens.bisp, 'POST', `/admin/deliveries/${dead!.id}/replay`))).toEqual({ status: 409, type: 'conflict' });
    });

    it('disables an endpoint after dead letters in a row, tells its member, keeps later events as dead letters, and replays a range once enabled', async () => {
      let failing = true;
      const rx = await receiver(() => ({ status: failing ? 404 : 204 }));
      const started = Date.now();
      const sub = await subscribe(k.bisp, { webhook: rx.url }, { batch: 'disable' });
      const subscriptionId = sub.json().id as string;
      const ids = [(await publish(credited('disable', { account: 'd1' }))).json().id as string, (await publish(credited('disable', { account: 'd2' }))).json().id as string];
      const disabled = await until(async () => {
        const s = await admin(k.tokens.bisp, 'GET', `/admin/subscriptions/${subscriptionId}`);
        return s.json().status === 'disabled' ? s.json() : undefined;
      }, 8000, 'the subscription to be disabled');
      expect(disabled.disabledReason).toMatch(/2 deliveries in a row/);
      const notices = await admin(k.tokens.bisp, 'GET', '/admin/events/notices');
      expect(notices.json()).toEqual(expect.arrayContaining([expect.objectContaining({ member: 'PK/GOV/BISP', kind: 'subscription-disabled', subscription: subscriptionId })]));
      expect((await admin(k.tokens.jazz, 'GET', '/admin/events/notices')).json()).toEqual([]);
      const journal = (await t.platform.registry.listChanges({ limit: 1000 })).filter((j) => j.action === 'subscription.disable');
      expect(journal.map((j) => j.target)).toContain(subscriptionId);

      const hits = rx.received.length;
      const later = (await publish(credited('disable', { account: 'd3' }))).json().id as string;
      ids.push(later);
      expect(await deliveriesOf(later)).toMatchObject([{ status: 'dead', last_error: 'endpoint-disabled' }]);
      const [laterDelivery] = await deliveriesOf(later);
      expect(problem(await admin(k.tokens.bisp, 'POST', `/admin/deliveries/${laterDelivery!.id}/replay`))).toEqual({ status: 409, type: 'conflict' });
      expect(rx.received.length).toBe(hits);

      failing = false;
      expect((await admin(k.tokens.bisp, 'POST', `/admin/subscriptions/${subscriptionId}/enable`)).json()).toMatchObject({ status: 'active' });
      const range = await admin(k.tokens.bisp, 'POST', '/admin/deliveries/replay', { from: new Date(started).toISOString(), to: new Date(Date.now() + 1000).toISOString(), subscription: subscriptionId });
      expect(range.json()).toEqual({ replayed: 3 });
      await until(async () => {
        const rows = await Promise.all(ids.map((id) => deliveriesOf(id)));
        return rows.every((r) => r[0]?.status === 'delivered');
      }, 5000, 'the replayed range');
      const delivered = new Set(rx.received.filter((r) => r.at >= 0).map((r) => r.headers['webhook-id']));
      for (const id of ids) expect(delivered.has(id)).toBe(true);
    });

    it('keeps events with the same ordering key in order per subscription; a dead letter stops blocking its key', async () => {
      const rx = await receiver((r) => {
        const data = (JSON.parse(r.body) as { data: { note: string } }).data;
        // The first fails until the other key's event has arrived: were that one held up behind it, it would never come.
        const otherArrived = rx.received.some((x) => (JSON.parse(x.body) as { data: { note: string } }).data.note === 'other');
        if (data.note === 'first' && !otherArrived) return { status: 500 };
        if (data.note === 'doomed') return { status: 410 };
        return { status: 204 };
      });
      expect((await subscribe(k.desk, { webhook: rx.url }, { batch: 'order' })).status).toBe(201);
      const first = (await publish(credited('order', { account: 'A', note: 'first' }))).json().id as string;
      const second = (await publish(credited('order', { account: 'A', note: 'second' }))).json().id as string;
      const other = (await publish(credited('order', { account: 'B', note: 'other' }))).json().id as string;
      await until(async () => (await deliveriesOf(second))[0]?.status === 'delivered', 5000, 'the second event');
      const arrivals = rx.received.map((r) => r.headers['webhook-id']);
      const firstDelivered = arrivals.lastIndexOf(first);
      expect(arrivals.filter((a) => a === first).length).toBeGreaterThanOrEqual(2);
      expect(arrivals.indexOf(second)).toBeGreaterThan(firstDelivered);
      // Another key is not held up.
      expect(arrivals.indexOf(other)).toBeLessThan(firstDelivered);

      const doomed = (await publish(credited('order', { account: 'C', note: 'doomed' }))).json().id as string;
      const after = (await publish(credited('order', { account: 'C', note: 'after' }))).json().id as string;
      await until(async () => (await deliveriesOf(after))[0]?.status === 'delivered', 5000, 'the event after the dead letter');
      expect((await deliveriesOf(doomed))[0]?.status).toBe('dead');
      const again = rx.received.map((r) => r.headers['webhook-id']);
      expect(again.indexOf(after)).toBeGreaterThan(again.lastIndexOf(doomed));
    });

    it('serves a pull subscription after a cursor and advances it on acknowledgement', async () => {
      const sub = await subscribe(k.bisp, { pull: true }, { batch: 'pull' });
      expect(sub.status).toBe(201);
      expect(sub.json().secret).toBeUndefined();
      const id = sub.json().id as string;
      const bodies = [credited('pull', { note: '1' }), credited('pull', { note: '2' }), `{"cnic":"${CNIC}","amount":12345678901234567890,"account":"x","batch":"pull","note":"3"}`];
      const ids: string[] = [];
      for (const body of bodies) ids.push((await publish(body)).json().id as string);

      const page1 = await send(k.bisp, 'GET', `/subscriptions/${id}/events?limit=2`);
      expect(page1.status).toBe(200);
      const p1 = page1.json() as { events: Array<{ cursor: string; id: string; type: string; data: unknown }>; next: string };
      expect(p1.events.map((e) => e.id)).toEqual(ids.slice(0, 2));
      expect(p1.events[0]).toMatchObject({ type: TOPIC, data: bodies[0] });
      expect(p1.next).toBe(p1.events[1]!.cursor);
      const page2 = await send(k.bisp, 'GET', `/subscriptions/${id}/events?after=${p1.next}`);
      expect((page2.json().events as Array<{ id: string }>).map((e) => e.id)).toEqual([ids[2]]);
      // Data goes out exactly as published: a 20-digit number survives.
      expect(page2.body).toContain('12345678901234567890');

      // Without `after`, reading resumes from the acknowledged position.
      expect((await send(k.bisp, 'GET', `/subscriptions/${id}/events`)).json().events).toHaveLength(3);
      const acked = await send(k.bisp, 'POST', `/subscriptions/${id}/ack`, { body: { cursor: p1.next } });
      expect(acked.json()).toEqual({ cursor: p1.next });
      expect((await send(k.bisp, 'GET', `/subscriptions/${id}/events`)).json().events).toHaveLength(1);
      expect((await send(k.bisp, 'POST', `/subscriptions/${id}/ack`, { body: { cursor: p1.events[0]!.cursor } })).json()).toEqual({ cursor: p1.next });
      const last = page2.json().next as string;
      await send(k.bisp, 'POST', `/subscriptions/${id}/ack`, { body: { cursor: last } });
      expect((await send(k.bisp, 'GET', `/subscriptions/${id}/events`)).json()).toEqual({ events: [], next: last });
      expect(problem(await send(k.bisp, 'POST', `/subscriptions/${id}/ack`, { body: { cursor: String(Number(last) + 1000) } }))).toEqual({ status: 400, type: 'bad-request' });
      expect((await deliveriesOf(ids[0]!)).map((d) => d.status)).toEqual(['delivered']);
      // Someone else's subscription is as good as absent.
      expect(problem(await send(k.desk, 'GET', `/subscriptions/${id}/events`))).toEqual({ status: 404, type: 'not-found' });
      const mine = await send(k.bisp, 'GET', '/subscriptions');
      expect((mine.json() as unknown as Array<{ id: string }>).map((s) => s.id)).toContain(id);
      expect(await send(k.bisp, 'DELETE', `/subscriptions/${id}`)).toMatchObject({ status: 204 });
      expect(problem(await send(k.bisp, 'GET', `/subscriptions/${id}`))).toEqual({ status: 404, type: 'not-found' });
    });

    it('delivers a non-personal topic without a purpose, and refuses a literal private webhook address', async () => {
      const rx = await receiver();
      expect((await subscribe(k.bisp, { webhook: rx.url }, undefined, OPEN)).status).toBe(201);
      const r = await send(k.hbl, 'POST', `/events/${OPEN}`, { body: { branch: 'Mall Road' } });
      expect(r.status).toBe(201);
      await until(() => rx.received.length >= 1, 5000, 'the open event');
      expect(problem(await subscribe(k.bisp, { webhook: 'http://10.1.2.3/hook' }, undefined, OPEN))).toEqual({ status: 422, type: 'webhook-url-refused' });
      expect(problem(await subscribe(k.bisp, { webhook: 'ftp://example.org/hook' }, undefined, OPEN))).toEqual({ status: 400, type: 'bad-request' });
    });

    it('versions a changed topic, and stops what waited for a subscriber whose access is revoked', async () => {
      const patched = await admin(k.tokens.hbl, 'PATCH', '/admin/topics/BANK/HBL/disbursement/branch.opened', { schema: { type: 'object', required: ['branch'] } });
      expect(patched.json()).toMatchObject({ id: OPEN, version: 2 });
      expect(problem(await send(k.hbl, 'POST', `/events/${OPEN}`, { body: { city: 'Multan' } }))).toEqual({ status: 422, type: 'event-invalid' });
      expect((await admin(k.tokens.hbl, 'GET', '/admin/topics/BANK/HBL/disbursement/branch.opened')).json()).toMatchObject({ version: 2, schema: { required: ['branch'] } });

      const grant = await admin(k.tokens.hbl, 'POST', '/admin/topic-access', { topic: OPEN, subscriber: k.jazz.client, purposes: ['disbursement'] });
      expect(grant.status).toBe(201);
      const sub = (await subscribe(k.jazz, { pull: true }, undefined, OPEN)).json().id as string;
      await send(k.hbl, 'POST', `/events/${OPEN}`, { body: { branch: 'before revoke' } });
      expect((await send(k.jazz, 'GET', `/subscriptions/${sub}/events`)).json().events).toHaveLength(1);
      expect((await admin(k.tokens.jazz, 'DELETE', `/admin/topic-access/${grant.json().id as string}`)).status).toBe(403);
      expect((await admin(k.tokens.hbl, 'DELETE', `/admin/topic-access/${grant.json().id as string}`)).status).toBe(204);
      await send(k.hbl, 'POST', `/events/${OPEN}`, { body: { branch: 'after revoke' } });
      expect((await send(k.jazz, 'GET', `/subscriptions/${sub}/events`)).json().events).toEqual([]);
      const listed = (await admin(k.tokens.jazz, 'GET', '/admin/subscriptions')).json() as unknown as Array<{ id: string; subscriber: string }>;
      // A member admin lists only what its member receives or publishes.
      expect(listed.map((s) => s.id)).toEqual([sub]);
    });

    it('forgets events past their topic’s retention', async () => {
      const id = (await send(k.hbl, 'POST', `/events/${OPEN}`, { body: { branch: 'old' } })).json().id as string;
      await until(async () => (await deliveriesOf(id)).every((d) => d.status !== 'pending'), 5000, 'settled');
      await t.platform.store.tables<EventsTables>().updateTable('events').set({ at: Date.now() - 31 * 24 * 3600_000 }).where('id', '=', id).execute();
      expect(await t.platform.events.sweepRetention()).toBeGreaterThanOrEqual(1);
      expect(await t.platform.store.tables<EventsTables>().selectFrom('events').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
      expect(await deliveriesOf(id)).toEqual([]);
      // The ledger keeps its leaf: a commitment, not the payload.
      expect(await ledgerRecords(t.platform.store.db, { ref: id })).not.toEqual([]);
    });
  });

  describe(`events on ${dialect} behind an egress policy that allows no private address`, () => {
    let t: TestInstance;
    let rx: Awaited<ReturnType<typeof startReceiver>>;
    beforeAll(async () => {
      t = await startTestInstance(dialect, postgresUrl, { env: { RABTA_EGRESS_ALLOW: '' }, platform: { events: { worker: { schedule: [0, 50], jitter: 0, pollMs: 10 } } } });
      rx = await startReceiver();
    });
    afterAll(async () => {
      await t?.close();
      await rx?.close();
    });

    it('refuses to deliver to a name that resolves to loopback, at the connection, and never reaches it', async () => {
      const k = await seed(t);
      const send = signedSender(t);
      await t.platform.events.createTopic(SYSTEM_ACTOR, 'PK/BANK/HBL/disbursement', { code: 'branch.opened', title: 'A branch opened', schema: { type: 'object' } });
      await t.platform.events.grantTopicAccess(SYSTEM_ACTOR, { topicId: OPEN, subscriberId: k.bisp.client, purposes: ['disbursement'] });
      const literal = await send(k.bisp, 'POST', '/subscriptions', { body: { topic: OPEN, delivery: { webhook: rx.url } } });
      expect(literal.status).toBe(422);
      const named = await send(k.bisp, 'POST', '/subscriptions', { body: { topic: OPEN, delivery: { webhook: `http://localhost:${rx.port}/hook` } } });
      expect(named.status).toBe(201);
      const id = (await send(k.hbl, 'POST', `/events/${OPEN}`, { body: { branch: 'x' } })).json().id as string;
      const delivery = await until(async () => {
        const row = await t.platform.store.tables<EventsTables>().selectFrom('event_deliveries').selectAll().where('event_id', '=', id).executeTakeFirst();
        return row?.status === 'dead' ? row : undefined;
      }, 5000, 'a dead letter');
      expect(delivery).toMatchObject({ attempts: 2, last_status: null, last_error: 'egress-refused' });
      expect(rx.received).toHaveLength(0);
    });
  });
}
