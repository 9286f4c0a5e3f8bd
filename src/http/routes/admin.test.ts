import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestInstance } from '../../platform/testing.js';
import type { TestInstance } from '../../platform/testing.js';
import { testDialects } from '../../store/testing.js';
import { PROBLEM_BASE } from '../../core/index.js';

const postgresUrl = inject('postgresUrl');

function publicJwk() {
  const { publicKey } = generateKeyPairSync('ed25519');
  return publicKey.export({ format: 'jwk' });
}

for (const dialect of testDialects(postgresUrl)) {
  describe(`admin API on ${dialect}`, () => {
    let t: TestInstance;
    let memberToken: string;
    const call = async (method: string, url: string, body?: unknown, token: string | null = t.token, raw?: string) => {
      const response = await t.app.inject({
        method: method as 'GET',
        url,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}) },
        payload: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      return { status: response.statusCode, type: response.headers['content-type'], body: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : {} };
    };
    const expectProblem = (r: { status: number; type?: string | string[] | number; body: Record<string, unknown> }, status: number, code: string) => {
      expect(r.status).toBe(status);
      expect(String(r.type)).toContain('application/problem+json');
      expect(r.body.type).toBe(PROBLEM_BASE + code);
    };

    beforeAll(async () => {
      t = await startTestInstance(dialect, postgresUrl);
      expect((await call('POST', '/admin/members', { memberClass: 'GOV', code: 'BISP', nameEn: 'Benazir Income Support Programme', nameUr: 'بینظیر انکم سپورٹ پروگرام', province: 'Islamabad' })).status).toBe(201);
      expect((await call('POST', '/admin/members', { memberClass: 'BANK', code: 'HBL', nameEn: 'Habib Bank', nameUr: 'حبیب بینک' })).status).toBe(201);
      expect((await call('POST', '/admin/members/GOV/BISP/subsystems', { code: 'payments', name: 'Payments' })).status).toBe(201);
      expect((await call('POST', '/admin/members/BANK/HBL/subsystems', { code: 'branch-app', name: 'Branch app' })).status).toBe(201);
      const op = await call('POST', '/admin/operators', { name: 'HBL admin', role: 'member-admin', member: 'PK/BANK/HBL' });
      expect(op.status).toBe(201);
      memberToken = op.body.token as string;
    });
    afterAll(async () => t?.close());

    it('walks a member through onboarding and journals every change', async () => {
      const registered = await call('POST', '/admin/subsystems/BANK/HBL/branch-app/keys', { jwk: publicJwk() }, memberToken);
      expect(registered.status).toBe(201);
      expect(registered.body.status).toBe('registered');
      const keyId = registered.body.keyId as string;
      expect(keyId).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expectProblem(await call('POST', `/admin/keys/${keyId}/approve`, {}, memberToken), 403, 'forbidden');
      const approved = await call('POST', `/admin/keys/${keyId}/approve`, {});
      expect(approved.body.status).toBe('approved');
      expect((await call('POST', '/admin/purposes', { code: 'payment-disbursement', nameEn: 'Payment disbursement', nameUr: 'ادائیگی', legalBasis: 'statute', statute: 'BISP Act 2010, s. 6' })).status).toBe(201);
      const service = await call('POST', '/admin/subsystems/GOV/BISP/payments/services', {
        code: 'beneficiary-status',
        title: 'Beneficiary status',
        upstreamUrl: 'http://127.0.0.1:9/status',
        openapi: { openapi: '3.1.0', info: { title: 'x', version: '1' }, paths: {} },
        personal: true,
        subjectLocation: 'header',
      });
      expect(service.status).toBe(201);
      const grant = await call('POST', '/admin/access', { service: 'PK/GOV/BISP/payments/beneficiary-status', client: 'PK/BANK/HBL/branch-app', purposes: ['payment-disbursement'] });
      expect(grant.status).toBe(201);
      const catalogue = await call('GET', '/admin/services', undefined, memberToken);
      expect((catalogue.body as unknown as Array<{ id: string }>).map((s) => s.id)).toContain('PK/GOV/BISP/payments/beneficiary-status');
      const doc = await call('GET', '/admin/services/GOV/BISP/payments/beneficiary-status/openapi.json', undefined, memberToken);
      expect(doc.body.openapi).toBe('3.1.0');
      const changes = await call('GET', '/admin/changes?limit=1000');
      const actions = (changes.body as unknown as Array<{ action: string }>).map((c) => c.action);
      expect(actions).toEqual(expect.arrayContaining(['member.create', 'subsystem.create', 'key.register', 'key.approve', 'purpose.create', 'service.create', 'access.grant', 'operator.create']));
    });

    it('answers bad input with 4xx problem+json, never 500', async () => {
      expectProblem(await call('GET', '/admin/members', undefined, null), 401, 'unauthorized');
      expectProblem(await call('GET', '/admin/members', undefined, 'rbt_nope'), 401, 'unauthorized');
      expectProblem(await call('POST', '/admin/members', undefined, t.token, '{"memberClass": "GOV",'), 400, 'malformed-json');
      expectProblem(await call('POST', '/admin/members', { memberClass: 'GOV', code: 42, nameEn: 'x', nameUr: 'y' }), 400, 'bad-request');
      expectProblem(await call('POST', '/admin/members', { memberClass: 'ALIEN', code: 'X', nameEn: 'x', nameUr: 'y' }), 400, 'bad-request');
      expectProblem(await call('POST', '/admin/members', { memberClass: 'GOV', code: 'BISP', nameEn: 'again', nameUr: 'y' }), 409, 'conflict');
      expectProblem(await call('GET', '/admin/members/GOV/NOPE'), 404, 'not-found');
      expectProblem(await call('POST', '/admin/members/GOV/NOPE/subsystems', { code: 'x', name: 'x' }), 404, 'not-found');
      expectProblem(await call('POST', '/admin/members', { memberClass: 'GOV', code: 'X', nameEn: 'x'.repeat(2 * 1024 * 1024), nameUr: 'y' }), 413, 'body-too-large');
      expectProblem(await call('POST', '/admin/subsystems/BANK/HBL/branch-app/keys', { jwk: { kty: 'OKP', crv: 'Ed25519', x: 'short' } }, memberToken), 400, 'bad-request');
      const { privateKey } = generateKeyPairSync('ed25519');
      expectProblem(await call('POST', '/admin/subsystems/BANK/HBL/branch-app/keys', { jwk: privateKey.export({ format: 'jwk' }) }, memberToken), 400, 'bad-request');
      expectProblem(await call('POST', '/admin/keys/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/approve', {}), 404, 'not-found');
      expectProblem(await call('POST', '/admin/access', { service: 'PK/GOV/BISP/payments/none', client: 'PK/BANK/HBL/branch-app', purposes: ['x'] }), 404, 'not-found');
      expectProblem(await call('POST', '/admin/purposes', { code: 'no-statute', nameEn: 'x', nameUr: 'y', legalBasis: 'statute' }), 400, 'bad-request');
      expectProblem(await call('DELETE', '/admin/access/not-a-uuid'), 400, 'bad-request');
      expectProblem(await call('GET', '/admin/nothing-here'), 404, 'not-found');
    });

    it('keeps a member admin inside its own member', async () => {
      expectProblem(await call('POST', '/admin/members/GOV/BISP/subsystems', { code: 'intruder', name: 'x' }, memberToken), 403, 'forbidden');
      expectProblem(await call('POST', '/admin/subsystems/GOV/BISP/payments/keys', { jwk: publicJwk() }, memberToken), 403, 'forbidden');
      expectProblem(await call('POST', '/admin/members', { memberClass: 'GOV', code: 'Z', nameEn: 'x', nameUr: 'y' }, memberToken), 403, 'forbidden');
      expectProblem(await call('PATCH', '/admin/services/GOV/BISP/payments/beneficiary-status', { enabled: false }, memberToken), 403, 'forbidden');
      expectProblem(await call('POST', '/admin/operators', { name: 'x', role: 'authority-admin' }, memberToken), 403, 'forbidden');
    });

    it('serves the OpenAPI 3.1 document and the well-known keys', async () => {
      const doc = await t.app.inject({ method: 'GET', url: '/openapi.json' });
      const openapi = JSON.parse(doc.body) as { openapi: string; paths: Record<string, unknown> };
      expect(openapi.openapi).toBe('3.1.0');
      expect(Object.keys(openapi.paths)).toContain('/admin/members');
      // Every problem type is documented, and the Problem schema says where.
      expect(Object.keys(openapi.paths)).toContain('/problems/{code}');
      expect(doc.body).toContain('documented at GET /problems/{code}');
      const wk = JSON.parse((await t.app.inject({ method: 'GET', url: '/.well-known/rabta.json' })).body) as { keys: Array<{ use: string; jwk: { kid: string } }> };
      expect(wk.keys.find((k) => k.use === 'exchange')?.jwk.kid).toBe(t.platform.keyring.exchange[0]?.kid);
      expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      const metrics = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${t.platform.keyring.metricsToken}` } });
      expect(metrics.body).toContain('rabta_http_requests_total');
      expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    });

    it('logs a failed background job with its name and counts it in /metrics', async () => {
      const logged: string[] = [];
      const undo = t.platform.jobs.logTo((job, error) => logged.push(`${job}: ${(error as Error).message}`));
      const job = t.platform.jobs.every('test-failing-job', 60_000, async () => {
        throw new Error('the upstream went away');
      });
      await job.run();
      await job.stop();
      undo();
      expect(logged).toEqual(['test-failing-job: the upstream went away']);
      const metrics = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${t.platform.keyring.metricsToken}` } });
      expect(metrics.body).toMatch(/^rabta_background_job_failures_total\{job="test-failing-job"\} 1$/m);
    });
  });
}
