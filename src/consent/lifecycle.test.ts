import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { PROBLEM_BASE } from '../core/index.js';
import { testDialects } from '../store/testing.js';
import { LEAF_KIND } from '../ledger/index.js';
import { verifyArtefact } from './artefact.js';
import { startFederation } from './testing.js';
import type { Federation } from './testing.js';
import type { ConsentTables } from './tables.js';
import { ledgerRecords } from '../ledger/testing.js';

const postgresUrl = inject('postgresUrl');
const urduDigits = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)));
const DAY = 86_400_000;

for (const dialect of testDialects(postgresUrl)) {
  describe(`consent lifecycle on ${dialect}`, () => {
    let f: Federation;
    const problem = (r: { status: number; body: Record<string, unknown> }) => `${r.status} ${String(r.body.type).replace(PROBLEM_BASE, '')}`;
    const changes = (id: string) =>
      f.t.platform.store.tables<ConsentTables>().selectFrom('consent_changes').select(['from_status', 'to_status', 'actor']).where('artefact_id', '=', id).orderBy('at').execute();

    beforeAll(async () => {
      f = await startFederation(dialect, postgresUrl);
    });
    afterAll(async () => f?.close());

    it('approve by SMS → the call passes → revoke by SMS → the next call fails with consent-revoked', async () => {
      const cnic = '35202-1234567-1';
      await f.register(cnic, '0300-1234567', 'ur');
      const consent = await f.request(f.hbl, cnic);
      expect(consent).toMatchObject({ status: 'REQUESTED', consumer: 'PK/BANK/HBL/branch-app', provider: 'PK/GOV/BISP', services: ['PK/GOV/BISP/payments/status'], purpose: 'support' });

      const sms = f.messenger.last('+923001234567', 'consent-request');
      expect(sms).toBeDefined();
      const code = sms?.params.code as string;
      expect(code).toMatch(/^\d{4,6}$/);
      expect(sms).toMatchObject({ language: 'ur', params: { consumer: 'حبیب بینک', provider: 'بینظیر انکم سپورٹ پروگرام', purpose: 'برانچ میں مدد', cnic: '35202-*****67-1' } });
      expect(sms?.text).toContain(`ہاں یا نہیں \u200E${code}`);
      expect(sms?.text).toContain(`نہیں \u200E${code}`);
      expect(sms?.text).not.toContain('1234567');

      expect(problem(await f.exchange(f.hbl, 'status', 'support', [cnic]))).toBe('403 consent-missing');

      // The gateway reports the sender without the plus; the citizen types Urdu digits with extra spaces.
      expect(await f.t.platform.citizens.handleInboundSms({ from: '923001234567', text: `  ہاں   ${urduDigits(code)} ` })).toEqual({ outcome: 'approved', consentId: consent.id });
      const confirmation = f.messenger.last('+923001234567');
      expect(confirmation).toMatchObject({ template: 'consent-approved', language: 'ur', params: { cnic: '35202-*****67-1', code } });
      expect((await f.signed(f.hbl, 'GET', `/consents/${consent.id}`)).body).toMatchObject({ id: consent.id, status: 'ACTIVE' });

      expect((await f.exchange(f.hbl, 'status', 'support', [cnic])).status).toBe(200);

      expect(await f.t.platform.citizens.handleInboundSms({ from: '+923001234567', text: `wapis ${code}` })).toEqual({ outcome: 'revoked', consentId: consent.id });
      expect(f.messenger.last('+923001234567')).toMatchObject({ template: 'consent-revoked', params: { cnic: '35202-*****67-1' } });
      expect(problem(await f.exchange(f.hbl, 'status', 'support', [cnic]))).toBe('403 consent-revoked');

      expect(await changes(consent.id)).toEqual([
        { from_status: null, to_status: 'REQUESTED', actor: 'consumer:PK/BANK/HBL/branch-app' },
        { from_status: 'REQUESTED', to_status: 'ACTIVE', actor: 'citizen:sms' },
        { from_status: 'ACTIVE', to_status: 'REVOKED', actor: 'citizen:sms' },
      ]);
      // Every status change is a ledger leaf: a salted commitment, never the citizen in clear.
      const leaves = await ledgerRecords(f.t.platform.store.db, { kind: LEAF_KIND.consentChange });
      const mine = leaves.filter((l) => (JSON.parse(l.record as string) as { artefactId: string }).artefactId === consent.id);
      expect(mine).toHaveLength(3);
      for (const leaf of mine) {
        expect(leaf.entry.length).toBe(42);
        expect(leaf.entry.toString('latin1')).not.toContain('35202');
      }
      // A revoked consent stays revoked: its code no longer answers, and a new consent is a new artefact.
      expect(await f.t.platform.citizens.handleInboundSms({ from: '+923001234567', text: `HAAN ${code}` })).toEqual({ outcome: 'unknown-code' });
    });

    it('signs the artefact with the consent key and never changes it', async () => {
      const cnic = '35202-7654321-3';
      await f.register(cnic, '+923007654321', 'en');
      const consent = await f.request(f.jazz, cnic, { services: ['verify'], frequency: { count: 5, per: 'month' } });
      const keys = new Map(f.t.platform.keyring.consent.map((k) => [k.kid, k.publicKey]));
      const terms = await verifyArtefact(consent.artefact, keys);
      expect(terms).toMatchObject({
        id: consent.id,
        citizen: f.hash(cnic),
        consumer: 'PK/TELCO/JAZZ/sims',
        provider: 'PK/GOV/NADRA',
        services: ['PK/GOV/NADRA/identity/verify'],
        purpose: 'support',
        dataLife: { days: 30 },
        frequency: { count: 5, per: 'month' },
        validFrom: consent.validFrom,
        validUntil: consent.validUntil,
      });
      expect(consent.artefact).not.toContain('7654321');
      await f.act(cnic, consent.id, 'approve');
      const after = await f.signed(f.jazz, 'GET', `/consents/${consent.id}`);
      expect(after.body.artefact).toBe(consent.artefact);
      const [, payload] = consent.artefact.split('.');
      const tampered = consent.artefact.replace(payload as string, Buffer.from(JSON.stringify({ ...terms, purpose: 'marketing' })).toString('base64url'));
      await expect(verifyArtefact(tampered, keys)).rejects.toThrow();
      // Only its consumer reads a request.
      expect(problem(await f.signed(f.hbl, 'GET', `/consents/${consent.id}`))).toBe('404 not-found');
    });

    it('answers a consumer the same whether or not the CNIC is registered, and texts only the registered', async () => {
      const known = '61101-1111111-1';
      const unknown = '61101-2222222-2';
      await f.register(known, '+923001111111', 'en');
      const sent = f.messenger.sent.length;
      const a = await f.request(f.hbl, known);
      expect(f.messenger.sent.length).toBe(sent + 1);
      const b = await f.request(f.hbl, unknown);
      expect(f.messenger.sent.length).toBe(sent + 1);
      expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
      expect({ ...a, id: '', artefact: '' }).toEqual({ ...b, id: '', artefact: '' });
      // The pending limit holds for both alike.
      for (const cnic of [known, unknown]) {
        await f.request(f.hbl, cnic);
        await f.request(f.hbl, cnic);
        const fourth = await f.signed(f.hbl, 'POST', '/consents', { cnic, services: ['PK/GOV/BISP/payments/status'], purpose: 'support', validUntil: new Date(f.clock.now + DAY).toISOString(), dataLifeDays: 1, frequency: { count: 1, per: 'day' } });
        expect(problem(fourth)).toBe('429 rate-limited');
      }
    });

    it('refuses requests the catalogue does not allow, and unsigned or altered ones', async () => {
      const body = { cnic: '35202-1234567-1', services: ['PK/GOV/BISP/payments/status'], purpose: 'support', validUntil: new Date(f.clock.now + DAY).toISOString(), dataLifeDays: 1, frequency: { count: 1, per: 'day' } };
      expect(problem(await f.signed(f.hbl, 'POST', '/consents', { ...body, purpose: 'disbursement' }))).toBe('400 bad-request');
      expect(problem(await f.signed(f.hbl, 'POST', '/consents', { ...body, purpose: 'nope' }))).toBe('400 unknown-purpose');
      expect(problem(await f.signed(f.hbl, 'POST', '/consents', { ...body, services: ['PK/GOV/BISP/payments/none'] }))).toBe('404 unknown-service');
      expect(problem(await f.signed(f.hbl, 'POST', '/consents', { ...body, services: ['PK/GOV/BISP/payments/status', 'PK/GOV/NADRA/identity/verify'] }))).toBe('400 bad-request');
      expect(problem(await f.signed(f.hbl, 'POST', '/consents', { ...body, cnic: '123' }))).toBe('400 subject-malformed');
      expect(problem(await f.signed(f.hbl, 'POST', '/consents', { ...body, validUntil: new Date(f.clock.now - 1000).toISOString() }))).toBe('400 bad-request');
      await f.t.platform.registry.revokeAccess(
        { id: 'system', role: 'system', memberId: null },
        (await f.t.platform.registry.listAccess({ serviceId: 'PK/GOV/BISP/payments/batches', clientId: f.jazz.id }))[0]?.id as string,
      );
      expect(problem(await f.signed(f.jazz, 'POST', '/consents', { ...body, services: ['PK/GOV/BISP/payments/batches'] }))).toBe('403 no-access-right');
      const unsigned = await f.t.app.inject({ method: 'POST', url: '/consents', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
      expect(unsigned.statusCode).toBe(400);
      expect(JSON.parse(unsigned.body).type).toBe(`${PROBLEM_BASE}missing-header`);
      // A body swapped after signing: the digest no longer matches what was signed.
      const { signRequest } = await import('../sdk/index.js');
      const bytes = Buffer.from(JSON.stringify(body));
      const headers: Record<string, string> = { 'rabta-client': f.hbl.id, 'content-type': 'application/json' };
      Object.assign(headers, await signRequest({ method: 'POST', targetUri: `${f.t.platform.config.publicUrl}/consents`, headers, body: bytes, keyId: f.hbl.keyId, privateKey: f.hbl.privateKey, tag: 'rabta-request', created: f.clock.now }));
      const swapped = await f.t.app.inject({ method: 'POST', url: '/consents', headers, payload: JSON.stringify({ ...body, cnic: '35202-0000000-1' }) });
      expect(JSON.parse(swapped.body).type).toBe(`${PROBLEM_BASE}digest-mismatch`);
    });

    it('expires at use and by the sweeper, and lapses unanswered requests', async () => {
      const cnic = '42101-3333333-3';
      await f.register(cnic, '+923003333333', 'en');
      const short = await f.request(f.hbl, cnic, { services: ['verify'], validUntil: f.clock.now + 3_600_000 });
      await f.act(cnic, short.id, 'approve');
      const pending = await f.request(f.hbl, cnic, { services: ['status'] });
      expect((await f.exchange(f.hbl, 'verify', 'support', [cnic])).status).toBe(200);
      f.advance(3_600_000);
      // Before any sweep, the check at use already refuses.
      expect(problem(await f.exchange(f.hbl, 'verify', 'support', [cnic]))).toBe('403 consent-expired');
      expect(await f.t.platform.consent.sweep()).toMatchObject({ expired: 1 });
      expect((await f.signed(f.hbl, 'GET', `/consents/${short.id}`)).body.status).toBe('EXPIRED');
      expect((await changes(short.id)).at(-1)).toEqual({ from_status: 'ACTIVE', to_status: 'EXPIRED', actor: 'system:sweeper' });
      expect(problem(await f.exchange(f.hbl, 'verify', 'support', [cnic]))).toBe('403 consent-expired');
      // A request nobody answers lapses after a week; its reply code then answers nothing.
      f.advance(7 * DAY);
      await f.t.platform.consent.sweep();
      expect((await f.signed(f.hbl, 'GET', `/consents/${pending.id}`)).body.status).toBe('EXPIRED');
      await expect(f.act(cnic, pending.id, 'approve')).rejects.toMatchObject({ code: 'conflict' });
    });

    it('runs the sweeper on an interval until it is stopped', async () => {
      const cnic = '42101-3333334-3';
      const consent = await f.request(f.hbl, cnic, { validUntil: f.clock.now + 60_000 });
      await f.act(cnic, consent.id, 'approve');
      f.advance(60_000);
      const status = async () => (await f.signed(f.hbl, 'GET', `/consents/${consent.id}`)).body.status;
      // The intervals are the test's: they run as it moves virtual time, and what is left of them can be counted.
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      try {
        f.t.platform.consent.start(10);
        expect(vi.getTimerCount()).toBeGreaterThan(0);
        // vi.waitFor moves the fake intervals on at each check.
        await vi.waitFor(async () => expect(await status()).toBe('EXPIRED'), { timeout: 10_000, interval: 10 });
        await f.t.platform.consent.stop();
        // Stopped: no timer is left that could sweep again.
        expect(vi.getTimerCount()).toBe(0);
        const next = await f.request(f.hbl, cnic, { validUntil: f.clock.now + 60_000 });
        f.advance(120_000);
        await vi.advanceTimersByTimeAsync(1000);
        expect((await f.signed(f.hbl, 'GET', `/consents/${next.id}`)).body.status).toBe('REQUESTED');
      } finally {
        vi.useRealTimers();
      }
    });

    it('counts uses against the frequency limit, atomically, per Pakistan day', async () => {
      const cnic = '42101-4444444-4';
      const consent = await f.request(f.hbl, cnic, { services: ['status'], frequency: { count: 2, per: 'day' } });
      await f.act(cnic, consent.id, 'approve');
      const results = await Promise.all([1, 2, 3].map(() => f.exchange(f.hbl, 'status', 'support', [cnic])));
      expect(results.map((r) => r.status).sort()).toEqual([200, 200, 429]);
      const refused = results.find((r) => r.status === 429);
      expect(refused?.body.type).toBe(`${PROBLEM_BASE}consent-frequency-exceeded`);
      expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(0);
      // Statute calls do not use the consent.
      expect((await f.exchange(f.hbl, 'status', 'disbursement', [cnic])).status).toBe(200);
      f.advance(DAY);
      expect((await f.exchange(f.hbl, 'status', 'support', [cnic])).status).toBe(200);
    });

    it('handles household phones, refusals, unknown codes and unknown numbers by SMS', async () => {
      const phone = '+923005555555';
      await f.register('35202-5555555-1', phone, 'en');
      await f.register('35202-5555555-2', phone, 'en');
      const first = await f.request(f.hbl, '35202-5555555-1');
      const second = await f.request(f.jazz, '35202-5555555-2');
      const codes = f.messenger.sent.filter((m) => m.mobile === phone && m.template === 'consent-request').map((m) => m.params.code);
      expect(new Set(codes).size).toBe(2);
      const citizens = f.t.platform.citizens;
      expect(await citizens.handleInboundSms({ from: phone, text: `NAHI ${codes[1]}` })).toEqual({ outcome: 'rejected', consentId: second.id });
      expect(f.messenger.last(phone)).toMatchObject({ template: 'consent-rejected', language: 'en', params: { cnic: '35202-*****55-2', consumer: 'Jazz' } });
      expect(await citizens.handleInboundSms({ from: phone, text: 'Haan 0000' })).toEqual({ outcome: 'unknown-code' });
      expect(f.messenger.last(phone)?.template).toBe('consent-code-unknown');
      expect(await citizens.handleInboundSms({ from: phone, text: 'what is this?' })).toEqual({ outcome: 'help' });
      expect(f.messenger.last(phone)).toMatchObject({ template: 'help', language: 'en' });
      // A stranger's number, even with a live code, gets only the help text — in Urdu, and nothing personal.
      const stranger = '+923009999999';
      expect(await citizens.handleInboundSms({ from: stranger, text: `HAAN ${codes[0]}` })).toEqual({ outcome: 'help' });
      expect(f.messenger.last(stranger)).toMatchObject({ template: 'help', language: 'ur', params: {} });
      expect((await f.signed(f.hbl, 'GET', `/consents/${first.id}`)).body.status).toBe('REQUESTED');
      expect(await citizens.handleInboundSms({ from: phone, text: `haan-${codes[0]}.` })).toEqual({ outcome: 'approved', consentId: first.id });
    });

    it('moves live reply codes to a citizen’s new phone, and the old phone loses them', async () => {
      const cnic = '35202-7777777-1';
      await f.register(cnic, '+923007777771', 'en');
      const consent = await f.request(f.hbl, cnic);
      const code = f.messenger.last('+923007777771', 'consent-request')?.params.code as string;
      // The new phone already has a live request with the same code: the moved one gets another.
      await f.register('35202-7777777-2', '+923007777772', 'en');
      await f.t.platform.store.tables<ConsentTables>().updateTable('consent_artefacts').set({ reply_code: code }).where('id', '=', (await f.request(f.hbl, '35202-7777777-2')).id).execute();
      await f.register(cnic, '+923007777772', 'en');
      const moved = await f.t.platform.store.tables<ConsentTables>().selectFrom('consent_artefacts').select(['reply_mobile', 'reply_code']).where('id', '=', consent.id).executeTakeFirstOrThrow();
      expect(moved.reply_mobile).toBe('+923007777772');
      expect(moved.reply_code).not.toBe(code);
      expect(await f.t.platform.citizens.handleInboundSms({ from: '+923007777771', text: `HAAN ${code}` })).toEqual({ outcome: 'help' });
      expect(await f.t.platform.citizens.handleInboundSms({ from: '+923007777772', text: `HAAN ${moved.reply_code}` })).toEqual({ outcome: 'approved', consentId: consent.id });
    });

    it('keeps a reply code unique among one phone’s live consents, in the database', async () => {
      const db = f.t.platform.store.tables<ConsentTables>();
      const base = await db.selectFrom('consent_artefacts').selectAll().where('reply_code', 'is not', null).where('status', 'in', ['REQUESTED', 'ACTIVE']).executeTakeFirstOrThrow();
      const copy = (id: string, status: 'REQUESTED' | 'REVOKED') => ({ ...base, id, status });
      const taken = await db.insertInto('consent_artefacts').values(copy('00000000-0000-4000-8000-000000000001', 'REQUESTED')).onConflict((oc) => oc.doNothing()).returning('id').executeTakeFirst();
      expect(taken).toBeUndefined();
      // A revoked consent no longer holds its code.
      const ended = await db.insertInto('consent_artefacts').values(copy('00000000-0000-4000-8000-000000000002', 'REVOKED')).onConflict((oc) => oc.doNothing()).returning('id').executeTakeFirst();
      expect(ended?.id).toBe('00000000-0000-4000-8000-000000000002');
      await db.deleteFrom('consent_artefacts').where('id', '=', '00000000-0000-4000-8000-000000000002').execute();
    });

    it('lets a citizen approve, refuse and revoke only their own consents, in the right state', async () => {
      const mine = '35202-6666666-1';
      const theirs = '35202-6666666-2';
      const a = await f.request(f.hbl, mine);
      const b = await f.request(f.hbl, theirs);
      await expect(f.act(mine, b.id, 'approve')).rejects.toMatchObject({ code: 'not-found' });
      await expect(f.act(mine, a.id, 'revoke')).resolves.toMatchObject({ status: 'REJECTED' });
      const c = await f.request(f.hbl, mine);
      await expect(f.act(mine, c.id, 'approve')).resolves.toMatchObject({ status: 'ACTIVE' });
      await expect(f.act(mine, c.id, 'approve')).rejects.toMatchObject({ code: 'conflict' });
      await expect(f.act(mine, c.id, 'reject')).rejects.toMatchObject({ code: 'conflict' });
      await expect(f.act(mine, c.id, 'revoke')).resolves.toMatchObject({ status: 'REVOKED' });
      await expect(f.act(mine, c.id, 'revoke')).rejects.toMatchObject({ code: 'conflict' });
    });
  });
}
