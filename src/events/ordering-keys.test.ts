import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SYSTEM_ACTOR } from '../core/index.js';
import { startTestInstance } from '../platform/testing.js';
import type { TestInstance } from '../platform/testing.js';
import { testDialects } from '../store/testing.js';
import { approvedKey, signedSender, startReceiver, until } from './testing.js';
import type { ClientKey } from './testing.js';
import type { EventsTables } from './tables.js';

const postgresUrl = inject('postgresUrl');
const TOPIC = 'PK/GOV/BISP/payments/payment.sent';
const CNICS = ['35202-1234567-1', '61101-7654321-9'];
const digits = (cnic: string) => cnic.replaceAll('-', '');

/**
 * Events ordered by a CNIC keep their order by its keyed hash: no table keeps
 * the CNIC in clear for ordering (the payload itself is what is delivered, and
 * is kept for the topic's retention; it is left out of the scan).
 */
for (const dialect of testDialects(postgresUrl)) {
  describe(`ordering keys on ${dialect}`, () => {
    let t: TestInstance;
    let bisp: ClientKey;
    let hbl: ClientKey;
    let send: ReturnType<typeof signedSender>;
    let rx: Awaited<ReturnType<typeof startReceiver>>;

    const tables = async (): Promise<string[]> => {
      if (dialect === 'sqlite') {
        const rows = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite%'`.execute(t.platform.store.db);
        return rows.rows.map((r) => r.name);
      }
      const rows = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public'`.execute(t.platform.store.db);
      return rows.rows.map((r) => r.name);
    };
    /** Every value of every row of every table but events.payload, as text. */
    const everything = async (): Promise<string> => {
      const parts: string[] = [];
      for (const table of await tables()) {
        const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(t.platform.store.db)).rows;
        for (const row of rows) {
          for (const [column, value] of Object.entries(row)) {
            if (table === 'events' && column === 'payload') continue;
            parts.push(value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : String(value));
          }
        }
      }
      return parts.join('\n');
    };

    beforeAll(async () => {
      t = await startTestInstance(dialect, postgresUrl, { platform: { events: { worker: { schedule: [0, ...Array<number>(200).fill(25)], jitter: 0, pollMs: 10 } } } });
      const r = t.platform.registry;
      const a = SYSTEM_ACTOR;
      await r.createMember(a, { memberClass: 'GOV', code: 'BISP', nameEn: 'BISP', nameUr: 'BISP' });
      await r.createMember(a, { memberClass: 'BANK', code: 'HBL', nameEn: 'HBL', nameUr: 'HBL' });
      await r.createSubsystem(a, 'PK/GOV/BISP', { code: 'payments', name: 'payments' });
      await r.createSubsystem(a, 'PK/BANK/HBL', { code: 'disbursement', name: 'disbursement' });
      await r.createPurpose(a, { code: 'disbursement', nameEn: 'd', nameUr: 'd', legalBasis: 'statute', statute: 'BISP Act 2010' });
      await t.platform.events.createTopic(a, 'PK/GOV/BISP/payments', {
        code: 'payment.sent',
        title: 'sent',
        schema: { type: 'object', required: ['cnic', 'n'], properties: { cnic: { type: 'string' }, n: { type: 'integer' } } },
        personal: true,
        subjectPath: 'cnic',
        orderingKeyPath: 'cnic',
      });
      await t.platform.events.grantTopicAccess(a, { topicId: TOPIC, subscriberId: 'PK/BANK/HBL/disbursement', purposes: ['disbursement'] });
      bisp = await approvedKey(t, 'PK/GOV/BISP/payments');
      hbl = await approvedKey(t, 'PK/BANK/HBL/disbursement');
      send = signedSender(t);
    });
    afterAll(async () => {
      await t?.close();
      await rx?.close();
    });

    it('stores no CNIC in clear as an ordering key, and still delivers each key’s events in order', async () => {
      // The first event of the first CNIC fails until the other CNIC's event has arrived: were that one held up
      // behind it, neither would ever arrive. The second event of the first CNIC waits for the first.
      const arrived = (n: number) => rx.received.some((x) => (JSON.parse(x.body) as { data: { n: number } }).data.n === n);
      rx = await startReceiver((request) => {
        const data = (JSON.parse(request.body) as { data: { cnic: string; n: number } }).data;
        return { status: data.n === 1 && !arrived(3) ? 500 : 204 };
      });
      expect((await send(hbl, 'POST', '/subscriptions', { body: { topic: TOPIC, delivery: { webhook: rx.url } } })).status).toBe(201);
      expect((await send(hbl, 'POST', '/subscriptions', { body: { topic: TOPIC, delivery: { pull: true } } })).status).toBe(201);
      const publish = async (cnic: string, n: number) =>
        (await send(bisp, 'POST', `/events/${TOPIC}`, { body: { cnic, n }, headers: { 'rabta-purpose': 'disbursement' } })).json().id as string;
      const first = await publish(CNICS[0]!, 1);
      const second = await publish(CNICS[0]!, 2);
      const other = await publish(CNICS[1]!, 3);
      await until(async () => {
        const rows = await t.platform.store.tables<EventsTables>().selectFrom('event_deliveries').select('status').where('event_id', '=', second).execute();
        return rows.some((row) => row.status === 'delivered');
      }, 5000, 'the second event');
      const arrivals = rx.received.map((r) => r.headers['webhook-id']);
      expect(arrivals.filter((a) => a === first).length).toBeGreaterThanOrEqual(2);
      expect(arrivals.indexOf(second)).toBeGreaterThan(arrivals.lastIndexOf(first));
      expect(arrivals.indexOf(other)).toBeLessThan(arrivals.lastIndexOf(first));

      const keys = await t.platform.store.tables<EventsTables>().selectFrom('events').select(['id', 'ordering_key']).where('topic_id', '=', TOPIC).execute();
      const keyOf = new Map(keys.map((k) => [k.id, k.ordering_key]));
      expect(keyOf.get(first)).toMatch(/^[0-9a-f]{64}$/);
      expect(keyOf.get(first)).toBe(keyOf.get(second));
      expect(keyOf.get(other)).not.toBe(keyOf.get(first));
      const deliveryKeys = await t.platform.store.tables<EventsTables>().selectFrom('event_deliveries').select(['event_id', 'ordering_key']).execute();
      for (const d of deliveryKeys) expect(d.ordering_key).toBe(keyOf.get(d.event_id));

      const text = await everything();
      expect(text).toContain(keyOf.get(first));
      for (const cnic of CNICS) {
        expect(text).not.toContain(cnic);
        expect(text).not.toContain(digits(cnic));
      }
    });

    it('hashes the clear ordering keys an older database kept, in its migration', async () => {
      const db = t.platform.store.tables<EventsTables>();
      const before = await db.selectFrom('events').select(['id', 'ordering_key']).where('topic_id', '=', TOPIC).orderBy('id').execute();
      // The database as the release before kept it: CNICs in clear, the hashing migration not yet run.
      const clear = new Map<string, string>();
      for (const row of before) {
        const payload = JSON.parse((await db.selectFrom('events').select('payload').where('id', '=', row.id).executeTakeFirstOrThrow()).payload) as { cnic: string };
        clear.set(row.id, payload.cnic);
        await db.updateTable('events').set({ ordering_key: payload.cnic }).where('id', '=', row.id).execute();
        await db.updateTable('event_deliveries').set({ ordering_key: payload.cnic }).where('event_id', '=', row.id).execute();
      }
      const migration = await sql<{ name: string }>`select name from kysely_migration where name like '%ordering_keys_hashed'`.execute(db);
      expect(migration.rows).toHaveLength(1);
      await sql`delete from kysely_migration where name = ${migration.rows[0]!.name}`.execute(db);
      expect(await everything()).toContain(CNICS[0]!);

      expect(await t.platform.store.migrate()).toEqual([migration.rows[0]!.name]);
      const after = await db.selectFrom('events').select(['id', 'ordering_key']).where('topic_id', '=', TOPIC).orderBy('id').execute();
      // The same hashes as publishing gives now: old and new events of one CNIC still share a key.
      expect(after).toEqual(before);
      const deliveries = await db.selectFrom('event_deliveries').select(['event_id', 'ordering_key']).execute();
      for (const d of deliveries) expect(d.ordering_key).toBe(before.find((e) => e.id === d.event_id)?.ordering_key);
      const text = await everything();
      for (const cnic of CNICS) expect(text).not.toContain(cnic);
    });
  });
}
