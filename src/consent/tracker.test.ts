import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testDialects } from '../store/testing.js';
import { STATUTE, startFederation } from './testing.js';
import type { Federation } from './testing.js';
import type { ConsentTables } from './tables.js';

const postgresUrl = inject('postgresUrl');
const A = '35202-3000001-1';
const B = '35202-3000002-2';
const C = '35202-3000003-3';

interface Entry {
  exchangeId: string;
  institution: { id: string; nameEn: string };
  subsystem: string;
  service: string;
  provider: { id: string };
  purpose: { code: string; legalBasis: string } | null;
  legalBasis: string | null;
  statute: string | null;
  consentId: string | null;
  outcome: string;
  allowed: boolean;
}

for (const dialect of testDialects(postgresUrl)) {
  describe(`data tracker on ${dialect}`, () => {
    let f: Federation;
    const rowsOf = (cnic: string) => f.t.platform.store.tables<ConsentTables>().selectFrom('tracker_entries').selectAll().where('subject_hash', '=', f.hash(cnic)).orderBy('at').execute();

    beforeAll(async () => {
      f = await startFederation(dialect, postgresUrl);
      for (const [i, cnic] of [A, B, C].entries()) await f.register(cnic, `+92300300000${i}`, 'en');
    });
    afterAll(async () => f?.close());

    it('gives each subject of a batch its own row, in the exchange’s transaction', async () => {
      const r = await f.exchange(f.hbl, 'batches', 'disbursement', [A, B, C]);
      expect(r.status).toBe(200);
      const exchangeId = r.headers['rabta-exchange-id'] as string;
      const rows = await f.t.platform.store.tables<ConsentTables>().selectFrom('tracker_entries').selectAll().where('exchange_id', '=', exchangeId).execute();
      expect(rows).toHaveLength(3);
      expect(new Set(rows.map((row) => row.subject_hash))).toEqual(new Set([A, B, C].map(f.hash)));
      for (const row of rows) {
        expect(row).toMatchObject({ client_id: 'PK/BANK/HBL/branch-app', client_member_id: 'PK/BANK/HBL', service_id: 'PK/GOV/BISP/payments/batches', provider_id: 'PK/GOV/BISP', purpose: 'disbursement', legal_basis: 'statute', statute: STATUTE, consent_id: null, outcome: 'ok', status: 200 });
      }
      expect(JSON.stringify(rows)).not.toMatch(/3000001|3000002|3000003/);
    });

    it('records a large batch in chunks', async () => {
      const many = Array.from({ length: 950 }, (_, i) => `61101-${String(4_000_000 + i)}-1`);
      const r = await f.exchange(f.jazz, 'batches', 'disbursement', many);
      expect(r.status).toBe(200);
      const n = await f.t.platform.store.tables<ConsentTables>()
        .selectFrom('tracker_entries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('exchange_id', '=', r.headers['rabta-exchange-id'] as string)
        .executeTakeFirstOrThrow();
      expect(Number(n.n)).toBe(950);
    });

    it('shows a statute call made without any consent in the citizen’s tracker', async () => {
      f.advance(1000);
      expect((await f.exchange(f.jazz, 'verify', 'disbursement', [A])).status).toBe(200);
      const token = await f.signIn(A);
      const access = await f.citizen(token, 'GET', '/citizen/access');
      expect(access.status).toBe(200);
      const [latest] = access.body.items as Entry[];
      expect(latest).toMatchObject({
        institution: { id: 'PK/TELCO/JAZZ', nameEn: 'Jazz' },
        subsystem: 'PK/TELCO/JAZZ/sims',
        service: 'PK/GOV/NADRA/identity/verify',
        provider: { id: 'PK/GOV/NADRA' },
        purpose: { code: 'disbursement', legalBasis: 'statute' },
        legalBasis: 'statute',
        statute: STATUTE,
        consentId: null,
        outcome: 'ok',
        allowed: true,
      });
    });

    it('names the consent that allowed a call, and records refusals too', async () => {
      f.advance(1000);
      expect((await f.exchange(f.hbl, 'status', 'support', [B])).status).toBe(403);
      const consent = await f.request(f.hbl, B);
      await f.act(B, consent.id, 'approve');
      f.advance(1000);
      expect((await f.exchange(f.hbl, 'status', 'support', [B])).status).toBe(200);
      const rows = await rowsOf(B);
      expect(rows.slice(-2).map((r) => ({ outcome: r.outcome, legal_basis: r.legal_basis, consent_id: r.consent_id }))).toEqual([
        { outcome: 'consent-missing', legal_basis: null, consent_id: null },
        { outcome: 'ok', legal_basis: 'consent', consent_id: consent.id },
      ]);
      const token = await f.signIn(B);
      const items = (await f.citizen(token, 'GET', '/citizen/access')).body.items as Entry[];
      expect(items.slice(0, 2).map((e) => [e.outcome, e.allowed, e.consentId])).toEqual([
        ['ok', true, consent.id],
        ['consent-missing', false, null],
      ]);
    });

    it('shows a citizen only their own rows, newest first, page by page', async () => {
      for (let i = 0; i < 3; i++) {
        f.advance(1000);
        await f.exchange(f.hbl, 'status', 'disbursement', [C]);
      }
      const token = await f.signIn(C);
      const all = (await f.citizen(token, 'GET', '/citizen/access?limit=100')).body.items as Entry[];
      const mine = await rowsOf(C);
      expect(all.map((e) => e.exchangeId).sort()).toEqual(mine.map((r) => r.exchange_id).sort());
      const others = await f.t.platform.store.tables<ConsentTables>().selectFrom('tracker_entries').select('exchange_id').where('subject_hash', '!=', f.hash(C)).where('exchange_id', 'not in', mine.map((r) => r.exchange_id)).execute();
      expect(others.length).toBeGreaterThan(0);
      for (const other of others) expect(all.map((e) => e.exchangeId)).not.toContain(other.exchange_id);

      const first = await f.citizen(token, 'GET', '/citizen/access?limit=2');
      const second = await f.citizen(token, 'GET', `/citizen/access?limit=2&cursor=${String(first.body.next)}`);
      const paged = [...(first.body.items as Entry[]), ...(second.body.items as Entry[])].map((e) => e.exchangeId);
      expect(paged).toEqual(all.slice(0, 4).map((e) => e.exchangeId));
      expect(new Set(paged).size).toBe(4);
      expect((await f.citizen(token, 'GET', '/citizen/access?cursor=nonsense')).status).toBe(400);
    });
  });
}
