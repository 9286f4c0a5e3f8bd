import { describe, expect, it } from 'vitest';
import { appendEntries, appendReads, type TileReader } from './append.js';
import { encodeEntryBundle, parseEntryBundle } from './bundles.js';
import { LedgerFormatError } from './errors.js';
import { leafHash } from './hash.js';
import {
  consistencyProof,
  consistencyProofNodes,
  inclusionProof,
  inclusionProofNodes,
  memoryHashSource,
  rootHash,
  type HashSource,
} from './merkle.js';
import { verifyConsistency, verifyInclusion } from './merkle-verify.js';
import {
  bundlesBetween,
  entriesPath,
  formatTileIndex,
  locateNode,
  parseTilePath,
  tileData,
  tileHashSource,
  tilePath,
  tilesBetween,
  tilesForNodes,
  treeTiles,
  type BundleId,
  type TileId,
} from './tiles.js';
import { seeded } from './test-support.js';

describe('tile paths', () => {
  it('encodes indexes in x-prefixed 3-digit groups', () => {
    expect(formatTileIndex(0)).toBe('000');
    expect(formatTileIndex(7)).toBe('007');
    expect(formatTileIndex(999)).toBe('999');
    expect(formatTileIndex(1000)).toBe('x001/000');
    expect(formatTileIndex(1234067)).toBe('x001/x234/067');
    expect(formatTileIndex(2 ** 53 - 1)).toBe('x009/x007/x199/x254/x740/991');
  });

  it('formats full and partial tiles and bundles', () => {
    expect(tilePath({ level: 0, index: 1234067, width: 256 })).toBe('tile/0/x001/x234/067');
    expect(tilePath({ level: 2, index: 0, width: 1 })).toBe('tile/2/000.p/1');
    expect(entriesPath({ index: 5, width: 112 })).toBe('tile/entries/005.p/112');
    expect(entriesPath({ index: 1000, width: 256 })).toBe('tile/entries/x001/000');
    expect(() => tilePath({ level: 0, index: 0, width: 0 })).toThrow(RangeError);
    expect(() => tilePath({ level: 64, index: 0, width: 1 })).toThrow(RangeError);
  });

  it('parses only canonical paths', () => {
    for (const path of ['tile/0/000', 'tile/0/x001/x234/067', 'tile/63/000.p/255', 'tile/entries/x001/000.p/1', 'tile/12/999']) {
      const parsed = parseTilePath(path);
      expect(parsed.kind === 'tile' ? tilePath(parsed.tile) : entriesPath(parsed.bundle)).toBe(path);
    }
    for (const path of [
      'tile/00/000',
      'tile/0/0',
      'tile/0/x000/001',
      'tile/0/x1/001',
      'tile/0/001/002',
      'tile/0/001.p/0',
      'tile/0/001.p/256',
      'tile/0/001.p/012',
      'tile/64/000',
      'tile/entries/x001',
      '/tile/0/000',
      'tile/0/000.p/',
      'tile/-1/000',
    ]) {
      expect(() => parseTilePath(path), path).toThrow(LedgerFormatError);
    }
  });
});

