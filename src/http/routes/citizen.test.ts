import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { citizensRows } from '../../citizens/testing.js';
import { startFederation } from '../../consent/testing.js';
import type { Federation } from '../../consent/testing.js';
import { PROBLEM_BASE } from '../../core/index.js';
import { testDialects } from '../../store/testing.js';

const postgresUrl = inject('postgresUrl');
const MINE = '35202-8000001-1';
const THEIRS = '35202-8000002-2';

for (const dialect of testDialects(postgresUrl)) {
  describe(`citizen API on ${dialect}`, () => {
    let f: Federation;
    let token: string;
    const admin = async (body: unknown, bearer: string | null) => {
      const response = await f.t.app.inject({ method: 'POST', url: '/admin/citizens', headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) }, payload: JSON.stringify(body) });
      return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
    };
    const problem = (r: { status: number; body: Record<string, unknown> }) => `${r.status} ${String(r.body.type).replace(PROBLEM_BASE, '')}`;

    beforeAll(async () => {
      f = await startFederation(dialect, postgresUrl);
    });
    afterAll(async () => f?.close());

    it('registers citizens through the admin API (authority only), storing only the hash and the masked CNIC', async () => {
      const created = await admin({ cnic: MINE, mobile: '03008000001', language: 'en' }, f.t.token);
      expect(created).toEqual({ status: 201, body: expect.objectContaining({ cnic: '35202-*****01-1', mobile: '+923008000001', language: 'en' }) });
      expect((await admin({ cnic: MINE, mobile: '+923008000001', language: 'ur' }, f.t.token)).status).toBe(200);
      expect((await admin({ cnic: THEIRS, mobile: '+923008000002', language: 'en' }, f.t.token)).status).toBe(201);
      expect(problem(await admin({ cnic: 'x', mobile: '+923008000001', language: 'en' }, f.t.token))).toBe('400 subject-malformed');
      expect(problem(await admin({ cnic: MINE, mobile: '12', language: 'en' }, f.t.token))).toBe('400 bad-request');
      expect(problem(await admin({ cnic: MINE, mobile: '+923008000001', language: 'fr' }, f.t.token))).toBe('400 bad-request');
      expect(problem(await admin({ cnic: MINE, mobile: '+923008000001', language: 'en' }, null))).toBe('401 unauthorized');
      const { token: memberToken } = await f.t.platform.registry.createOperator({ id: 'system', role: 'system', memberId: null }, { name: 'HBL', role: 'member-admin', memberId: 'PK/BANK/HBL' });
      expect(problem(await admin({ cnic: MINE, mobile: '+923008000001', language: 'en' }, memberToken))).toBe('403 forbidden');
      const stored = JSON.stringify(await citizensRows(f.t.platform.store.db).citizens());
      expect(stored).not.toContain('8000001-1');
      expect(stored).not.toContain('3520280000011');
      // Back to English for the rest.
      await admin({ cnic: MINE, mobile: '+923008000001', language: 'en' }, f.t.token);
      token = await f.signIn(MINE);
    });

    it('lists, approves, refuses and revokes only one’s own consents', async () => {
      const a = await f.request(f.hbl, MINE);
      const b = await f.request(f.jazz, MINE, { services: ['verify'] });
      const theirs = await f.request(f.hbl, THEIRS);
      const list = await f.citizen(token, 'GET', '/citizen/consents');
      expect(list.status).toBe(200);
      const consents = list.body as unknown as Array<Record<string, unknown>>;
      expect(consents.map((c) => c.id).sort()).toEqual([a.id, b.id].sort());
      expect(consents.find((c) => c.id === a.id)).toMatchObject({
        status: 'REQUESTED',
        consumer: { subsystem: 'PK/BANK/HBL/branch-app', institution: { id: 'PK/BANK/HBL', nameEn: 'Habib Bank', nameUr: 'حبیب بینک' } },
        provider: { id: 'PK/GOV/BISP' },
        purpose: { code: 'support', legalBasis: 'consent' },
        replyCode: expect.stringMatching(/^\d{4,6}$/),
        history: [{ from: null, to: 'REQUESTED', actor: 'consumer:PK/BANK/HBL/branch-app' }],
      });

      expect(problem(await f.citizen(token, 'POST', `/citizen/consents/${theirs.id}/approve`))).toBe('404 not-found');
      const approved = await f.citizen(token, 'POST', `/citizen/consents/${a.id}/approve`);
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({ id: a.id, status: 'ACTIVE' });
      expect(f.messenger.last('+923008000001')).toMatchObject({ template: 'consent-approved', params: { cnic: '35202-*****01-1' } });
      expect((await f.exchange(f.hbl, 'status', 'support', [MINE])).status).toBe(200);
      expect(problem(await f.citizen(token, 'POST', `/citizen/consents/${a.id}/approve`))).toBe('409 conflict');
      expect(problem(await f.citizen(token, 'POST', `/citizen/consents/${a.id}/reject`))).toBe('409 conflict');
      expect((await f.citizen(token, 'POST', `/citizen/consents/${a.id}/revoke`)).body).toMatchObject({ status: 'REVOKED', replyCode: null });
      expect((await f.exchange(f.hbl, 'status', 'support', [MINE])).body.type).toBe(`${PROBLEM_BASE}consent-revoked`);
      expect((await f.citizen(token, 'POST', `/citizen/consents/${b.id}/reject`)).body).toMatchObject({ status: 'REJECTED' });
      expect(problem(await f.citizen(token, 'POST', `/citizen/consents/not-a-uuid/approve`))).toBe('400 bad-request');
      // The other citizen's request is untouched.
      expect((await f.signed(f.hbl, 'GET', `/consents/${theirs.id}`)).body.status).toBe('REQUESTED');
    });

    it('refuses to approve a request whose time has run out', async () => {
      const late = await f.request(f.hbl, MINE, { validUntil: f.clock.now + 60_000 });
      f.advance(61_000);
      const fresh = await f.signIn(MINE);
      expect(problem(await f.citizen(fresh, 'POST', `/citizen/consents/${late.id}/approve`))).toBe('409 conflict');
      expect((await f.signed(f.hbl, 'GET', `/consents/${late.id}`)).body.status).toBe('EXPIRED');
      token = fresh;
    });

    it('lists what was sent to the citizen, without sign-in codes, newest first', async () => {
      const all = await f.citizen(token, 'GET', '/citizen/notifications?limit=100');
      expect(all.status).toBe(200);
      const items = all.body.items as Array<{ template: string; params: Record<string, unknown>; status: string }>;
      const templates = items.map((n) => n.template);
      expect(templates).toEqual(expect.arrayContaining(['otp', 'consent-request', 'consent-approved', 'consent-revoked', 'consent-rejected']));
      for (const n of items.filter((i) => i.template === 'otp')) expect(n.params).not.toHaveProperty('code');
      expect(items.every((n) => n.status === 'sent')).toBe(true);
      const page = await f.citizen(token, 'GET', '/citizen/notifications?limit=2');
      expect((page.body.items as unknown[]).length).toBe(2);
      expect(page.body.next).toEqual(expect.any(String));
      // Nothing sent to the other citizen shows here.
      const theirs = await citizensRows(f.t.platform.store.db).notifications(f.hash(THEIRS));
      expect(theirs.length).toBeGreaterThan(0);
      for (const row of theirs) expect(items.map((i) => (i as unknown as { id: string }).id)).not.toContain(row.id);
    });

    it('describes the consent and citizen APIs in OpenAPI', async () => {
      const doc = JSON.parse((await f.t.app.inject({ method: 'GET', url: '/openapi.json' })).body) as { paths: Record<string, Record<string, { tags?: string[] }>> };
      for (const [path, method, tag] of [
        ['/consents', 'post', 'consent'],
        ['/consents/{id}', 'get', 'consent'],
        ['/citizen/otp', 'post', 'citizen'],
        ['/citizen/session', 'post', 'citizen'],
        ['/citizen/consents', 'get', 'citizen'],
        ['/citizen/consents/{id}/approve', 'post', 'citizen'],
        ['/citizen/consents/{id}/reject', 'post', 'citizen'],
        ['/citizen/consents/{id}/revoke', 'post', 'citizen'],
        ['/citizen/access', 'get', 'citizen'],
        ['/citizen/notifications', 'get', 'citizen'],
        ['/admin/citizens', 'post', 'citizens'],
      ] as const) {
        expect(doc.paths[path]?.[method]?.tags, `${method} ${path}`).toContain(tag);
      }
    });
  });
}
