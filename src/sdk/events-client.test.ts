import { createServer } from 'node:http';
import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SYSTEM_ACTOR } from '../core/index.js';
import { approvedKey, startReceiver, until } from '../events/testing.js';
import type { ClientKey } from '../events/testing.js';
import { freePort, startTestInstance } from '../platform/testing.js';
import type { TestInstance } from '../platform/testing.js';
import { testDialects } from '../store/testing.js';
import { RabtaClient, RabtaProblemError } from './client.js';
import type { RabtaClientOptions } from './client.js';
import { fetchInstanceKeys } from './instance-keys.js';
import { verifyWebhook, webhookListener } from './webhooks.js';
import type { VerifiedWebhook } from './webhooks.js';

const postgresUrl = inject('postgresUrl');
const TOPIC = 'PK/BANK/HBL/disbursement/payment.credited';
const CNIC = '35202-1234567-1';
const SCHEMA = {
  type: 'object',
  required: ['cnic', 'amount', 'batch'],
  properties: { cnic: { type: 'string', pattern: '^\\d{5}-\\d{7}-\\d$' }, amount: { type: 'integer', minimum: 1 }, batch: { type: 'string' }, note: { type: 'string' } },
};
const credited = (batch: string, note?: string) => ({ cnic: CNIC, amount: 13500, batch, ...(note === undefined ? {} : { note }) });

