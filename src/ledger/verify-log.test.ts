import { afterEach, describe, expect, it } from 'vitest';
import { parseEntryBundle } from './bundles.js';
import { encodeLeaf, LEAF_KIND } from './canonical.js';
import { encodeBase64 } from './encoding.js';
import { memoryLog, plainFetch, seed, serveLog, testWitness, type MemoryLog, type ServedLog } from './test-log.js';
import { verifyLog, type SeenCheckpoint, type VerifyLogInput } from './verify-log.js';
import { parseCheckpoint } from './checkpoint.js';
import { parseNote } from './note.js';

const w1 = testWitness('witness.example/w1', 11);
const w2 = testWitness('witness.example/w2', 12);

/** Rabta leaves: every tenth a registry change in clear, the rest exchange commitments. */
function leaves(from: number, n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return i % 10 === 0
      ? encodeLeaf({ kind: LEAF_KIND.registryChange, time: 1_790_000_000_000 + i, clear: { action: 'member.create', seq: i } })
      : encodeLeaf({ kind: LEAF_KIND.exchange, time: 1_790_000_000_000 + i, commitment: new Uint8Array(32).fill(i % 256) });
  });
}

function seen(log: MemoryLog): SeenCheckpoint {
  const cp = parseCheckpoint(parseNote(log.checkpoint()).text);
  return { origin: cp.origin, size: cp.size, rootHash: encodeBase64(cp.rootHash), checkpoint: log.checkpoint(), seenAt: '2026-11-01T00:00:00.000Z' };
}

