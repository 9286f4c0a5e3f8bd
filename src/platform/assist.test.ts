import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../core/index.js';
import { districts } from '../cases/index.js';
import { AUTHORITY, startCaseInstance } from '../cases/testing.js';
import type { CaseTestInstance } from '../cases/testing.js';

/*
 * The anomaly job on the platform's own records: eight weeks of failed
 * withdrawals published by HBL in a dozen districts, then a day on which Kech
 * has six times its usual failures. The job opens one case for HBL with the
 * evidence, and never a second for the same anomaly.
 */
describe('assist: the anomaly job opens one case per anomaly of failed withdrawals', () => {
  let t: CaseTestInstance;
  const DAY = 86_400_000;
  const TOPIC = 'PK/BANK/HBL/complaints/withdrawal.failed';
  const places = [...districts().keys()].filter((code) => code.startsWith('BA-')).slice(0, 11).concat('BA-KECH');
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const poisson = (lambda: number) => {
    let [k, p] = [0, 1];
    const limit = Math.exp(-lambda);
    for (;;) {
      p *= random();
      if (p <= limit) return k;
      k++;
    }
  };
  const publishDay = async (spike: boolean) => {
    const events = places.flatMap((district, i) => {
      const usual = 4 + (i % 4) * 2;
      const n = poisson(spike && district === 'BA-KECH' ? usual * 6 : usual);
      return Array.from({ length: n }, () => ({ district, reason: 'biometric-mismatch', at: new Date(t.clock.now).toISOString() }));
    });
    await t.platform.events.publishBatch({ publisherId: 'PK/BANK/HBL/complaints', topicId: TOPIC, body: Buffer.from(JSON.stringify({ events })), view: await t.platform.registry.view() });
  };

  beforeAll(async () => {
    t = await startCaseInstance('sqlite', null);
    await t.platform.events.createTopic(SYSTEM_ACTOR, 'PK/BANK/HBL/complaints', { code: 'withdrawal.failed', title: 'failed withdrawals at agents (counts only)', schema: { type: 'object' } });
    await t.platform.cases.putCategory(AUTHORITY, { code: 'BANK', nameEn: 'Bank', nameUr: 'بینک', lead: 'PK/BANK/HBL', firstResponseDays: 1, resolutionDays: 3 });
    for (let day = 0; day < 56; day++) {
      await publishDay(false);
      t.clock.advance(DAY);
    }
  }, 120_000);
  afterAll(async () => t?.close());

  it('finds nothing in ordinary weeks, then opens a case for HBL on the day Kech spikes, with the evidence', async () => {
    expect((await t.platform.anomalies.runOnce()).opened).toEqual([]);
    await publishDay(true);
    const run = await t.platform.anomalies.runOnce();
    expect(run.opened).toHaveLength(1);
    expect(run.opened[0]?.anomaly).toMatch(/^withdrawal\.failed@PK\/BANK\/HBL\|BA-KECH\|\d{4}-\d\d-\d\d$/);
    const view = await t.platform.cases.view(AUTHORITY, run.opened[0]?.reference as string);
    expect(view).toMatchObject({ lead: 'PK/BANK/HBL', category: 'BANK', district: 'BA-KECH', channel: 'anomaly', state: 'triaged', citizen: null });
    expect(view.text).toMatch(/one-day spike.*withdrawal\.failed@PK\/BANK\/HBL for BA-KECH/);
    expect(view.text).toMatch(/against [\d.]+ expected/);
    expect(view.text).toContain('Daily series:');
  });

  it('does not open it twice: not on a second run, not after another ordinary day', async () => {
    expect((await t.platform.anomalies.runOnce()).opened).toEqual([]);
    t.clock.advance(DAY);
    await publishDay(false);
    expect((await t.platform.anomalies.runOnce()).opened).toEqual([]);
    const rows = await t.platform.store.tables<{ cases: { id: string; channel: string } }>().selectFrom('cases').select('id').where('channel', '=', 'anomaly').execute();
    expect(rows).toHaveLength(1);
    expect(await t.platform.cases.reportedAnomalies()).toHaveLength(1);
  });
});
