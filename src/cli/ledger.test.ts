import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitment, encodeLeaf, LEAF_KIND } from '../ledger/index.js';
import { encodeBase64 } from '../ledger/index.js';
import { formatTlogProof } from '../ledger/index.js';
import { memoryLog, plainFetch, seed, serveLog, testWitness, type ServedLog } from '../ledger/testing.js';
import { defaultStatePath, registerLedgerCommands } from './ledger.js';
import { runCli } from './testing.js';

const w1 = testWitness('witness.example/w1', 31);

const run = (...argv: string[]) => runCli((program, output) => registerLedgerCommands(program, { output, fetch: plainFetch }), argv);

const leaves = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => encodeLeaf({ kind: LEAF_KIND.event, time: from + i, commitment: new Uint8Array(32).fill((from + i) % 256) }));

describe('rabta ledger', () => {
  let dir: string;
  let served: ServedLog | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rabta-ledger-cli-'));
  });
  afterEach(async () => {
    await served?.close();
    served = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('verify: audits, remembers the checkpoint, and catches a rollback next time', async () => {
    const log = memoryLog();
    log.append(leaves(0, 300));
    log.cosign([w1]);
    served = await serveLog(log, [w1]);
    const state = join(dir, 'state.json');

    const first = await run('ledger', 'verify', '--url', served.url, '--witness-quorum', '1', '--state', state);
    expect(first.failed).toBe(false);
    expect(first.out).toContain('size       300 (first run');
    expect(first.out).toContain('witnesses  1 of 1 cosigned, quorum 1: witness.example/w1');
    expect(JSON.parse(await readFile(state, 'utf8'))).toMatchObject({ origin: log.origin, size: 300 });

    log.append(leaves(300, 10));
    log.cosign([w1]);
    const second = await run('ledger', 'verify', '--url', served.url, '--witness-quorum', '1', '--state', state);
    expect(second.out).toContain('size       310 (consistent with size 300');

    // The server now serves an older tree.
    const older = memoryLog();
    older.append(leaves(0, 300));
    older.cosign([w1]);
    served.overrides.set('/ledger/checkpoint', new TextEncoder().encode(older.checkpoint()));
    const rolledBack = await run('ledger', 'verify', '--url', served.url, '--witness-quorum', '1', '--state', state);
    expect(rolledBack.failed).toBe(true);
    expect(rolledBack.err).toContain('verification FAILED: checkpoint: the log shrank: size 300, but size 310');
    expect(JSON.parse(await readFile(state, 'utf8')).size).toBe(310);
    // It says where the remembered checkpoint is, and how to start over when the log was recreated on purpose.
    expect(rolledBack.err).toContain(`compared with size 310 saved in ${state}`);
    expect(rolledBack.err).toContain('--forget');
    const forgotten = await run('ledger', 'verify', '--url', served.url, '--witness-quorum', '1', '--state', state, '--forget');
    expect(forgotten.failed).toBe(false);
    expect(forgotten.out).toContain('size       300 (first run');
    expect(JSON.parse(await readFile(state, 'utf8')).size).toBe(300);
  });

  it('verify --help says where its state is kept and how to start over', async () => {
    const program = new Command('rabta').exitOverride().configureOutput({ writeOut: () => undefined });
    registerLedgerCommands(program, { output: { out: () => undefined, err: () => undefined }, fetch: plainFetch });
    const verify = program.commands.find((c) => c.name() === 'ledger')?.commands.find((c) => c.name() === 'verify');
    const help = verify?.helpInformation() ?? '';
    expect(help).toContain('~/.rabta/ledger-<origin>.json');
    expect(help).toContain('--forget');
  });

  it('verify: names the first bad entry and exits non-zero', async () => {
    const log = memoryLog();
    log.append(leaves(0, 20));
    served = await serveLog(log);
    const bundle = new Uint8Array(log.read('tile/entries/000.p/20')!);
    bundle[bundle.length - 1]! ^= 1;
    served.overrides.set('/ledger/tile/entries/000.p/20', bundle);
    const result = await run('ledger', 'verify', '--url', served.url, '--state', join(dir, 's.json'));
    expect(result.failed).toBe(true);
    expect(result.err).toBe('verification FAILED: entry 19: leaf hash does not match tile/0/000.p/20');
  });

  it('verify: the default state file is per origin under ~/.rabta', () => {
    expect(defaultStatePath('rabta.gov.pk:8443/ledger')).toMatch(/\.rabta[/\\]ledger-rabta\.gov\.pk_8443_ledger\.json$/);
  });

  it('receipt verify: accepts a genuine receipt and refuses a tampered record', async () => {
    const log = memoryLog();
    const record = { id: 'x-1', status: 200 };
    const salt = seed(4);
    const entry = encodeLeaf({ kind: LEAF_KIND.exchange, time: 1_790_000_000_000, commitment: commitment(salt, record) });
    log.append([...leaves(0, 5), entry]);
    log.cosign([w1]);
    const receipt = {
      record,
      salt: encodeBase64(salt),
      entry: encodeBase64(entry),
      index: 5,
      proof: formatTlogProof({ index: 5, hashes: log.inclusionProof(5, 6), checkpoint: log.checkpoint() }),
      logVkey: log.signer.verifier.vkey,
      witnessVkeys: [w1.verifier.vkey],
    };
    const file = join(dir, 'receipt.json');
    await writeFile(file, JSON.stringify(receipt));
    const ok = await run('ledger', 'receipt', 'verify', file, '--witness-quorum', '1', '--log-vkey', log.signer.verifier.vkey, '--witness-vkey', w1.verifier.vkey);
    expect(ok.failed).toBe(false);
    expect(ok.out).toContain('receipt verified: exchange at 2026-09-21T14:13:20.000Z is entry 5 of 127.0.0.1:8080/ledger');
    expect(ok.err).toBe('');
    const unpinned = await run('ledger', 'receipt', 'verify', file);
    expect(unpinned.err).toContain('warning: the keys came from the receipt itself');

    await writeFile(file, JSON.stringify({ ...receipt, record: { ...record, status: 404 } }));
    const bad = await run('ledger', 'receipt', 'verify', file, '--witness-quorum', '1');
    expect(bad.failed).toBe(true);
    expect(bad.err).toContain('receipt REFUSED (record-mismatch)');

    await writeFile(file, JSON.stringify(receipt));
    const quorum = await run('ledger', 'receipt', 'verify', file, '--witness-quorum', '2');
    expect(quorum.failed).toBe(true);
  });
});