describe('verifyLog (rabta ledger verify)', () => {
  let served: ServedLog | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  async function setup(size: number, witnesses = [w1, w2]) {
    const log = memoryLog();
    log.append(leaves(0, size));
    log.cosign(witnesses);
    served = await serveLog(log, [w1, w2]);
    const run = (extra: Partial<VerifyLogInput> = {}) => verifyLog({ baseUrl: served!.url, fetch: plainFetch, quorum: 2, ...extra });
    return { log, served, run };
  }

  it('verifies every entry and tile of a log with two full tiles and a partial one', async () => {
    const { run } = await setup(600);
    const progress: number[] = [];
    const result = await run({ onProgress: (done) => progress.push(done) });
    expect(result).toMatchObject({ ok: true, size: 600, witnessCount: 2, quorum: 2, kinds: { 'registry-change': 60, exchange: 540 } });
    if (!result.ok) return;
    expect(result.witnesses.map((w) => w.name).sort()).toEqual(['witness.example/w1', 'witness.example/w2']);
    expect(progress).toEqual([0, 256, 512, 600]);
    expect(result.seen.size).toBe(600);
  });

  it('names the entry whose bytes were altered', async () => {
    const { log, served, run } = await setup(600);
    const bundle = log.read('tile/entries/001')!;
    const altered = new Uint8Array(bundle);
    // Entry 300 is the 45th of bundle 1; flip a byte of its commitment.
    const at = parseEntryBundle(altered)[44]!.byteOffset - altered.byteOffset;
    altered[at + 20]! ^= 0x01;
    served.overrides.set('/ledger/tile/entries/001', altered);
    const result = await run();
    expect(result).toMatchObject({ ok: false, where: 'entry 300', entry: 300 });
    expect(result.ok ? '' : result.message).toBe('entry 300: leaf hash does not match tile/0/001');
  });

  it('names a tampered full tile, not the entries below it', async () => {
    const { log, served, run } = await setup(600);
    const tile = new Uint8Array(log.read('tile/0/000')!);
    tile[5]! ^= 0xff;
    served.overrides.set('/ledger/tile/0/000', tile);
    const result = await run();
    expect(result).toMatchObject({ ok: false, where: 'tile/0/000' });
    expect(result.ok ? '' : result.message).toBe('tile/0/000: its hashes do not hash to hash 0 of tile/1/000.p/2');
  });

  it('checks a three-level tree, full level-1 tiles against level 2', async () => {
    const { log, served, run } = await setup(65_536 + 300, []);
    expect(await run({ quorum: 0, parallel: 16 })).toMatchObject({ ok: true, size: 65_836 });
    const tile = new Uint8Array(log.read('tile/1/000')!);
    tile[0]! ^= 0x01;
    served.overrides.set('/ledger/tile/1/000', tile);
    expect(await run({ quorum: 0 })).toMatchObject({ ok: false, message: 'tile/1/000: its hashes do not hash to hash 0 of tile/2/000.p/1' });
  }, 60_000);

  it('names a tampered right-edge tile when it alone makes the root', async () => {
    const { log, served, run } = await setup(7);
    const tile = new Uint8Array(log.read('tile/0/000.p/7')!);
    tile[100]! ^= 0x01;
    served.overrides.set('/ledger/tile/0/000.p/7', tile);
    expect(await run()).toMatchObject({ ok: false, where: 'tile/0/000.p/7' });
  });

  it('names a missing tile or bundle, and entries that are not Rabta leaves', async () => {
    const { served: first, run } = await setup(300);
    first.overrides.set('/ledger/tile/entries/001.p/44', 404);
    expect(await run()).toMatchObject({ ok: false, where: 'tile/entries/001.p/44' });
    first.overrides.set('/ledger/tile/entries/001.p/44', new Uint8Array([0, 5, 1]));
    expect(await run()).toMatchObject({ ok: false, where: 'tile/entries/001.p/44', message: expect.stringContaining('entries 256–299') });

    const other = memoryLog();
    other.append([new Uint8Array([9, 9, 9])]);
    await first.close();
    served = await serveLog(other);
    const result = await verifyLog({ baseUrl: served.url, fetch: plainFetch, quorum: 0 });
    expect(result).toMatchObject({ ok: false, where: 'entry 0' });
  });

  it('requires the witness quorum, on this very checkpoint', async () => {
    const { log, served, run } = await setup(20, [w1]);
    expect(await run()).toMatchObject({ ok: false, where: 'checkpoint', message: 'checkpoint: 1 of the required 2 witnesses cosigned it' });
    expect(await run({ quorum: 1 })).toMatchObject({ ok: true });
    expect(await run({ quorum: 3 })).toMatchObject({ ok: false, where: 'keys' });

    // w2's cosignature of an older checkpoint, pasted onto the new one, does not count: it fails.
    const oldText = parseNote(log.checkpoint()).text;
    const stale = w2.cosign(oldText, 1_790_000_000);
    log.append(leaves(20, 1));
    log.cosign([w1]);
    const { formatSignatureLine } = await import('./note.js');
    served.overrides.set('/ledger/checkpoint', new TextEncoder().encode(log.checkpoint() + formatSignatureLine(stale)));
    expect(await run()).toMatchObject({ ok: false, where: 'checkpoint', message: expect.stringContaining('witness.example/w2') });
  });

  it('refuses a checkpoint the log key did not sign', async () => {
    const { served, run } = await setup(5);
    const impostor = memoryLog(undefined, seed(42));
    impostor.append(leaves(0, 5));
    served.overrides.set('/ledger/checkpoint', new TextEncoder().encode(impostor.checkpoint()));
    expect(await run({ quorum: 0 })).toMatchObject({ ok: false, where: 'checkpoint' });
  });

  it('checks consistency with the checkpoint it saw last time', async () => {
    const { log, run } = await setup(300);
    const before = seen(log);
    log.append(leaves(300, 400));
    log.cosign([w1, w2]);
    const grown = await run({ loadPrevious: async () => before });
    expect(grown).toMatchObject({ ok: true, size: 700, previousSize: 300 });

    // The log now serves a smaller tree than one we verified: refused.
    const later = { ...seen(log), size: 800 };
    expect(await run({ loadPrevious: async () => later })).toMatchObject({ ok: false, where: 'checkpoint', message: expect.stringContaining('shrank') });

    // Same size, other root: a fork.
    const fork = memoryLog();
    fork.append(leaves(1000, 700));
    expect(await run({ loadPrevious: async () => seen(fork) })).toMatchObject({ ok: false, message: expect.stringContaining('forked') });

    // A smaller tree that is not a prefix of this one.
    const rewritten = memoryLog();
    rewritten.append(leaves(5000, 300));
    expect(await run({ loadPrevious: async () => seen(rewritten) })).toMatchObject({
      ok: false,
      where: 'checkpoint',
      message: 'checkpoint: not consistent with the checkpoint of size 300 verified before: its first 300 entries have a different root',
    });
  });

  it('uses pinned keys instead of the well-known document when given', async () => {
    const { log, run } = await setup(3);
    expect(await run({ logVkeys: [log.signer.verifier.vkey], witnessVkeys: [w1.verifier.vkey], quorum: 1 })).toMatchObject({ ok: true, witnessCount: 1 });
    const other = memoryLog(log.origin, seed(77));
    expect(await run({ logVkeys: [other.signer.verifier.vkey], witnessVkeys: [], quorum: 0 })).toMatchObject({ ok: false, where: 'checkpoint' });
  });
});
