import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/core/index.js';
import { verifyRelease } from '../../src/analytics/index.js';
import { smallCounts, validateDescriptor } from '../../src/analytics/testing.js';
import type { Progress } from './scenario/progress.js';
import { startDemoUnderTest } from './testing.js';
import type { DemoUnderTest } from './testing.js';
import type { AllTables } from '../../test/tables.js';

const quiet: Progress = { stage: () => () => undefined, note: () => undefined, stop: () => undefined };

/*
 * The demo's traffic (the disbursement scenario) as policymakers see it: in
 * the indicators, the collaboration index and an open-data release that
 * verifies against the log, with no small count in any CSV.
 */
describe('demo: the disbursement scenario in analytics and open data', () => {
  let running: DemoUnderTest;
  beforeAll(async () => {
    running = await startDemoUnderTest({ RABTA_EGRESS_ALLOW: 'loopback' });
    await running.demo.runScenario('disbursement', running.smsc, quiet);
    // Deliveries finish in the background; the rollups count those that did.
    const worker = running.t.platform.events.startWorker();
    await worker.runOnce();
    await worker.stop();
  }, 180_000);
  afterAll(async () => running?.close());

  const fetchBytes = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());

  it('shows the scenario in the indicators, the index and a release that verifies', async () => {
    const { platform } = running.t;
    // The job's pass over finished deliveries (it runs every 30 s in the background).
    await platform.analytics.syncDeliveries();
    const period = { from: platform.now() - 86_400_000, to: platform.now() + 1 };
    const indicators = Object.fromEntries((await platform.analytics.indicators(SYSTEM_ACTOR, period)).map((i) => [i.id, i.value]));
    const exchanges = await platform.store.tables<AllTables>().selectFrom('exchanges').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const events = await platform.store.tables<AllTables>().selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(indicators['exchange.calls']).toBe(Number(exchanges.n));
    expect(Number(exchanges.n)).toBeGreaterThan(0);
    expect(indicators['events.published']).toBe(Number(events.n));
    // Every credit reached BISP by webhook: the deliveries are counted.
    expect(indicators['events.delivered']).toBeGreaterThan(0);
    const index = await platform.analytics.collaboration(SYSTEM_ACTOR, period);
    expect(index.pairs.map((p) => `${p.a}|${p.b}`)).toContain('PK/BANK/HBL|PK/GOV/BISP');

    const release = await platform.analytics.publish();
    const base = `${platform.config.publicUrl}/open-data/releases/${release.version}/`;
    const descriptor = JSON.parse((await fetchBytes(`${base}datapackage.json`)).toString('utf8')) as { resources: Array<{ path: string; schema: { fields: Array<{ name: string; type: string }> } }> };
    expect(validateDescriptor(descriptor)).toEqual([]);
    for (const resource of descriptor.resources) {
      const csv = (await fetchBytes(`${base}${resource.path}`)).toString('utf8');
      expect(smallCounts(csv, resource.schema.fields.filter((f) => f.type === 'integer' && !f.name.startsWith('population')).map((f) => f.name)), resource.path).toEqual([]);
    }
    const verified = await verifyRelease(`${base}datapackage.json`, { fetchBytes });
    expect(verified.problems).toEqual([]);
    expect(verified.ok).toBe(true);
  });
});
