import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SYSTEM_ACTOR } from '../../src/core/changes.js';
import { generateCosignerKey, parseCosignerKey } from '../../src/ledger/cosignature.js';
import { parseNoteVerifierKey } from '../../src/ledger/note.js';
import { createWitness, startWitnessServer } from '../../src/ledger/witness-server.js';
import { openWitnessState } from '../../src/ledger/witness-state.js';
import type { Platform } from '../../src/platform/index.js';

/**
 * NADRA runs a witness of the demo's log, as members do: its own key and state
 * in the demo's data directory, registered with the authority once.
 */
export async function startDemoWitness(platform: Platform, port: number) {
  const dir = join(platform.config.dataDir, 'demo');
  const keyFile = join(dir, 'witness-nadra.key');
  if (!existsSync(keyFile)) writeFileSync(keyFile, generateCosignerKey('witness.nadra.demo').signerKey + '\n', { mode: 0o600 });
  const cosigner = parseCosignerKey(readFileSync(keyFile, 'utf8').trim());
  const witness = await startWitnessServer(
    createWitness({
      cosigners: [cosigner],
      logs: [{ origin: platform.ledger.origin, verifiers: [parseNoteVerifierKey(platform.ledger.vkey)] }],
      state: await openWitnessState(join(dir, 'witness-nadra.state.json')),
    }),
    { host: '127.0.0.1', port },
  );
  const known = (await platform.registry.listWitnesses()).find((w) => w.name === 'witness.nadra.demo');
  if (!known) await platform.registry.addWitness(SYSTEM_ACTOR, { memberId: `${platform.config.instance}/GOV/NADRA`, vkey: cosigner.verifier.vkey, url: witness.url });
  return witness;
}
