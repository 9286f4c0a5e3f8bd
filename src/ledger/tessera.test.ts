/**
 * End to end against a real tiled log: transparency-dev/tessera testdata/log at
 * 1811ae1a7c401c971d9cff2a5cfdfba07a26161e, built by its testdata/build_log.sh by
 * appending 15 entries one at a time and keeping each checkpoint.
 */
import { describe, expect, it } from 'vitest';
import { appendEntries, type TileReader } from './append.js';
import { parseEntryBundle } from './bundles.js';
import { openCheckpoint, signCheckpoint, type Checkpoint } from './checkpoint.js';
import { leafHash } from './hash.js';
import { consistencyProof, inclusionProof, rootHash } from './merkle.js';
import { verifyConsistency, verifyInclusion } from './merkle-verify.js';
import { parseNoteSignerKey, parseNoteVerifierKey } from './note.js';
import { entriesPath, parseTile, tileHashSource, tilePath, type TileId } from './tiles.js';
import { readVector, readVectorJson, readVectorText } from './test-support.js';

interface Keys {
  log: { origin: string; skey: string; vkey: string; entries: string[] };
}
const LOG = ['transparency-dev', 'tessera', 'testdata', 'log'];
const keys = readVectorJson<Keys>('transparency-dev', 'tessera', 'keys.json');
const verifier = parseNoteVerifierKey(keys.log.vkey);
const signed = (size: number): string => readVectorText(...LOG, `checkpoint.${size}`);
const file = (path: string): Uint8Array => readVector(...LOG, ...path.split('/'));

function checkpointAt(size: number): Checkpoint {
  const opened = openCheckpoint(signed(size), { logVerifiers: [verifier] });
  if (!opened.ok) throw new Error(`checkpoint.${size}: ${opened.reason}`);
  return opened.checkpoint;
}

describe('tessera testdata/log', () => {
  it('derives the published vkey from the published signer key', () => {
    expect(parseNoteSignerKey(keys.log.skey).verifier.vkey).toBe(keys.log.vkey);
    expect(verifier.name).toBe(keys.log.origin);
  });

  it('verifies every checkpoint, and the latest is checkpoint.15', () => {
    for (let size = 0; size <= 15; size++) {
      const cp = checkpointAt(size);
      expect(cp.size).toBe(size);
      expect(cp.origin).toBe(keys.log.origin);
    }
    expect(readVectorText(...LOG, 'checkpoint')).toBe(signed(15));
  });

  it('produces each checkpoint byte for byte when signing with the log key', () => {
    const signer = parseNoteSignerKey(keys.log.skey);
    for (let size = 0; size <= 15; size++) expect(signCheckpoint(checkpointAt(size), [signer])).toBe(signed(size));
  });

  it('recomputes every root from the entry bundles and from the tiles', () => {
    for (let size = 1; size <= 15; size++) {
      const bundle = parseEntryBundle(file(entriesPath({ index: 0, width: size })), size);
      expect(bundle.map((e) => new TextDecoder().decode(e))).toEqual(keys.log.entries.slice(0, size));
      const tile: TileId = { level: 0, index: 0, width: size };
      const hashes = parseTile(file(tilePath(tile)), size);
      expect(hashes).toEqual(bundle.map((e) => leafHash(e)));
      const source = tileHashSource(size, (t) => file(tilePath(t)));
      expect(rootHash(size, source)).toEqual(checkpointAt(size).rootHash);
    }
  });

  it('proves inclusion of every entry and consistency between every pair of checkpoints', () => {
    const source = tileHashSource(15, (t) => file(tilePath(t)));
    const roots = Array.from({ length: 16 }, (_, size) => checkpointAt(size).rootHash);
    for (let size = 1; size <= 15; size++) {
      for (let index = 0; index < size; index++) {
        const leaf = leafHash(new TextEncoder().encode(keys.log.entries[index]!));
        // The size-15 tiles serve proofs for every older tree too.
        expect(verifyInclusion(leaf, index, size, inclusionProof(index, size, source), roots[size]!).ok).toBe(true);
      }
      for (let older = 1; older <= size; older++) {
        const proof = consistencyProof(older, size, source);
        expect(verifyConsistency(older, size, proof, roots[older]!, roots[size]!).ok).toBe(true);
      }
    }
  });

  it('rebuilds the same tiles and bundles by appending the entries one by one', () => {
    const tiles = new Map<string, Uint8Array>();
    const bundles = new Map<number, Uint8Array>();
    const reader: TileReader = {
      tile: (t) => tiles.get(`${t.level}/${t.index}`)!,
      bundle: (b) => bundles.get(b.index)!,
    };
    for (let size = 0; size < 15; size++) {
      const result = appendEntries(size, [new TextEncoder().encode(keys.log.entries[size]!)], reader);
      for (const t of result.tiles) tiles.set(`${t.tile.level}/${t.tile.index}`, t.data);
      for (const b of result.bundles) bundles.set(b.bundle.index, b.data);
      expect(result.tiles.map((t) => tilePath(t.tile))).toEqual([`tile/0/000.p/${size + 1}`]);
      expect(result.tiles[0]!.data).toEqual(file(`tile/0/000.p/${size + 1}`));
      expect(result.bundles[0]!.data).toEqual(file(`tile/entries/000.p/${size + 1}`));
      expect(result.rootHash).toEqual(checkpointAt(size + 1).rootHash);
    }
  });
});
