import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SYSTEM_ACTOR, PROBLEM_BASE } from '../core/index.js';
import { startTestInstance } from '../platform/testing.js';
import type { TestInstance } from '../platform/testing.js';
import { signRequest } from '../sdk/index.js';
import { testDialects } from '../store/testing.js';
import { approvedKey } from './testing.js';
import type { ClientKey } from './testing.js';
import type { EventsTables } from './tables.js';

const postgresUrl = inject('postgresUrl');
const TOPICS = '/admin/subsystems/BANK/HBL/disbursement/topics';

/** Member-supplied schemas and events over a real socket: none may freeze the gateway or answer 500. */
for (const dialect of testDialects(postgresUrl)) {
  describe(`topic schema limits on ${dialect}`, () => {
    let t: TestInstance;
    let hbl: ClientKey;
    let token: string;
    let base: string;

    const admin = async (payload: unknown) => {
      const response = await fetch(`${base}${TOPICS}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(payload) });
      return { status: response.status, contentType: response.headers.get('content-type'), json: (await response.json()) as Record<string, unknown> };
    };
    const publish = async (topic: string, body: string, batch = false) => {
      const path = `/events/PK/BANK/HBL/disbursement/${topic}${batch ? '/batch' : ''}`;
      const headers: Record<string, string> = { 'rabta-client': hbl.client, 'content-type': 'application/json' };
      Object.assign(headers, await signRequest({ method: 'POST', targetUri: `${t.platform.config.publicUrl}${path}`, headers, body: Buffer.from(body), keyId: hbl.keyId, privateKey: hbl.privateKey, tag: 'rabta-request' }));
      const response = await fetch(`${base}${path}`, { method: 'POST', headers, body });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };

    beforeAll(async () => {
      t = await startTestInstance(dialect, postgresUrl);
      const r = t.platform.registry;
      await r.createMember(SYSTEM_ACTOR, { memberClass: 'BANK', code: 'HBL', nameEn: 'HBL', nameUr: 'HBL' });
      await r.createSubsystem(SYSTEM_ACTOR, 'PK/BANK/HBL', { code: 'disbursement', name: 'disbursement' });
      hbl = await approvedKey(t, 'PK/BANK/HBL/disbursement');
      token = (await r.createOperator(SYSTEM_ACTOR, { name: 'HBL admin', role: 'member-admin', memberId: 'PK/BANK/HBL' })).token;
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('validates an event against ^(a+)+$ without blocking: the publish answers 422 and /healthz answers beside it', async () => {
      const created = await admin({ code: 'named', title: 'named', schema: { type: 'object', properties: { name: { type: 'string', pattern: '^(a+)+$' } } } });
      expect(created.status).toBe(201);
      // 40 characters: a backtracking engine would take days on this one value
      const [published, health] = await Promise.all([publish('named', JSON.stringify({ name: 'a'.repeat(40) + '!' })), fetch(`${base}/healthz`)]);
      expect(health.status).toBe(200);
      expect(published.status).toBe(422);
      expect(published.json.type).toBe(PROBLEM_BASE + 'event-invalid');
      expect(JSON.stringify(published.json)).toContain('"keyword":"pattern"');
      expect((await publish('named', JSON.stringify({ name: 'aaaa' }))).status).toBe(201);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    });

    it('refuses at registration a pattern RE2 cannot run, a recursive $ref and an oversized schema, each with a 422 problem', async () => {
      const lookahead = await admin({ code: 'look', title: 'look', schema: { properties: { p: { pattern: '^(?=.*\\d).+$' } } } });
      expect({ status: lookahead.status, type: lookahead.json.type, pattern: lookahead.json.pattern }).toEqual({ status: 422, type: PROBLEM_BASE + 'schema-refused', pattern: '^(?=.*\\d).+$' });
      expect(lookahead.contentType).toContain('application/problem+json');
      const recursive = await admin({ code: 'tree', title: 'tree', schema: { type: 'array', items: { $ref: '#' } } });
      expect({ status: recursive.status, type: recursive.json.type }).toEqual({ status: 422, type: PROBLEM_BASE + 'schema-refused' });
      const big = await admin({ code: 'big', title: 'big', schema: { description: 'x'.repeat(70 * 1024) } });
      expect({ status: big.status, type: big.json.type }).toEqual({ status: 422, type: PROBLEM_BASE + 'schema-refused' });
      expect(await t.platform.store.tables<EventsTables>().selectFrom('topics').select('id').where('code', 'in', ['look', 'tree', 'big']).execute()).toEqual([]);
    });

    it('answers an event nested 20 000 deep with 422 event-too-deep, alone or in a batch, and publishes nothing', async () => {
      expect((await admin({ code: 'open', title: 'open', schema: {} })).status).toBe(201);
      const deep = '['.repeat(20_000) + ']'.repeat(20_000);
      const single = await publish('open', deep);
      expect({ status: single.status, type: single.json.type }).toEqual({ status: 422, type: PROBLEM_BASE + 'event-too-deep' });
      const batch = await publish('open', `{"events":[{"ok":true},${deep}]}`, true);
      expect({ status: batch.status, type: batch.json.type, row: batch.json.row }).toEqual({ status: 422, type: PROBLEM_BASE + 'event-too-deep', row: 1 });
      expect(await t.platform.store.tables<EventsTables>().selectFrom('events').select('id').where('topic_id', '=', 'PK/BANK/HBL/disbursement/open').execute()).toEqual([]);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    });
  });
}
