import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SYSTEM_ACTOR, memberIdOf } from '../core/index.js';
import { startFederation } from '../consent/testing.js';
import type { Federation } from '../consent/testing.js';
import type { ConsentTables } from '../consent/index.js';
import { testDialects } from '../store/testing.js';

const postgresUrl = inject('postgresUrl');
const DAY = 86_400_000;

describe.each(testDialects(postgresUrl))('consent figures per provider on %s', (dialect) => {
  let f: Federation;
  beforeAll(async () => {
    f = await startFederation(dialect, postgresUrl);
  });
  afterAll(async () => f?.close());

  it('agree with the raw consent records: requested, approved, rejected and revoked per provider', async () => {
    const cnic = '35202-7654321-3';
    await f.register(cnic, '0300-7654321', 'ur');
    // At most three unanswered requests per consumer and citizen: answered as they come.
    const first = await f.request(f.hbl, cnic);
    await f.act(cnic, first.id, 'approve');
    await f.act(cnic, (await f.request(f.hbl, cnic)).id, 'reject');
    await f.request(f.hbl, cnic);
    const nadra = await f.request(f.hbl, cnic, { services: ['verify'] });
    await f.act(cnic, nadra.id, 'approve');
    await f.act(cnic, first.id, 'revoke');

    const day = Math.floor(f.clock.now / DAY) * DAY;
    const indicators = Object.fromEntries((await f.t.platform.analytics.indicators(SYSTEM_ACTOR, { from: day - DAY, to: day + 2 * DAY })).map((i) => [i.id, i]));
    // The raw records: each artefact's provider and the status changes it went through.
    const db = f.t.platform.store.tables<ConsentTables>();
    const artefacts = new Map((await db.selectFrom('consent_artefacts').select(['id', 'provider_id']).execute()).map((a) => [a.id, memberIdOf(a.provider_id)]));
    const changes = await db.selectFrom('consent_changes').select(['artefact_id', 'to_status']).execute();
    const perProvider = (status: string) => {
      const out: Record<string, number> = {};
      for (const c of changes) if (c.to_status === status) out[artefacts.get(c.artefact_id) as string] = (out[artefacts.get(c.artefact_id) as string] ?? 0) + 1;
      return out;
    };
    expect(perProvider('REQUESTED')).toEqual({ 'PK/GOV/BISP': 3, 'PK/GOV/NADRA': 1 });
    for (const [id, status] of [['consent.requested', 'REQUESTED'], ['consent.approved', 'ACTIVE'], ['consent.rejected', 'REJECTED'], ['consent.revoked', 'REVOKED']] as const) {
      expect(indicators[id]?.breakdown, id).toEqual(perProvider(status));
      expect(indicators[id]?.value, id).toBe(Object.values(perProvider(status)).reduce((s, n) => s + n, 0));
    }
    expect(indicators['consent.time_to_approval_mean']?.value).toEqual(expect.any(Number));
    // The provider sees the requests made to it; a third institution nothing.
    const provider = await f.t.platform.analytics.indicators({ id: 'nadra-admin', role: 'member-admin', memberId: 'PK/GOV/NADRA' }, { from: day - DAY, to: day + 2 * DAY });
    expect(provider.find((i) => i.id === 'consent.requested')?.breakdown).toEqual({ 'PK/GOV/NADRA': 1 });
  });
});
