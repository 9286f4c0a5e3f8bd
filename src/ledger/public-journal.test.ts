import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SYSTEM_ACTOR } from '../core/index.js';
import { startTestInstance } from '../platform/testing.js';
import type { TestInstance } from '../platform/testing.js';
import { testDialects } from '../store/testing.js';
import { generateCosignerKey } from './cosignature.js';
import type { LedgerTables } from './tables.js';

const postgresUrl = inject('postgresUrl');
const SECRETS = ['HOOKTOKEN', 'UPSTREAMTOKEN1', 'UPSTREAMTOKEN2', 'WITNESSUSER', 'WITNESSPASS', 'WITNESSTOKEN'];

/**
 * The registry journal is public and kept forever: a URL a member registers
 * may carry a secret in its query or userinfo, which the journal must not keep.
 */
for (const dialect of testDialects(postgresUrl)) {
  describe(`URLs in the public journal on ${dialect}`, () => {
    let t: TestInstance;
    let webhook: string;
    beforeAll(async () => {
      t = await startTestInstance(dialect, postgresUrl, { platform: { background: false } });
      const r = t.platform.registry;
      const a = SYSTEM_ACTOR;
      await r.createMember(a, { memberClass: 'BANK', code: 'HBL', nameEn: 'HBL', nameUr: 'HBL' });
      await r.createMember(a, { memberClass: 'GOV', code: 'BISP', nameEn: 'BISP', nameUr: 'BISP' });
      await r.createSubsystem(a, 'PK/BANK/HBL', { code: 'disbursement', name: 'disbursement' });
      await r.createSubsystem(a, 'PK/GOV/BISP', { code: 'payments', name: 'payments' });
      await r.createPurpose(a, { code: 'disbursement', nameEn: 'd', nameUr: 'd', legalBasis: 'statute', statute: 'BISP Act 2010' });
      await r.createService(a, 'PK/BANK/HBL/disbursement', { code: 'status', title: 'status', upstreamUrl: 'https://bank.example/api?key=UPSTREAMTOKEN1' });
      await r.updateService(a, 'PK/BANK/HBL/disbursement/status', { upstreamUrl: 'https://bank.example/api/v2?key=UPSTREAMTOKEN2&x=1' });
      const keys = generateCosignerKey('witness.hbl.example');
      await r.addWitness(a, { memberId: 'PK/BANK/HBL', vkey: keys.verifierKey, url: 'https://WITNESSUSER:WITNESSPASS@witness.example/cosign?token=WITNESSTOKEN' });
      const events = t.platform.events;
      await events.createTopic(a, 'PK/BANK/HBL/disbursement', { code: 'payment.credited', title: 'credited', schema: { type: 'object' } });
      await events.grantTopicAccess(a, { topicId: 'PK/BANK/HBL/disbursement/payment.credited', subscriberId: 'PK/GOV/BISP/payments', purposes: ['disbursement'] });
      const sub = await events.createSubscription(a, { topicId: 'PK/BANK/HBL/disbursement/payment.credited', subscriberId: 'PK/GOV/BISP/payments', delivery: { webhook: 'https://hooks.bisp.example/hook?token=HOOKTOKEN' } });
      webhook = (sub.delivery as { webhook: string }).webhook;
      await t.platform.ledger.integrate();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('keeps the full URLs where they are used', async () => {
      expect(webhook).toBe('https://hooks.bisp.example/hook?token=HOOKTOKEN');
      expect((await t.platform.registry.getService('PK/BANK/HBL/disbursement/status')).upstreamUrl).toContain('UPSTREAMTOKEN2');
    });

    it('journals each URL without its query and userinfo: no journal row, ledger leaf or bundle holds a secret', async () => {
      const db = t.platform.store.tables<LedgerTables>();
      const changes = await db.selectFrom('registry_changes').selectAll().execute();
      const text = (rows: Array<Record<string, unknown>>) =>
        rows.map((row) => Object.values(row).map((v) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : String(v))).join('\u0000')).join('\n');
      const everything = [
        text(changes),
        text(await db.selectFrom('ledger_records').selectAll().execute()),
        text(await db.selectFrom('ledger_bundles').selectAll().execute()),
        text(await db.selectFrom('ledger_tiles').selectAll().execute()),
      ].join('\n');
      // The scan reads what it should: the journal names the hosts and paths.
      expect(everything).toContain('https://hooks.bisp.example/hook');
      expect(everything).toContain('https://bank.example/api/v2');
      expect(everything).toContain('https://witness.example/cosign');
      for (const secret of SECRETS) expect(everything).not.toContain(secret);
      const journaled = Object.fromEntries(changes.map((c) => [c.action, JSON.parse(c.details) as Record<string, unknown>]));
      expect(journaled['subscription.create']?.url).toBe('https://hooks.bisp.example/hook?…');
      expect(journaled['service.update']?.upstreamUrl).toBe('https://bank.example/api/v2?…');
      expect(journaled['witness.add']?.url).toBe('https://witness.example/cosign?…');
    });

    it('serves the same journal over HTTP', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/admin/changes', headers: { authorization: `Bearer ${t.token}` } });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('hooks.bisp.example');
      for (const secret of SECRETS) expect(response.body).not.toContain(secret);
    });
  });
}
