import { afterEach, describe, expect, inject, it } from 'vitest';
import { SYSTEM_ACTOR } from '../core/index.js';
import { MIGRATIONS } from '../platform/index.js';
import { freshDatabase, testDialects } from '../store/testing.js';
import type { TestDatabase } from '../store/testing.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { createAnalytics } from './index.js';
import type { DeliveryListing } from './index.js';

const postgresUrl = inject('postgresUrl');
const NOW = Date.UTC(2026, 5, 1, 12);

// Several nodes share a database only on PostgreSQL (SQLite is one node's file).
describe.each(testDialects(postgresUrl).filter((d) => d === 'postgres'))('analytics jobs across nodes on %s', (dialect) => {
  let db: TestDatabase | undefined;
  const stores: Store[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    await db?.drop();
  });

  it('count each delivery once and publish one release, however many nodes run the job at once', async () => {
    db = await freshDatabase(dialect, postgresUrl);
    const deliveries: DeliveryListing[] = Array.from({ length: 1200 }, (_, i) => ({ id: i + 1, topic: 'PK/BANK/HBL/disbursement/payment.credited', subscriber: 'PK/GOV/BISP/payments', status: 'delivered', createdAt: new Date(NOW - 1000).toISOString(), deliveredAt: new Date(NOW).toISOString(), deadAt: null }));
    const node = () => {
      const store = openStore({ ...(db?.databaseUrl ? { databaseUrl: db.databaseUrl } : { dataDir: db?.dataDir as string }), migrations: MIGRATIONS });
      stores.push(store);
      return createAnalytics({
        db: store.tables(),
        dialect: store.dialect,
        publicUrl: 'http://test',
        now: () => NOW,
        deliveries: async (after, limit) => deliveries.filter((d) => d.id > after).slice(0, limit),
        ledger: { append: async () => undefined, receipt: async () => undefined, keys: async () => ({ logVkey: '', witnessVkeys: [] }) },
      });
    };
    const nodes = [node(), node(), node()];
    await stores[0]?.migrate();
    // The deliveries sync runs both in the job and before a publish (outside the job's lease).
    await Promise.all(nodes.flatMap((a) => [a.syncDeliveries(), a.syncDeliveries()]));
    const indicators = await nodes[0]?.indicators(SYSTEM_ACTOR, { from: NOW - 86_400_000, to: NOW + 86_400_000 });
    expect(indicators?.find((i) => i.id === 'events.delivered')?.value).toBe(1200);
    // The release schedule: every node's job comes due at once; one release is published.
    for (const a of nodes) a.start(5);
    await expect.poll(async () => (await nodes[0]?.releases())?.length, { timeout: 60_000 }).toBe(1);
    await Promise.all(nodes.map((a) => a.stop()));
    expect((await nodes[0]?.releases())?.length).toBe(1);
  });
});