describe('tiles of a tree', () => {
  const list = (size: number): string[] => [...treeTiles(size)].map(tilePath);

  it('matches the spec example for 70,000 entries', () => {
    const tiles = [...treeTiles(70000)];
    const level = (l: number): TileId[] => tiles.filter((t) => t.level === l);
    expect(level(0).filter((t) => t.width === 256)).toHaveLength(273);
    expect(level(0).at(-1)).toEqual({ level: 0, index: 273, width: 112 });
    expect(level(1)).toEqual([
      { level: 1, index: 0, width: 256 },
      { level: 1, index: 1, width: 17 },
    ]);
    expect(level(2)).toEqual([{ level: 2, index: 0, width: 1 }]);
    expect(tiles).toHaveLength(277);
  });

  it('matches the spec example for 256 entries', () => {
    expect(list(256)).toEqual(['tile/0/000', 'tile/1/000.p/1']);
    expect(list(0)).toEqual([]);
  });

  it('lists as new exactly the tiles one tree has and the other lacks', () => {
    const rnd = seeded(42);
    for (let n = 0; n < 200; n++) {
      const a = rnd.int(70000);
      const b = a + rnd.int(n % 2 === 0 ? 600 : 70000);
      const before = new Set(list(a));
      expect(tilesBetween(a, b).map(tilePath)).toEqual(list(b).filter((p) => !before.has(p)));
      expect(bundlesBetween(a, b).map((x) => entriesPath(x))).toEqual(
        tilesBetween(a, b).filter((t) => t.level === 0).map((t) => entriesPath(t)),
      );
    }
  });

  it('locates a node in the tile above its nearest multiple-of-8 level', () => {
    expect(locateNode(0, 300, 70000)).toEqual({ tile: { level: 0, index: 1, width: 256 }, offset: 44, count: 1 });
    expect(locateNode(7, 1, 300)).toEqual({ tile: { level: 0, index: 0, width: 256 }, offset: 128, count: 128 });
    expect(locateNode(8, 0, 300)).toEqual({ tile: { level: 1, index: 0, width: 1 }, offset: 0, count: 1 });
    expect(locateNode(16, 0, 70000)).toEqual({ tile: { level: 2, index: 0, width: 1 }, offset: 0, count: 1 });
    expect(() => locateNode(8, 1, 300)).toThrow(RangeError);
  });
});

describe('hashes from tiles', () => {
  const rnd = seeded(7);
  const size = 65536 + 256 * 3 + 41;
  const leaves = Array.from({ length: size }, (_, i) => leafHash(new TextEncoder().encode(`entry ${i}`)));
  const memory = memoryHashSource(leaves);
  const stored = new Map<string, Uint8Array>();
  for (const t of treeTiles(size)) stored.set(tilePath(t), tileData(t, memory));

  const reads: TileId[] = [];
  const fromTiles = (n: number): HashSource =>
    tileHashSource(n, (t) => {
      reads.push(t);
      const data = stored.get(tilePath(t)) ?? stored.get(tilePath({ ...t, width: 256 }));
      if (data === undefined) throw new Error(`no tile ${tilePath(t)}`);
      return data;
    });

  it('gives the same roots and proofs as the tree itself, reading only planned tiles', () => {
    const source = fromTiles(size);
    expect(rootHash(size, source)).toEqual(rootHash(size, memory));
    for (let n = 0; n < 30; n++) {
      const index = rnd.int(size);
      reads.length = 0;
      const proof = inclusionProof(index, size, source);
      expect(proof).toEqual(inclusionProof(index, size, memory));
      expect(verifyInclusion(leaves[index]!, index, size, proof, rootHash(size, memory)).ok).toBe(true);
      const planned = new Set(tilesForNodes(inclusionProofNodes(index, size), size).map(tilePath));
      for (const t of reads) expect(planned.has(tilePath(t))).toBe(true);
    }
  });

  it('answers older tree sizes from the same (wider) tiles', () => {
    for (let n = 0; n < 10; n++) {
      const older = 1 + rnd.int(size - 1);
      const source = fromTiles(older);
      expect(rootHash(older, source)).toEqual(rootHash(older, memory));
      const proof = consistencyProof(older, size, fromTiles(size));
      expect(proof).toEqual(consistencyProof(older, size, memory));
      expect(verifyConsistency(older, size, proof, rootHash(older, source), rootHash(size, memory)).ok).toBe(true);
      expect(tilesForNodes(consistencyProofNodes(older, size), size).length).toBeGreaterThan(0);
    }
  });

  it('refuses tiles of the wrong length', () => {
    const bad = tileHashSource(size, () => new Uint8Array(33));
    expect(() => bad(0, 0)).toThrow(LedgerFormatError);
  });
});

