import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../core/index.js';
import { startTestInstance } from '../platform/testing.js';
import type { TestInstance } from '../platform/testing.js';
import { registerOpenDataCommands } from './open-data.js';
import { listenLocally, runCli } from './testing.js';
// Reads other modules' rows directly: a stopgap until they go through those modules' testing.ts.
import type { AllTables } from '../../test/tables.js';

describe('rabta open-data and rabta analytics report', () => {
  let t: TestInstance;
  afterEach(async () => t?.close());

  it('publishes a release, verifies it against the log, and refuses it once a figure is changed', async () => {
    t = await startTestInstance('sqlite', null, { platform: { background: false } });
    // Twelve exchanges HBL → BISP today: a figure above the suppression threshold.
    const at = t.platform.now();
    for (let i = 0; i < 12; i++) {
      await t.platform.store.tables<AllTables>().transaction().execute((trx) =>
        t.platform.analytics.recordExchange(trx, { at: at - i, client_id: 'PK/BANK/HBL/app', service_id: 'PK/GOV/BISP/payments/status', outcome: 'ok', duration_ms: 30 }),
      );
    }
    const url = await listenLocally(t.app);
    const token = t.token;
    const cli = (argv: string[], fetchBytes?: (u: string) => Promise<Buffer>) => runCli((program, output) => registerOpenDataCommands(program, { output, ...(fetchBytes ? { fetchBytes } : {}) }), argv);

    const published = await cli(['open-data', 'publish', '--url', url, '--token', token]);
    expect(published.failed).toBe(false);
    const packageUrl = /package (\S+)/.exec(published.out)?.[1] as string;
    expect(packageUrl).toMatch(/\/open-data\/releases\/\d{8}T\d{9}Z\/datapackage\.json$/);

    const verified = await cli(['open-data', 'verify', packageUrl]);
    expect(verified.err).toBe('');
    expect(verified.out).toContain('ok   exchanges.csv');
    expect(verified.out).toMatch(/matches leaf \d+ of the log/);

    // The same release, downloaded and changed: 12 calls become 13.
    const changed = await cli(['open-data', 'verify', packageUrl], async (u) => {
      const body = Buffer.from(await (await fetch(u)).arrayBuffer());
      return u.endsWith('exchanges.csv') ? Buffer.from(body.toString('utf8').replaceAll(',12,false', ',13,false')) : body;
    });
    expect(changed.failed).toBe(true);
    expect(changed.err).toContain('FAIL exchanges.csv');

    // A pinned log key that is not the instance's refuses the release.
    const wrongKey = await cli(['open-data', 'verify', packageUrl, '--log-vkey', 'example.org/ledger+00000000+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']);
    expect(wrongKey.failed).toBe(true);

    const report = await cli(['analytics', 'report', '--url', url, '--token', token, '--from', new Date(at - 86_400_000).toISOString(), '--to', new Date(at + 1).toISOString()]);
    expect(report.failed).toBe(false);
    expect(report.out.split('\n')[0]).toBe('period,indicator,value');
    expect(report.out).toContain(`${new Date(at).toISOString().slice(0, 10)},exchange.calls,12`);
    await t.platform.registry.createMember(SYSTEM_ACTOR, { memberClass: 'GOV', code: 'NADRA', nameEn: 'NADRA', nameUr: 'نادرا' });
    const { token: memberToken } = await t.platform.registry.createOperator(SYSTEM_ACTOR, { name: 'nadra', role: 'member-admin', memberId: 'PK/GOV/NADRA' });
    const scoped = await cli(['analytics', 'report', '--url', url, '--token', memberToken, '--from', new Date(at - 86_400_000).toISOString(), '--to', new Date(at + 1).toISOString(), '--format', 'json']);
    expect(JSON.parse(scoped.out)).toMatchObject({ series: [] });
  });
});