/** The instance signs targets with its public URL, so the port must be known before it starts. */
for (const dialect of testDialects(postgresUrl)) {
  describe(`the SDK's events calls on ${dialect}`, () => {
    let t: TestInstance;
    let base: string;
    let hbl: RabtaClient;
    let bisp: RabtaClient;
    const closers: Array<() => Promise<void>> = [];
    const clientOf = (key: ClientKey, exchangeKeys?: RabtaClientOptions['exchangeKeys']) =>
      new RabtaClient({ baseUrl: base, client: key.client, keyId: key.keyId, privateKey: key.privateKey, exchangeKeys });
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => 'resolved',
        (error: unknown) => (error instanceof RabtaProblemError ? { status: error.status, code: error.code } : error),
      );

    beforeAll(async () => {
      const port = await freePort();
      t = await startTestInstance(dialect, postgresUrl, { env: { PORT: String(port) }, platform: { events: { worker: { schedule: [0, 100], jitter: 0, pollMs: 10 } } } });
      await t.app.listen({ port, host: '127.0.0.1' });
      base = t.platform.config.publicUrl;
      const r = t.platform.registry;
      for (const [cls, code] of [['GOV', 'BISP'], ['BANK', 'HBL']] as const) await r.createMember(SYSTEM_ACTOR, { memberClass: cls, code, nameEn: code, nameUr: code });
      await r.createSubsystem(SYSTEM_ACTOR, 'PK/BANK/HBL', { code: 'disbursement', name: 'disbursement' });
      await r.createSubsystem(SYSTEM_ACTOR, 'PK/GOV/BISP', { code: 'payments', name: 'payments' });
      await r.createPurpose(SYSTEM_ACTOR, { code: 'disbursement', nameEn: 'd', nameUr: 'd', legalBasis: 'statute', statute: 'BISP Act 2010' });
      await t.platform.events.createTopic(SYSTEM_ACTOR, 'PK/BANK/HBL/disbursement', { code: 'payment.credited', title: 'credited', schema: SCHEMA, personal: true, subjectPath: 'cnic' });
      hbl = clientOf(await approvedKey(t, 'PK/BANK/HBL/disbursement'));
      const bispKey = await approvedKey(t, 'PK/GOV/BISP/payments');
      bisp = clientOf(bispKey);
      await t.platform.events.grantTopicAccess(SYSTEM_ACTOR, { topicId: TOPIC, subscriberId: bispKey.client, purposes: ['disbursement'] });
    });
    afterAll(async () => {
      await t?.close();
      await Promise.all(closers.map((close) => close()));
    });

    it('publishes (201, then 200 with the same id for a retried Idempotency-Key) and surfaces refusals as RabtaProblemError', async () => {
      const first = await hbl.publish(TOPIC, credited('idem'), { purpose: 'disbursement', idempotencyKey: 'sdk-0001' });
      expect(first).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), created: true });
      expect(await hbl.publish(TOPIC, credited('idem'), { purpose: 'disbursement', idempotencyKey: 'sdk-0001' })).toEqual({ id: first.id, created: false });
      expect(await refusal(hbl.publish(TOPIC, { cnic: CNIC, amount: -1, batch: 'x' }, { purpose: 'disbursement' }))).toEqual({ status: 422, code: 'event-invalid' });
      expect(await refusal(hbl.publish(TOPIC, credited('x')))).toEqual({ status: 400, code: 'purpose-required' });
      expect(await refusal(bisp.publish(TOPIC, credited('x'), { purpose: 'disbursement' }))).toEqual({ status: 403, code: 'not-topic-publisher' });
      expect(await refusal(hbl.publish('PK/BANK/HBL/disbursement/nothing.here', {}))).toEqual({ status: 404, code: 'unknown-topic' });
    });

    it('publishes a batch to POST /events/{topic}/batch, all or none, and replays it for the same Idempotency-Key', async () => {
      const sub = await bisp.subscribe({ topic: TOPIC, delivery: { kind: 'pull' }, filter: { batch: 'many' } });
      const payloads = [credited('many', '1'), credited('many', '2'), credited('many', '3')];
      const batch = await hbl.publishBatch(TOPIC, payloads, { purpose: 'disbursement', idempotencyKey: 'sdk-batch-1' });
      expect(batch.created).toBe(true);
      expect(batch.ids).toHaveLength(3);
      expect(await hbl.publishBatch(TOPIC, payloads, { purpose: 'disbursement', idempotencyKey: 'sdk-batch-1' })).toEqual({ ids: batch.ids, created: false });
      const page = await bisp.pull(sub.id);
      expect(page.events.map((e) => [e.id, e.data])).toEqual(batch.ids.map((id, i) => [id, payloads[i]]));
      const bad = await refusal(hbl.publishBatch(TOPIC, [credited('many', '4'), { cnic: 'x' }], { purpose: 'disbursement' }));
      expect(bad).toEqual({ status: 422, code: 'event-invalid' });
      expect((await bisp.pull(sub.id)).events).toHaveLength(3);
    });

    it('subscribes by webhook; a real delivery verifies with verifyWebhook, with standardwebhooks and through webhookListener', async () => {
      const rx = await startReceiver();
      closers.push(rx.close);
      const heard: VerifiedWebhook[] = [];
      // The secret comes with the subscription, which needs the URL first.
      let handle: RequestListener = (_req, res) => void res.writeHead(503).end();
      const listener = createServer((req, res) => handle(req, res));
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
      closers.push(() => new Promise<void>((resolve) => listener.close(() => resolve())));

      const sub = await bisp.subscribe({ topic: TOPIC, delivery: { kind: 'webhook', url: rx.url }, filter: { batch: 'hook' } });
      expect(sub).toMatchObject({ topic: TOPIC, subscriber: 'PK/GOV/BISP/payments', delivery: { kind: 'webhook', url: rx.url }, filter: { batch: 'hook' }, status: 'active' });
      expect(sub.secret).toMatch(/^whsec_/);
      const second = await bisp.subscribe({ topic: TOPIC, delivery: { kind: 'webhook', url: `http://127.0.0.1:${(listener.address() as AddressInfo).port}/hook` }, filter: { batch: 'hook' } });
      handle = webhookListener(second.secret as string, (webhook) => void heard.push(webhook));

      // Sent as raw JSON text: the 20-digit number reaches the receiver exactly.
      const raw = `{"cnic":"${CNIC}","amount":12345678901234567890,"batch":"hook"}`;
      const { id } = await hbl.publish(TOPIC, Buffer.from(raw), { purpose: 'disbursement' });
      await until(() => rx.received.length >= 1 && heard.length >= 1, 5000, 'both deliveries');
      const got = rx.received[0]!;
      expect(got.body).toContain('12345678901234567890');
      const ours = verifyWebhook(sub.secret as string, got.headers, got.body);
      expect(ours).toEqual({ id, attemptedAt: Number(got.headers['webhook-timestamp']), envelope: { type: TOPIC, timestamp: expect.any(String), data: JSON.parse(raw) } });
      expect(new Webhook(sub.secret as string).verify(got.body, got.headers as Record<string, string>)).toEqual(ours.envelope);
      expect(() => verifyWebhook(second.secret as string, got.headers, got.body)).toThrow(expect.objectContaining({ code: 'webhook-signature-invalid' }));
      expect(heard.map((w) => [w.id, w.envelope.type])).toEqual([[id, TOPIC]]);
    });

    it('pulls after a cursor, acknowledges, lists and unsubscribes', async () => {
      const sub = await bisp.subscribe({ topic: TOPIC, delivery: { kind: 'pull' }, filter: { batch: 'pull' } });
      expect(sub).toMatchObject({ delivery: { kind: 'pull' }, status: 'active' });
      expect(sub.secret).toBeUndefined();
      const ids: string[] = [];
      for (const note of ['1', '2', '3']) ids.push((await hbl.publish(TOPIC, credited('pull', note), { purpose: 'disbursement' })).id);

      const first = await bisp.pull(sub.id, { limit: 2 });
      expect(first.events.map((e) => e.id)).toEqual(ids.slice(0, 2));
      expect(first.events[0]).toMatchObject({ type: TOPIC, data: credited('pull', '1'), timestamp: expect.any(String) });
      expect(first.next).toBe(first.events[1]!.cursor);
      expect((await bisp.pull(sub.id, { after: first.next })).events.map((e) => e.id)).toEqual([ids[2]]);
      // Nothing acknowledged yet: reading starts again from the beginning.
      expect((await bisp.pull(sub.id)).events).toHaveLength(3);
      expect(await bisp.ack(sub.id, first.next)).toBe(first.next);
      expect((await bisp.pull(sub.id)).events.map((e) => e.id)).toEqual([ids[2]]);
      // The position never moves back.
      expect(await bisp.ack(sub.id, first.events[0]!.cursor)).toBe(first.next);
      expect(await refusal(bisp.ack(sub.id, '999999999'))).toEqual({ status: 400, code: 'bad-request' });

      expect((await bisp.subscriptions()).map((s) => s.id)).toContain(sub.id);
      expect(await refusal(hbl.pull(sub.id))).toEqual({ status: 404, code: 'not-found' });
      await bisp.unsubscribe(sub.id);
      expect((await bisp.subscriptions()).map((s) => s.id)).not.toContain(sub.id);
      expect(await refusal(bisp.unsubscribe(sub.id))).toEqual({ status: 404, code: 'not-found' });
    });

    it('works with a client that checks response signatures: the events API answers unsigned, the exchange signed', async () => {
      const key = await approvedKey(t, 'PK/BANK/HBL/disbursement');
      const strict = clientOf(key, await fetchInstanceKeys(base));
      const published = await strict.publish(TOPIC, credited('strict'), { purpose: 'disbursement' });
      expect(published.created).toBe(true);
      // The plain call demands Rabta's signature on exchange answers (/x/…) only: elsewhere an unsigned answer is taken, and says it was not verified.
      const plain = await strict.call({ method: 'POST', path: `/events/${TOPIC}`, json: credited('strict'), purpose: 'disbursement' });
      expect([plain.status, plain.responseVerified]).toEqual([201, false]);
    });
  });
}
