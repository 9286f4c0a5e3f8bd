import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../core/index.js';
import { startCaseInstance } from '../../cases/testing.js';
import type { CaseTestInstance } from '../../cases/testing.js';
import { registerAdminCommands } from './index.js';
import { runCli, listenLocally } from '../testing.js';

describe('rabta case commands', () => {
  let t: CaseTestInstance;
  let url: string;
  let hblToken: string;
  const run = (...argv: string[]) => runCli(registerAdminCommands, [...argv, '--url', url]);

  beforeAll(async () => {
    t = await startCaseInstance('sqlite', null);
    url = await listenLocally(t.app);
    hblToken = (await t.platform.registry.createOperator(SYSTEM_ACTOR, { name: 'hbl', role: 'member-admin', memberId: 'PK/BANK/HBL' })).token;
  });
  afterAll(async () => t?.close());

  it('lists, shows, assigns, notes, transfers and resolves a case', async () => {
    const { reference } = await t.platform.cases.open({ kind: 'system', by: 'test' }, { category: 'PAYMENT-NOT-RECEIVED', text: 'qist nahi mili', channel: 'admin', intake: 'test' });
    const hbl = ['--token', hblToken];
    expect((await run('case', 'list', '--open', ...hbl)).out).toContain(reference);
    expect((await run('case', 'assign', reference, 'PK/GOV/BISP', '--partner', '--title', 'check the file', '--due-days', '1', ...hbl)).failed).toBe(false);
    expect((await run('case', 'note', reference, 'BISP asked', ...hbl)).failed).toBe(false);
    const shown = await run('case', 'show', reference, ...hbl);
    expect(shown.out).toContain('task-assigned');
    expect(shown.out).toContain('PK/GOV/BISP');
    expect((await run('case', 'resolve', reference, '--note', 'credited', ...hbl)).out).toContain('resolved');
    const refused = await run('case', 'transfer', reference, 'PK/TELCO/JAZZ', '--reason', 'x', ...hbl);
    expect(refused.failed).toBe(true);
    expect(refused.err).toContain('case-state');
    const wrong = reference.slice(0, -1) + String((Number(reference.slice(-1)) + 1) % 10);
    expect((await run('case', 'show', wrong, ...hbl)).err).toContain('case-reference-invalid');
    const queued = await t.platform.cases.open({ kind: 'system', by: 'test' }, { text: 'sim band', channel: 'admin', intake: 'test' });
    expect((await run('case', 'list', '--triage', '--token', t.token)).out).toContain(queued.reference);
    // The router's three suggestions, best first; the triage queue is the authority's.
    const said = await run('case', 'suggestions', queued.reference, '--token', t.token);
    expect(said.out).toMatch(/^category\s+confidence\s+inCatalogue/);
    expect(said.out.trim().split('\n')).toHaveLength(4);
    expect((await run('case', 'suggestions', queued.reference, ...hbl)).err).toContain('forbidden');
    expect((await run('case', 'triage', queued.reference, 'SIM-BLOCKED', '--lead', 'PK/TELCO/JAZZ', '--token', t.token)).out).toContain('triaged');
    expect((await run('case', 'transfer', queued.reference, 'PK/BANK/HBL', '--reason', 'bank number', '--token', t.token)).out).toContain('transferred');
  });
});
