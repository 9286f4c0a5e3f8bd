import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestInstance } from '../../platform/testing.js';
import type { TestInstance } from '../../platform/testing.js';
import { testDialects } from '../../store/testing.js';
import { registerAdminCommands } from './index.js';
import { runCli, listenLocally } from '../testing.js';

const postgresUrl = inject('postgresUrl');

describe.each(testDialects(postgresUrl))('rabta admin commands on %s', (dialect) => {
  let t: TestInstance;
  let url: string;
  const dir = mkdtempSync(join(tmpdir(), 'rabta-cli-'));

  /** Runs one command line in process and returns what it printed. */
  const run = (...argv: string[]) => runCli(registerAdminCommands, [...argv, ...(argv[0] === 'key' && argv[1] === 'generate' ? [] : ['--url', url])]);

  beforeAll(async () => {
    t = await startTestInstance(dialect, postgresUrl);
    url = await listenLocally(t.app);
  });
  afterAll(async () => t?.close());

  it('onboards a member from nothing', async () => {
    const auth = ['--token', t.token];
    expect((await run('member', 'add', '--class', 'PROV', '--code', 'PSPA', '--name-en', 'Punjab Social Protection Authority', '--name-ur', 'پنجاب سوشل پروٹیکشن اتھارٹی', '--province', 'PB', ...auth)).out).toContain('PK/PROV/PSPA');
    const operator = await run('operator', 'add', '--name', 'PSPA admin', '--role', 'member-admin', '--member', 'PK/PROV/PSPA', ...auth);
    const memberToken = /token \(shown once\): (\S+)/.exec(operator.out)?.[1] as string;
    expect(memberToken).toMatch(/^rbt_/);
    const mine = ['--token', memberToken];
    expect((await run('subsystem', 'add', 'PK/PROV/PSPA', 'cases', '--name', 'Case management', ...mine)).out).toContain('PK/PROV/PSPA/cases');
    const keyFile = join(dir, 'pspa.json');
    const keyId = (await run('key', 'generate', '--client', 'PK/PROV/PSPA/cases', '--out', keyFile)).out.trim();
    expect(JSON.parse(readFileSync(keyFile, 'utf8')).keyId).toBe(keyId);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect((await run('key', 'register', '--key-file', keyFile, ...mine)).out).toContain('registered');
    const refused = await run('key', 'approve', keyId, ...mine);
    expect(refused.failed).toBe(true);
    expect(refused.err).toContain('only the authority');
    expect((await run('key', 'approve', keyId, ...auth)).out).toContain('approved');
    expect((await run('service', 'add', 'PK/PROV/PSPA/cases', 'case-status', '--title', 'Case status', '--upstream', 'http://127.0.0.1:9/cases', '--personal', '--subject-location', 'header', ...mine)).out).toContain('PK/PROV/PSPA/cases/case-status');
    expect((await run('purpose', 'add', '--code', 'social-protection', '--name-en', 'Social protection', '--name-ur', 'سماجی تحفظ', '--legal-basis', 'statute', '--statute', 'Punjab Social Protection Authority Act 2015', ...auth)).failed).toBe(false);
    expect((await run('subsystem', 'add', 'PK/PROV/PSPA', 'portal', '--name', 'Portal', ...mine)).failed).toBe(false);
    expect((await run('access', 'grant', '--service', 'PK/PROV/PSPA/cases/case-status', '--client', 'PK/PROV/PSPA/portal', '--purpose', 'social-protection', ...mine)).failed).toBe(false);
    const list = await run('access', 'list', '--member', 'PK/PROV/PSPA', '--json', ...mine);
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ serviceId: 'PK/PROV/PSPA/cases/case-status', clientId: 'PK/PROV/PSPA/portal', purposes: ['social-protection'] })]);
    const rotated = await run('key', 'rotate', '--key-file', keyFile, '--out', join(dir, 'pspa-2.json'), ...mine);
    expect(rotated.out).toContain(`replacing ${keyId}`);
  });

  it('declares a topic, grants it, notifies its subjects, subscribes and searches deliveries', async () => {
    const auth = ['--token', t.token];
    const schema = join(dir, 'case-closed.schema.json');
    writeFileSync(schema, JSON.stringify({ type: 'object', required: ['cnic', 'case'], properties: { cnic: { type: 'string' }, case: { type: 'string' } } }));
    const added = await run('topic', 'add', 'PK/PROV/PSPA/cases', 'case.closed', '--title', 'A case was closed', '--schema', schema, '--personal', '--subject-path', 'cnic', '--ordering-key', 'case', ...auth);
    expect(added.out).toContain('PK/PROV/PSPA/cases/case.closed');
    expect((await run('topic', 'grant', '--topic', 'PK/PROV/PSPA/cases/case.closed', '--subscriber', 'PK/PROV/PSPA/portal', '--purpose', 'social-protection', ...auth)).failed).toBe(false);
    const rule = await run('topic', 'notify', 'PK/PROV/PSPA/cases/case.closed', '--ur', 'آپ کا کیس {case} بند ہو گیا', '--en', 'Your case {case} is closed', '--status', '--json', ...auth);
    expect(JSON.parse(rule.out)).toMatchObject({ topic: 'PK/PROV/PSPA/cases/case.closed', fields: ['case'], status: true });
    expect((await run('topic', 'notify', 'PK/PROV/PSPA/cases/case.closed', '--ur', '{nope}', '--en', 'x', ...auth)).err).toContain('nope');
    const subscribed = await run('subscription', 'add', '--topic', 'PK/PROV/PSPA/cases/case.closed', '--client', 'PK/PROV/PSPA/portal', '--pull', '--filter', 'case=C-1', '--json', ...auth);
    expect(JSON.parse(subscribed.out)).toMatchObject({ subscriber: 'PK/PROV/PSPA/portal', delivery: { pull: true }, filter: { case: 'C-1' } });
    await expect(run('subscription', 'add', '--topic', 'PK/PROV/PSPA/cases/case.closed', '--client', 'PK/PROV/PSPA/portal', ...auth)).rejects.toThrow(/--webhook <url> or --pull/);
    expect(JSON.parse((await run('topic', 'list', '--member', 'PK/PROV/PSPA', '--json', ...auth)).out)).toEqual([expect.objectContaining({ id: 'PK/PROV/PSPA/cases/case.closed', personal: true })]);
    expect(JSON.parse((await run('delivery', 'list', '--status', 'dead', '--json', ...auth)).out)).toEqual([]);
  });

  it('explains problems and missing tokens, and exits 1', async () => {
    await run('member', 'add', '--class', 'GOV', '--code', 'DUP', '--name-en', 'x', '--name-ur', 'y', '--token', t.token);
    const duplicate = await run('member', 'add', '--class', 'GOV', '--code', 'DUP', '--name-en', 'x', '--name-ur', 'y', '--token', t.token);
    expect(duplicate.failed).toBe(true);
    expect(duplicate.err).toContain('The resource already exists');
    expect(duplicate.err).toContain('https://rabta.pk/problems/conflict');
    const bad = await run('member', 'list', '--token', 'rbt_wrong');
    expect(bad.failed).toBe(true);
    expect(bad.err).toContain('unknown or revoked');
    const none = await run('member', 'list');
    expect(none.failed).toBe(true);
    expect(none.err).toContain('no API token');
  });
});
