import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCosignatureVerifierKey } from '../ledger/index.js';
import { utf8 } from '../ledger/index.js';
import { memoryLog } from '../ledger/testing.js';
import { pushCheckpoint, type WitnessHttpCall } from '../ledger/index.js';
import type { RunningWitness } from '../ledger/index.js';
import { registerWitnessCommands } from './witness.js';
import { runCli } from './testing.js';

const run = (onListening: ((r: RunningWitness) => Promise<void>) | undefined, ...argv: string[]) =>
  runCli((program, output) => {
    // The admin client registers the same group first; ours must join it, not clash.
    program.command('witness').description('members’ witnesses').command('list');
    registerWitnessCommands(program, { output, ...(onListening ? { onListening } : {}) });
  }, argv);

const call: WitnessHttpCall = async (request) => {
  const response = await fetch(request.url, { method: request.method, headers: request.headers, body: Buffer.from(request.body) });
  return { status: response.status, headers: Object.fromEntries(response.headers), body: new Uint8Array(await response.arrayBuffer()) };
};

describe('rabta witness', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rabta-witness-cli-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('keygen writes a private key (0600, never overwritten) and prints the vkey', async () => {
    const key = join(dir, 'w.key');
    const made = await run(undefined, 'witness', 'keygen', '--name', 'witness.hbl.example/rabta', '--out', key);
    expect(made.failed).toBe(false);
    const vkey = parseCosignatureVerifierKey(made.out.trim());
    expect(vkey.name).toBe('witness.hbl.example/rabta');
    expect((await stat(key)).mode & 0o777).toBe(0o600);
    expect(await readFile(key, 'utf8')).toMatch(/^PRIVATE\+KEY\+witness\.hbl\.example\/rabta\+/);
    const again = await run(undefined, 'witness', 'keygen', '--name', 'other', '--out', key);
    expect(again.failed).toBe(true);
    expect(again.err).toContain('refusing to overwrite');
  });

  it('serve cosigns for the logs it is given and keeps state in the file', async () => {
    const key = join(dir, 'w.key');
    const vkey = (await run(undefined, 'witness', 'keygen', '--name', 'w.example/1', '--out', key)).out.trim();
    const log = memoryLog();
    const state = join(dir, 'state.json');
    const served = await run(
      async (running) => {
        try {
          log.append([utf8('a'), utf8('b')]);
          const result = await pushCheckpoint({
            witnessUrl: running.url,
            witnessVkey: vkey,
            oldSize: 0,
            consistencyProof: async (f, t) => log.consistencyProof(f, t),
            signedCheckpoint: log.checkpoint(),
            call,
          });
          expect(result.size).toBe(2);
        } finally {
          await running.close();
        }
      },
      'witness', 'serve', '--key', key, '--log-vkey', log.signer.verifier.vkey, '--state', state, '--port', '0',
    );
    expect(served.failed).toBe(false);
    expect(served.out).toContain(`log    ${log.origin}`);
    expect(served.err).toContain(`cosigned ${log.origin} size 2 (from 0)`);
    expect(JSON.parse(await readFile(state, 'utf8')).logs[log.origin].size).toBe(2);

    const noLogs = await run(async (r) => r.close(), 'witness', 'serve', '--key', key, '--state', state);
    expect(noLogs.failed).toBe(true);
    expect(noLogs.err).toContain('no log to witness');
  });
});
