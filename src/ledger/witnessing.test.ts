import { afterEach, describe, expect, inject, it } from 'vitest';
import { SYSTEM_ACTOR } from '../core/index.js';
import { freePort, startTestInstance } from '../platform/testing.js';
import type { TestInstance } from '../platform/testing.js';
import { testDialects } from '../store/testing.js';
import { generateCosignerKey, parseCosignerKey } from './cosignature.js';
import { parseNoteVerifierKey } from './note.js';
import { createWitness, startWitnessServer } from './witness-server.js';
import type { RunningWitness } from './witness-server.js';
import { openWitnessState } from './witness-state.js';
import type { LedgerTables } from './tables.js';

const postgresUrl = inject('postgresUrl');

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 2000; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

for (const dialect of testDialects(postgresUrl)) {
  describe(`witnessing on ${dialect}`, () => {
    let t: TestInstance | undefined;
    const witnesses: RunningWitness[] = [];
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    afterEach(async () => {
      process.off('warning', onWarning);
      for (const w of witnesses.splice(0)) await w.close();
      await t?.close();
      t = undefined;
    });

    it('keeps pushing the latest checkpoint to a witness that was not listening until it cosigns it', async () => {
      process.on('warning', onWarning);
      t = await startTestInstance(dialect, postgresUrl);
      const port = await freePort();
      const cosigner = parseCosignerKey(generateCosignerKey('witness.late.test').signerKey);
      await t.platform.registry.createMember(SYSTEM_ACTOR, { memberClass: 'GOV', code: 'NADRA', nameEn: 'NADRA', nameUr: 'نادرا' });
      await t.platform.registry.addWitness(SYSTEM_ACTOR, { memberId: 'PK/GOV/NADRA', vkey: cosigner.verifier.vkey, url: `http://127.0.0.1:${port}` });
      // The checkpoint that holds the witness's own registration is pushed to nobody: the push fails.
      const published = await until('a checkpoint with the witness registered', async () => {
        const latest = await t?.platform.ledger.latestCheckpoint();
        return latest && latest.size >= 3 ? latest : undefined;
      });
      await until('the failed push', async () => (warnings.some((w) => w.includes('witness.late.test')) ? true : undefined));
      expect(await cosignatureLines(t, published.size)).toEqual([]);

      // No new leaf is written from here on: only a retry can get the cosignature.
      witnesses.push(
        await startWitnessServer(
          createWitness({
            cosigners: [cosigner],
            logs: [{ origin: t.platform.ledger.origin, verifiers: [parseNoteVerifierKey(t.platform.ledger.vkey)] }],
            state: await openWitnessState(),
          }),
          { host: '127.0.0.1', port },
        ),
      );
      const lines = await until('the cosignature', async () => {
        const found = await cosignatureLines(t as TestInstance, published.size);
        return found.length > 0 ? found : undefined;
      });
      expect(lines[0]).toMatch(/^— witness\.late\.test /);
      expect((await t.platform.ledger.latestCheckpoint())?.size).toBe(published.size);
      expect(await t.platform.ledger.signedCheckpoint()).toContain(lines[0]);
    });
  });
}

async function cosignatureLines(t: TestInstance, size: number): Promise<string[]> {
  const rows = await t.platform.store.tables<LedgerTables>().selectFrom('ledger_cosignatures').select('line').where('size', '=', size).execute();
  return rows.map((r) => r.line);
}
