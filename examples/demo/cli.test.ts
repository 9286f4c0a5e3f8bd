import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CliFailure } from '../../src/cli/admin/index.js';
import { registerCallCommand, DEFAULT_URL } from '../../src/cli/call.js';
import { registerConsentCommands } from '../../src/cli/consent.js';
import { RabtaClient, loadKeyFile } from '../../src/sdk/index.js';
import { testDialects } from '../../src/store/testing.js';
import { demoBeneficiaries } from './people.js';
import { startDemoUnderTest } from './testing.js';
import type { DemoUnderTest } from './testing.js';

const postgresUrl = inject('postgresUrl');

/*
 * `rabta call` and `rabta consent …` with the demo's key files, as the README
 * has a newcomer run them: in process, against a demo on a free port.
 */
for (const dialect of testDialects(postgresUrl)) {
  describe(`rabta call and rabta consent with the demo's key files, on ${dialect}`, () => {
    let running: DemoUnderTest;
    let base: string;
    const people = demoBeneficiaries();
    const keyFile = (name: string) => running.demo.keyFiles.find((f) => f.endsWith(name)) as string;

    async function rabta(...argv: string[]) {
      const out: string[] = [];
      const err: string[] = [];
      const output = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
      const program = new Command('rabta').exitOverride();
      registerCallCommand(program, output);
      registerConsentCommands(program, output);
      const before = process.exitCode;
      let failed = false;
      try {
        await program.parseAsync(['node', 'rabta', ...argv, ...(argv.includes('--url') ? [] : ['--url', base])]);
      } catch (error) {
        if (!(error instanceof CliFailure)) throw error;
        failed = true;
      }
      // The call command reports a refusal through the exit code; it must not leak into the test run's.
      failed ||= process.exitCode === 1;
      process.exitCode = before;
      return { out: out.join('\n'), err: err.join('\n'), failed };
    }

    beforeAll(async () => {
      running = await startDemoUnderTest({}, dialect, postgresUrl);
      base = running.t.platform.config.publicUrl;
    });
    afterAll(async () => running?.close());

    it('runs each key file’s example, and a --purpose or --subject replaces the example’s own', async () => {
      const example = await rabta('call', '--key-file', keyFile('HBL-branch-app.json'));
      expect(example.failed).toBe(false);
      expect(example.out).toMatch(/^200 from the upstream/);
      const other = people.find((p) => p.cnic !== people[0]?.cnic && p.status === 'active' && p.district.district !== people[0]?.district.district) ?? people[1];
      for (const file of running.demo.keyFiles) {
        const flags = await rabta('call', '--key-file', file, '--subject', other?.cnic as string);
        expect({ file, err: flags.err, out: flags.out.split('\n')[0] }).toEqual({ file, err: '', out: expect.stringMatching(/^\d{3} from the (upstream|rabta)/) });
      }
      const branch = await rabta('call', '--key-file', keyFile('HBL-branch-app.json'), '--subject', other?.cnic as string, '--purpose', 'cash-transfer-disbursement');
      expect(branch.failed).toBe(false);
      expect(branch.out).toContain(`"district":"${other?.district.district}"`);
      // A consent purpose without a consent is Rabta's refusal, not a client-side error about headers.
      const consentPurpose = await rabta('call', '--key-file', keyFile('HBL-branch-app.json'), '--purpose', 'beneficiary-support');
      expect(consentPurpose.out).toContain('type: https://rabta.pk/problems/consent-missing');
    });

    it('calls /consents and /consents/{id} and accepts their unsigned answers', async () => {
      const body = JSON.stringify({ cnic: people[2]?.cnic, services: ['PK/GOV/BISP/payments/beneficiary-status'], purpose: 'beneficiary-support', validUntil: new Date(Date.now() + 86_400_000).toISOString(), dataLifeDays: 7, frequency: { count: 5, per: 'day' } });
      const made = await rabta('call', '--key-file', keyFile('HBL-branch-app.json'), '--method', 'POST', '--path', '/consents', '--data', body);
      expect(made.err).toBe('');
      expect(made.failed).toBe(false);
      expect(made.out).toMatch(/^201 from the rabta/);
      expect(made.out).toContain('response signature: none (Rabta signs the answers of exchange calls, /x/…, only)');
      const id = (JSON.parse(made.out.split('\n').slice(2).join('\n')) as { id: string }).id;
      const shown = await rabta('call', '--key-file', keyFile('HBL-branch-app.json'), '--path', `/consents/${id}`);
      expect(shown.failed).toBe(false);
      expect(shown.out).toMatch(/^200 from the rabta/);
      expect(shown.out).toContain('"status":"REQUESTED"');
    });

    it('says plainly that a key file is missing', async () => {
      const missing = await rabta('call', '--key-file', '/nowhere/HBL-branch-app.json');
      expect(missing.failed).toBe(true);
      expect(missing.err).toContain('error: no key file at /nowhere/HBL-branch-app.json');
      expect(missing.err).not.toContain('ENOENT');
      const consent = await rabta('consent', 'list', '--key-file', '/nowhere/x.json');
      expect(consent.err).toContain('error: no key file at /nowhere/x.json');
    });

    it('names the instance in the banner’s commands when it is not on the default port', () => {
      expect(base).not.toBe(DEFAULT_URL);
      expect(running.demo.banner).toContain(`npm run rabta -- call --url ${base} --key-file`);
      expect(running.demo.banner).toContain(`npm run rabta -- service list --url ${base}`);
      // The three web faces, where a person without a terminal starts.
      for (const face of ['/ ', '/console ', '/dashboard ']) expect(running.demo.banner).toContain(`${base}${face}`);
    });

    it('asks for consent, shows and lists the requests with rabta consent', async () => {
      const citizen = people[3];
      const made = await rabta('consent', 'request', '--key-file', keyFile('HBL-branch-app.json'), '--cnic', citizen?.cnic as string, '--service', 'PK/GOV/BISP/payments/beneficiary-status', '--purpose', 'beneficiary-support', '--frequency', '3/day', '--json');
      expect(made.failed).toBe(false);
      const request = JSON.parse(made.out) as { id: string; status: string; frequency: unknown };
      expect(request).toMatchObject({ status: 'REQUESTED', frequency: { count: 3, per: 'day' } });
      const shown = await rabta('consent', 'show', request.id, '--key-file', keyFile('HBL-branch-app.json'));
      expect(shown.out).toContain(`consent ${request.id}: REQUESTED`);
      expect(shown.out).toContain('PK/BANK/HBL/branch-app asks PK/GOV/BISP for PK/GOV/BISP/payments/beneficiary-status, purpose beneficiary-support');
      const listed = await rabta('consent', 'list', '--key-file', keyFile('HBL-branch-app.json'), '--status', 'requested');
      // A refusal would be a problem line on stderr; timestamps may hold any digits, so look for the failure itself.
      expect(listed.failed).toBe(false);
      expect(listed.err).not.toMatch(/error|problem|\b400\b/i);
      expect(listed.out.split('\n')[0]).toMatch(new RegExp(`^${request.id}  REQUESTED`));
      // Another subsystem sees none of HBL's requests.
      const other = await rabta('consent', 'list', '--key-file', keyFile('BAFL-branch-app.json'));
      expect(other.out).not.toContain(request.id);
      const bad = await rabta('consent', 'request', '--key-file', keyFile('HBL-branch-app.json'), '--cnic', citizen?.cnic as string, '--service', 'PK/GOV/BISP/payments/beneficiary-status', '--purpose', 'cash-transfer-disbursement');
      expect(bad.failed).toBe(true);
      expect(bad.out).toMatch(/^4\d\d from Rabta: /);
    });

    it('gives the SDK requestConsent, getConsent and listConsents', async () => {
      const key = await loadKeyFile(keyFile('BAFL-branch-app.json'));
      const client = new RabtaClient({ baseUrl: base, client: key.client, keyId: key.keyId, privateKey: key.privateKey });
      const made = await client.requestConsent({ cnic: people[4]?.cnic as string, services: ['PK/GOV/BISP/payments/beneficiary-status'], purpose: 'beneficiary-support', validUntil: new Date(Date.now() + 86_400_000), dataLifeDays: 3, frequency: { count: 1, per: 'day' } });
      expect(made).toMatchObject({ status: 'REQUESTED', consumer: 'PK/BANK/BAFL/branch-app', provider: 'PK/GOV/BISP', dataLifeDays: 3 });
      expect((await client.getConsent(made.id)).id).toBe(made.id);
      expect((await client.listConsents()).map((c) => c.id)).toEqual([made.id]);
      expect(await client.listConsents({ status: 'ACTIVE' })).toEqual([]);
      await expect(client.getConsent('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'not-found' });
      expect(readFileSync(keyFile('BAFL-branch-app.json'), 'utf8')).toContain('"example"');
    });
  });
}
