import { afterEach, describe, expect, inject, it } from 'vitest';
import { createPlatform } from '../platform/index.js';
import type { Platform } from '../platform/index.js';
import { testDialects } from '../store/testing.js';
import { DAY_MS, HBL, startCaseInstance } from './testing.js';
import type { CaseTestInstance } from './testing.js';
import type { CasesTables } from './tables.js';

const postgresUrl = inject('postgresUrl');

// Several nodes share a database only on PostgreSQL (one SQLite file serves one node).
describe.each(testDialects(postgresUrl).filter((d) => d === 'postgres'))('the deadline sweep on two nodes (%s)', (dialect) => {
  let t: CaseTestInstance;
  let other: Platform | undefined;
  afterEach(async () => {
    await other?.close();
    other = undefined;
    await t?.close();
  });

  it('escalates each overdue task exactly once when two nodes sweep at the same time', async () => {
    t = await startCaseInstance(dialect, postgresUrl);
    const count = 40;
    for (let i = 0; i < count; i++) await t.platform.cases.open(HBL, { category: 'PAYMENT-NOT-RECEIVED', text: `case ${i}`, channel: 'signed', intake: 'PK/BANK/HBL' });
    other = await createPlatform(t.platform.config, { keyring: t.platform.keyring, migrate: false, background: false, now: () => t.clock.now, cases: { sms: { send: async () => undefined } } });
    t.clock.advance(DAY_MS + 1);
    const a = t.platform.cases;
    const b = other.cases;
    // Two unlocked sweeps race on the rows; two locked ones race for the node lock as well.
    const results = await Promise.all([a.sweepWithoutNodeLock(), b.sweepWithoutNodeLock(), a.sweep(), b.sweep()]);
    const escalated = results.reduce((sum, r) => sum + (r?.escalated ?? 0), 0);
    expect(escalated).toBe(count);
    const rows = await t.platform.store.tables<CasesTables>().selectFrom('case_timeline').select(['case_id']).where('kind', '=', 'escalated').execute();
    const perCase = new Map<string, number>();
    for (const r of rows) perCase.set(r.case_id, (perCase.get(r.case_id) ?? 0) + 1);
    expect(perCase.size).toBe(count);
    expect([...perCase.values()].every((n) => n === 1)).toBe(true);
    const notices = await t.platform.store.tables<CasesTables>().selectFrom('case_notices').select('id').where('kind', '=', 'escalated').execute();
    expect(notices).toHaveLength(count);
    // Nothing more is due until the escalation window passes.
    expect((await b.sweep())?.escalated ?? 0).toBe(0);
  });
});
