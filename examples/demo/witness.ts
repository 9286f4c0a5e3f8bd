import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SYSTEM_ACTOR } from '../../src/core/changes.js';
import { generateCosignerKey, parseCosignerKey } from '../../src/ledger/cosignature.js';
import { parseNoteVerifierKey } from '../../src/ledger/note.js';
import { createWitness, startWitnessServer } from '../../src/ledger/witness-server.js';
import type { RunningWitness } from '../../src/ledger/witness-server.js';
import { openWitnessState } from '../../src/ledger/witness-state.js';
import type { Platform } from '../../src/platform/index.js';
import { listenAs } from './ports.js';

/** The members that run a witness of the demo's log: two, so a quorum of two can be asked for. */
export const DEMO_WITNESSES = [
  { member: 'GOV/NADRA', name: 'witness.nadra.demo', file: 'witness-nadra', label: 'NADRA' },
  { member: 'BANK/HBL', name: 'witness.hbl.demo', file: 'witness-hbl', label: 'HBL' },
] as const;

export interface DemoWitness {
  label: string;
  name: string;
  url: string;
  close(): Promise<void>;
}

/**
 * NADRA and HBL each run a witness of the demo's log, as members do: its own
 * key and state in the demo's data directory, registered with the authority
 * once — and its address updated when this start got a different port, so
 * checkpoints never go to whatever listens at an old one.
 */
export async function startDemoWitnesses(platform: Platform, ports: { nadra: number; hbl: number }): Promise<DemoWitness[]> {
  const dir = join(platform.config.dataDir, 'demo');
  const started: DemoWitness[] = [];
  try {
    for (const w of DEMO_WITNESSES) {
      const port = w.label === 'NADRA' ? ports.nadra : ports.hbl;
      const keyFile = join(dir, `${w.file}.key`);
      if (!existsSync(keyFile)) writeFileSync(keyFile, generateCosignerKey(w.name).signerKey + '\n', { mode: 0o600 });
      const cosigner = parseCosignerKey(readFileSync(keyFile, 'utf8').trim());
      const witness = createWitness({
        cosigners: [cosigner],
        logs: [{ origin: platform.ledger.origin, verifiers: [parseNoteVerifierKey(platform.ledger.vkey)] }],
        state: await openWitnessState(join(dir, `${w.file}.state.json`)),
      });
      const running: RunningWitness = await listenAs(`demo witness of ${w.label}`, '127.0.0.1', port, 'RABTA_DEMO_WITNESS_PORT', () =>
        startWitnessServer(witness, { host: '127.0.0.1', port }),
      );
      started.push({ label: w.label, name: w.name, url: running.url, close: () => running.close() });
      const known = (await platform.registry.listWitnesses()).find((k) => k.name === w.name);
      const memberId = `${platform.config.instance}/${w.member}`;
      if (!known) await platform.registry.addWitness(SYSTEM_ACTOR, { memberId, vkey: cosigner.verifier.vkey, url: running.url });
      else if (known.url !== new URL(running.url).toString()) await platform.registry.updateWitnessUrl(SYSTEM_ACTOR, w.name, running.url);
    }
  } catch (error) {
    for (const w of started) await w.close();
    throw error;
  }
  return started;
}
