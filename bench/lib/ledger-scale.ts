import { randomInt } from 'node:crypto';
import { encodeLeaf, LEAF_KIND } from '../../src/ledger/canonical.js';
import { saveTile } from '../../src/ledger/tile-store.js';
import { appendEntries, leafHash, nodeHash, verifyInclusion } from '../../src/ledger/index.js';
import type { TileId } from '../../src/ledger/index.js';
import { memoryLog, plainFetch, serveLog } from '../../src/ledger/test-log.js';
import { verifyLog } from '../../src/ledger/verify-log.js';
import type { Platform } from '../../src/platform/index.js';
import type { LedgerTables } from '../../src/ledger/tables.js';

/** Leaves appended per step: a multiple of the tile width, so only a target size ends a step inside a bundle. */
const STEP = 65_536;
const PROOF_SAMPLES = 300;

/** The leaf at `index` of the synthetic logs: an event commitment, distinct per index. */
export function syntheticLeaf(index: number): Uint8Array {
  const commitment = new Uint8Array(32);
  new DataView(commitment.buffer).setUint32(0, index);
  return encodeLeaf({ kind: LEAF_KIND.event, time: 1_790_000_000_000 + index, commitment });
}

/**
 * Inclusion proofs served the way `/ledger/proof/inclusion` serves them: the
 * platform's ledger loads the tiles a proof needs from its database and
 * combines them. The tiles are grown with the same pure `appendEntries` the
 * sequencer uses and written to the ledger's tile table, without checkpoint
 * signing (not what is measured). Returns the median and p99 milliseconds of a
 * proof at each size in `sizes` (ascending), each proof checked against the root.
 */
export async function proofTimes(platform: Platform, sizes: readonly number[], log: (line: string) => void): Promise<Map<number, { p50: number; p99: number }>> {
  const tiles = new Map<string, Uint8Array>();
  // Only the last entry bundle can be partial, and only it is read again by the next step (a size
  // such as 1,000,000 is not a multiple of the bundle's width): keeping every bundle would hold the whole log.
  let lastBundle: { index: number; data: Uint8Array } | undefined;
  const reader = {
    tile: (t: TileId) => tiles.get(`${t.level}/${t.index}`) as Uint8Array,
    bundle: (b: { index: number }): Uint8Array => {
      if (lastBundle?.index !== b.index) throw new Error(`entry bundle ${b.index} is not the log's last`);
      return lastBundle.data;
    },
  };
  const times = new Map<number, { p50: number; p99: number }>();
  let size = 0;
  let root = new Uint8Array(32);
  for (const target of sizes) {
    while (size < target) {
      const count = Math.min(STEP, target - size);
      const result = appendEntries(size, Array.from({ length: count }, (_, i) => syntheticLeaf(size + i)), reader);
      await platform.store.tables<LedgerTables>().transaction().execute(async (trx) => {
        for (const { tile, data } of result.tiles) {
          tiles.set(`${tile.level}/${tile.index}`, data);
          await saveTile(trx, tile, data);
        }
      });
      const last = result.bundles[result.bundles.length - 1];
      if (last) lastBundle = { index: last.bundle.index, data: last.data };
      size = result.size;
      root = new Uint8Array(result.rootHash);
      if (size % (STEP * 16) === 0 || size === target) log(`ledger: tiles for ${size.toLocaleString('en-US')} of ${target.toLocaleString('en-US')} leaves`);
    }
    const samples: number[] = [];
    for (let n = 0; n < PROOF_SAMPLES; n++) {
      const index = randomInt(size);
      const t0 = performance.now();
      const proof = await platform.ledger.inclusionProof(index, size);
      samples.push(performance.now() - t0);
      if (!verifyInclusion(leafHash(syntheticLeaf(index)), index, size, proof, root)) throw new Error(`the proof of leaf ${index} at size ${size} does not verify`);
    }
    samples.sort((a, b) => a - b);
    times.set(target, { p50: samples[Math.floor(samples.length / 2)] as number, p99: samples[Math.floor(samples.length * 0.99)] as number });
  }
  return times;
}

/**
 * `rabta ledger verify`'s audit (verifyLog: every tile and entry bundle fetched
 * over HTTP, every leaf hashed, the tree rebuilt and compared with the signed
 * checkpoint) over a served log of `leaves` leaves; returns leaves per second.
 */
export async function verifyRate(leaves: number, log: (line: string) => void): Promise<number> {
  const memory = memoryLog('bench.rabta.invalid/ledger');
  for (let size = 0; size < leaves; size += STEP) memory.append(Array.from({ length: Math.min(STEP, leaves - size) }, (_, i) => syntheticLeaf(size + i)));
  const served = await serveLog(memory);
  try {
    log(`ledger: verifying a served log of ${leaves.toLocaleString('en-US')} leaves as rabta ledger verify does`);
    const t0 = performance.now();
    const result = await verifyLog({ baseUrl: served.url, fetch: plainFetch, quorum: 0 });
    const seconds = (performance.now() - t0) / 1000;
    if (!result.ok) throw new Error(`the served log did not verify: ${result.message}`);
    if (result.size !== leaves) throw new Error(`verified ${result.size} leaves, not ${leaves}`);
    return leaves / seconds;
  } finally {
    await served.close();
  }
}

/** SHA-256 interior nodes (RFC 9162 0x01 ‖ left ‖ right) per second on one core, for about `ms` milliseconds. */
export function nodeHashRate(ms = 1000): number {
  let left: Uint8Array = new Uint8Array(32).fill(1);
  const right = new Uint8Array(32).fill(2);
  let count = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 1000; i++) left = nodeHash(left, right);
    count += 1000;
  }
  return count / ((performance.now() - t0) / 1000);
}
