import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { SYSTEM_ACTOR } from '../core/index.js';
import { startTestInstance } from '../platform/testing.js';
import type { TestInstance } from '../platform/testing.js';
import { testDialects } from '../store/testing.js';
import { parseCosignerKey, generateCosignerKey } from './cosignature.js';
import { parseNoteVerifierKey } from './note.js';
import { verifyLog } from './verify-log.js';
import type { LogFetch } from './verify-log.js';
import { createWitness, startWitnessServer } from './witness-server.js';
import type { RunningWitness } from './witness-server.js';
import { openWitnessState } from './witness-state.js';
import type { LedgerTables } from './tables.js';

const postgresUrl = inject('postgresUrl');

/*
 * The log as an outside auditor meets it: an institution's witness co-signs
 * what the instance publishes, `verifyLog` checks everything from public keys
 * only — and names the row an insider altered in the database.
 */
for (const dialect of testDialects(postgresUrl)) {
  describe(`auditing the ledger of a running instance on ${dialect}`, () => {
    let t: TestInstance;
    let witness: RunningWitness;
    // The instance is reached in process; verifyLog only ever sees HTTP answers.
    const fetchLog: LogFetch = async (url) => {
      const response = await t.app.inject({ method: 'GET', url: new URL(url).pathname + new URL(url).search });
      return { status: response.statusCode, body: new Uint8Array(response.rawPayload) };
    };

    beforeAll(async () => {
      t = await startTestInstance(dialect, postgresUrl, { platform: { background: false } });
      const keys = generateCosignerKey('witness.nadra.example');
      witness = await startWitnessServer(
        createWitness({ cosigners: [parseCosignerKey(keys.signerKey)], logs: [{ origin: t.platform.ledger.origin, verifiers: [parseNoteVerifierKey(t.platform.ledger.vkey)] }], state: await openWitnessState() }),
        { host: '127.0.0.1', port: 0 },
      );
      await t.platform.registry.createMember(SYSTEM_ACTOR, { memberClass: 'GOV', code: 'NADRA', nameEn: 'NADRA', nameUr: 'نادرا' });
      await t.platform.registry.addWitness(SYSTEM_ACTOR, { memberId: 'PK/GOV/NADRA', vkey: keys.verifierKey, url: witness.url });
    });
    afterAll(async () => {
      await t?.close();
      await witness?.close();
    });

    it('co-signs each checkpoint and verifies with a quorum of one', async () => {
      for (let i = 0; i < 5; i++) await t.platform.registry.createSubsystem(SYSTEM_ACTOR, 'PK/GOV/NADRA', { code: `s${i}`, name: 'x' });
      const integrated = await t.platform.ledger.integrate();
      await vi.waitFor(
        async () => expect(await t.platform.store.tables<LedgerTables>().selectFrom('ledger_cosignatures').select('size').where('size', '=', integrated!.size).executeTakeFirst()).toBeDefined(),
        { timeout: 10_000, interval: 20 },
      );
      const checkpoint = (await t.app.inject({ method: 'GET', url: '/ledger/checkpoint' })).body;
      expect(checkpoint).toContain('— witness.nadra.example ');
      const result = await verifyLog({ baseUrl: t.platform.config.publicUrl, fetch: fetchLog, quorum: 1 });
      expect(result).toMatchObject({ ok: true, size: integrated!.size, witnessCount: 1 });
      const twoNeeded = await verifyLog({ baseUrl: t.platform.config.publicUrl, fetch: fetchLog, quorum: 2 });
      expect(twoNeeded.ok).toBe(false);
    });

    it('names the entry an insider altered in the database', async () => {
      const bundle = await t.platform.store.tables<LedgerTables>().selectFrom('ledger_bundles').selectAll().where('idx', '=', 0).executeTakeFirstOrThrow();
      const altered = Buffer.from(bundle.data);
      // Entry 3 starts after three length-prefixed entries; change one byte inside it.
      let offset = 0;
      for (let i = 0; i < 3; i++) offset += 2 + altered.readUInt16BE(offset);
      altered.writeUInt8(altered.readUInt8(offset + 2 + 12) ^ 0x01, offset + 2 + 12);
      await t.platform.store.tables<LedgerTables>().updateTable('ledger_bundles').set({ data: altered }).where('idx', '=', 0).execute();
      const result = await verifyLog({ baseUrl: t.platform.config.publicUrl, fetch: fetchLog, quorum: 1 });
      expect(result.ok).toBe(false);
      expect(result).toMatchObject({ entry: 3 });
      expect((result as { message: string }).message).toMatch(/entry 3/);
    });
  });
}
