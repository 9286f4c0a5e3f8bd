/**
 * Growing a tiled log: given the tree so far (as tiles) and a batch of new
 * entries, compute every tile and entry bundle to write and the new root. This is
 * the pure core of a sequencer; storage, locking and checkpoint signing stay with
 * the caller:
 *
 *   const reads = appendReads(oldSize, oldSize + entries.length);   // fetch these
 *   const result = appendEntries(oldSize, entries, { tile, bundle }); // from the fetched map
 *   // write result.tiles and result.bundles, then sign a checkpoint for
 *   // { size: result.size, rootHash: result.rootHash }
 *
 * Level L+1 hashes are the roots of full level-L tiles, so a batch touches at most
 * one partial tile per level plus the tiles it fills.
 */
import { parseEntryBundle, encodeEntryBundle, MAX_ENTRY_SIZE } from './bundles.js';
import { assertUint, concatBytes } from './encoding.js';
import { HASH_SIZE, leafHash } from './hash.js';
import { perfectSubtreeRoot, rootHash, rootNodes } from './merkle.js';
import {
  bundlesBetween,
  hashesAtLevel,
  parseTile,
  tileHashSource,
  tilesBetween,
  tilesForNodes,
  TILE_WIDTH,
  type BundleId,
  type TileId,
} from './tiles.js';

export interface TileReader {
  /** A stored tile at the given width (or wider: only the prefix is used). */
  tile(tile: TileId): Uint8Array;
  /** A stored entry bundle at the given width. */
  bundle(bundle: BundleId): Uint8Array;
}

export interface AppendResult {
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly tiles: readonly { readonly tile: TileId; readonly data: Uint8Array }[];
  readonly bundles: readonly { readonly bundle: BundleId; readonly data: Uint8Array }[];
}

function sameSlot(a: TileId, b: TileId): boolean {
  return a.level === b.level && a.index === b.index;
}

/** What appendEntries will read from storage for growing `oldSize` to `newSize`. */
export function appendReads(oldSize: number, newSize: number): { tiles: TileId[]; bundles: BundleId[] } {
  const written = tilesBetween(oldSize, newSize);
  const tiles: TileId[] = [];
  for (const t of written) {
    const before = hashesAtLevel(oldSize, t.level);
    // The old partial tile this one extends.
    if (t.index * TILE_WIDTH < before) tiles.push({ level: t.level, index: t.index, width: before - t.index * TILE_WIDTH });
  }
  // Untouched tiles the new root needs.
  for (const t of tilesForNodes(rootNodes(newSize), newSize)) {
    if (!written.some((w) => sameSlot(w, t)) && !tiles.some((r) => sameSlot(r, t))) tiles.push(t);
  }
  const bundles: BundleId[] = [];
  const partial = oldSize % TILE_WIDTH;
  if (newSize > oldSize && partial > 0) bundles.push({ index: Math.floor(oldSize / TILE_WIDTH), width: partial });
  return { tiles, bundles };
}

/** Appends `entries` to a tree of `oldSize`, returning what to write. */
export function appendEntries(oldSize: number, entries: readonly Uint8Array[], reader: TileReader): AppendResult {
  assertUint(oldSize, 'oldSize');
  for (const e of entries) if (e.length > MAX_ENTRY_SIZE) throw new RangeError(`an entry is at most ${MAX_ENTRY_SIZE} bytes`);
  const newSize = oldSize + entries.length;
  assertUint(newSize, 'newSize');

  const fresh: Uint8Array[][] = [entries.map((e) => leafHash(e))];
  const oldTiles = new Map<number, Uint8Array[]>();
  const hashAt = (level: number, i: number): Uint8Array => {
    const before = hashesAtLevel(oldSize, level);
    if (i >= before) return (fresh[level] as Uint8Array[])[i - before] as Uint8Array;
    // Only the old partial tile of this level can hold hashes a new tile needs.
    let old = oldTiles.get(level);
    if (old === undefined) {
      const index = Math.floor(before / TILE_WIDTH);
      const width = before - index * TILE_WIDTH;
      old = parseTile(reader.tile({ level, index, width }).subarray(0, width * HASH_SIZE), width);
      oldTiles.set(level, old);
    }
    return old[i % TILE_WIDTH] as Uint8Array;
  };

  const tiles: { tile: TileId; data: Uint8Array }[] = [];
  const written = tilesBetween(oldSize, newSize);
  for (let level = 0; written.some((t) => t.level === level); level++) {
    const levelTiles = written.filter((t) => t.level === level);
    const next: Uint8Array[] = [];
    for (const tile of levelTiles) {
      const hashes: Uint8Array[] = [];
      for (let k = 0; k < tile.width; k++) hashes.push(hashAt(level, tile.index * TILE_WIDTH + k));
      tiles.push({ tile, data: concatBytes(...hashes) });
      // A tile that just became full contributes one hash to the level above.
      if (tile.width === TILE_WIDTH) next.push(perfectSubtreeRoot(hashes));
    }
    fresh.push(next);
  }

  const bundles: { bundle: BundleId; data: Uint8Array }[] = [];
  for (const bundle of bundlesBetween(oldSize, newSize)) {
    const start = bundle.index * TILE_WIDTH;
    const kept = start < oldSize ? parseEntryBundle(reader.bundle({ index: bundle.index, width: oldSize - start }), oldSize - start) : [];
    const added = entries.slice(Math.max(start, oldSize) - oldSize, start + bundle.width - oldSize);
    bundles.push({ bundle, data: encodeEntryBundle([...kept, ...added]) });
  }

  const byIndex = new Map(tiles.map((t) => [`${t.tile.level}/${t.tile.index}`, t.data]));
  const source = tileHashSource(newSize, (t) => byIndex.get(`${t.level}/${t.index}`) ?? reader.tile(t));
  return { size: newSize, rootHash: rootHash(newSize, source), tiles, bundles };
}