describe('entry bundles', () => {
  it('round-trips, empty entries and 65,535-byte entries included', () => {
    const entries = [new Uint8Array(0), new Uint8Array([1, 2, 3]), new Uint8Array(0xffff).fill(9)];
    const data = encodeEntryBundle(entries);
    expect(data.length).toBe(2 + 2 + 3 + 2 + 0xffff);
    expect(parseEntryBundle(data, 3)).toEqual(entries);
  });

  it('refuses truncation, oversize and a wrong count', () => {
    const data = encodeEntryBundle([new Uint8Array([1, 2, 3])]);
    expect(() => parseEntryBundle(data.subarray(0, 4))).toThrow(LedgerFormatError);
    expect(() => parseEntryBundle(data.subarray(0, 1))).toThrow(LedgerFormatError);
    expect(() => parseEntryBundle(data, 2)).toThrow(LedgerFormatError);
    expect(() => parseEntryBundle(new Uint8Array(2 * 257))).toThrow(LedgerFormatError);
    expect(parseEntryBundle(new Uint8Array(2 * 256))).toHaveLength(256);
    expect(() => encodeEntryBundle([new Uint8Array(0x10000)])).toThrow(RangeError);
  });
});

describe('appending to a tiled log', () => {
  it('grows a tree in random batches to exactly the tiles and root of the whole tree', () => {
    const rnd = seeded(99);
    const all = Array.from({ length: 70000 }, () => rnd.bytes(rnd.int(60)));
    // One source over the final leaves answers every prefix's root too.
    const memory = memoryHashSource(all.map((e) => leafHash(e)));
    const tiles = new Map<string, Uint8Array>();
    const bundles = new Map<number, Uint8Array>();
    let size = 0;
    while (size < all.length) {
      const batch = all.slice(size, size + 1 + rnd.int(size < 1000 ? 300 : 5000));
      const planned = appendReads(size, size + batch.length);
      const seenTiles: TileId[] = [];
      const seenBundles: BundleId[] = [];
      const reader: TileReader = {
        tile: (t) => {
          seenTiles.push(t);
          const data = tiles.get(`${t.level}/${t.index}`);
          if (data === undefined || data.length < t.width * 32) throw new Error(`missing ${tilePath(t)}`);
          return data;
        },
        bundle: (b) => {
          seenBundles.push(b);
          const data = bundles.get(b.index);
          if (data === undefined) throw new Error(`missing ${entriesPath(b)}`);
          return data;
        },
      };
      const result = appendEntries(size, batch, reader);
      for (const t of seenTiles) expect(planned.tiles.map(tilePath)).toContain(tilePath(t));
      for (const b of seenBundles) expect(planned.bundles.map((x) => entriesPath(x))).toContain(entriesPath(b));
      expect(result.tiles.map((t) => tilePath(t.tile))).toEqual(tilesBetween(size, size + batch.length).map(tilePath));
      for (const t of result.tiles) tiles.set(`${t.tile.level}/${t.tile.index}`, t.data);
      for (const b of result.bundles) bundles.set(b.bundle.index, b.data);
      size = result.size;
      expect(Buffer.from(result.rootHash).equals(rootHash(size, memory))).toBe(true);
    }
    // Byte comparisons through Buffer: deep equality over 70,000 arrays is slow.
    for (const t of treeTiles(size)) {
      expect(Buffer.from(tiles.get(`${t.level}/${t.index}`)!).equals(tileData(t, memory)), tilePath(t)).toBe(true);
    }
    for (const [index, data] of bundles) {
      const width = Math.min(256, size - index * 256);
      const expected = encodeEntryBundle(all.slice(index * 256, index * 256 + width));
      expect(Buffer.from(data).equals(expected), `bundle ${index}`).toBe(true);
      expect(parseEntryBundle(data, width)).toHaveLength(width);
    }
  });

  it('refuses entries a bundle cannot carry', () => {
    const none: TileReader = { tile: () => new Uint8Array(0), bundle: () => new Uint8Array(0) };
    expect(() => appendEntries(0, [new Uint8Array(0x10000)], none)).toThrow(RangeError);
    expect(appendEntries(0, [], none)).toMatchObject({ size: 0, tiles: [], bundles: [] });
  });
});
