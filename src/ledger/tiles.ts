/**
 * C2SP tlog-tiles (c2sp.org/tlog-tiles) addressing, and a hash source that
 * answers any perfect-subtree hash from tiles.
 *
 * A tile at level L, index N holds up to 256 consecutive hashes of perfect
 * subtrees of height 8·L: hash i is node (8·L, N·256 + i). Level 0 tiles hold
 * leaf hashes. A tile is full at 256 hashes; the right edge of a tree has one
 * partial tile per level, of width floor(size / 256^L) mod 256.
 */
import { assertUint } from './encoding.js';
import { LedgerFormatError } from './errors.js';
import { HASH_SIZE } from './hash.js';
import { perfectSubtreeRoot, type HashSource, type NodeId } from './merkle.js';

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
/** Largest level the spec allows in a path. */
export const MAX_TILE_LEVEL = 63;

/** A hash tile; `width` is 1–256 (256 = full). */
export interface TileId {
  readonly level: number;
  readonly index: number;
  readonly width: number;
}

/** An entry bundle: the entries whose leaf hashes form level-0 tile `index`. */
export interface BundleId {
  readonly index: number;
  readonly width: number;
}

/** `<N>` of a tile path: zero-padded 3-digit groups, all but the last prefixed "x" (1234067 → x001/x234/067). */
export function formatTileIndex(index: number): string {
  assertUint(index, 'tile index');
  const groups: string[] = [];
  let n = index;
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

function widthSuffix(width: number): string {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) throw new RangeError(`tile width ${width} is not 1–256`);
  return width === TILE_WIDTH ? '' : `.p/${width}`;
}

/** `tile/<L>/<N>[.p/<W>]`, relative to the log's prefix. */
export function tilePath(tile: TileId): string {
  assertUint(tile.level, 'tile level');
  if (tile.level > MAX_TILE_LEVEL) throw new RangeError(`tile level ${tile.level} is above 63`);
  return `tile/${tile.level}/${formatTileIndex(tile.index)}${widthSuffix(tile.width)}`;
}

/** `tile/entries/<N>[.p/<W>]`, relative to the log's prefix. */
export function entriesPath(bundle: BundleId): string {
  return `tile/entries/${formatTileIndex(bundle.index)}${widthSuffix(bundle.width)}`;
}

export type ParsedTilePath = { readonly kind: 'tile'; readonly tile: TileId } | { readonly kind: 'entries'; readonly bundle: BundleId };

const PATH = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/;

/**
 * Parses a tile or entry-bundle path, accepting only its canonical spelling, so
 * a server mapping paths to storage can never serve one resource under two names.
 */
export function parseTilePath(path: string): ParsedTilePath {
  const m = PATH.exec(path);
  if (m === null) throw new LedgerFormatError('tile-path', `not a tile path: ${JSON.stringify(path)}`);
  const [, levelText, indexText, widthText] = m as unknown as [string, string, string, string | undefined];
  const index = Number(indexText.replaceAll('x', '').replaceAll('/', ''));
  const width = widthText === undefined ? TILE_WIDTH : Number(widthText);
  if (!Number.isSafeInteger(index) || formatTileIndex(index) !== indexText) {
    throw new LedgerFormatError('tile-path', 'tile index is not canonical');
  }
  if (widthText !== undefined && width >= TILE_WIDTH) throw new LedgerFormatError('tile-path', 'a partial tile is 1–255 wide');
  if (levelText === 'entries') return { kind: 'entries', bundle: { index, width } };
  const level = Number(levelText);
  if (level > MAX_TILE_LEVEL) throw new LedgerFormatError('tile-path', 'tile level is above 63');
  return { kind: 'tile', tile: { level, index, width } };
}

/** How many hashes level L of a tree of `size` has: floor(size / 256^L). */
export function hashesAtLevel(size: number, level: number): number {
  return Math.floor(size / TILE_WIDTH ** level);
}

/** Every tile of a tree, level by level, full tiles then the partial one. */
export function* treeTiles(size: number): Generator<TileId> {
  assertUint(size, 'size');
  for (let level = 0; ; level++) {
    const hashes = hashesAtLevel(size, level);
    if (hashes === 0) return;
    const full = Math.floor(hashes / TILE_WIDTH);
    for (let index = 0; index < full; index++) yield { level, index, width: TILE_WIDTH };
    const partial = hashes % TILE_WIDTH;
    if (partial > 0) yield { level, index: full, width: partial };
  }
}

/**
 * The tiles whose content at `newSize` did not exist at `oldSize` (new tiles and
 * wider versions of old partial ones): what a sequencer writes when it grows the
 * tree, and what a monitor fetches to follow it.
 */
export function tilesBetween(oldSize: number, newSize: number): TileId[] {
  assertUint(oldSize, 'oldSize');
  assertUint(newSize, 'newSize');
  if (oldSize > newSize) throw new RangeError('the tree only grows');
  const out: TileId[] = [];
  for (let level = 0; ; level++) {
    const before = hashesAtLevel(oldSize, level);
    const after = hashesAtLevel(newSize, level);
    if (after === before) return out;
    for (let index = Math.floor(before / TILE_WIDTH); index * TILE_WIDTH < after; index++) {
      out.push({ level, index, width: Math.min(TILE_WIDTH, after - index * TILE_WIDTH) });
    }
  }
}

/** The entry bundles that parallel the level-0 tiles between two sizes. */
export function bundlesBetween(oldSize: number, newSize: number): BundleId[] {
  return tilesBetween(oldSize, newSize)
    .filter((t) => t.level === 0)
    .map((t) => ({ index: t.index, width: t.width }));
}

/** Where a perfect subtree's hash comes from in a tree of `size`. */
export interface NodeLocation {
  /** The tile to read, with the width it has in this tree. */
  readonly tile: TileId;
  /** First and count of the tile hashes whose Merkle root is the node. */
  readonly offset: number;
  readonly count: number;
}

/**
 * Node (level, index) is the root over 2^(level mod 8) consecutive hashes of the
 * tile at level floor(level / 8); at most 128 hashes to recombine, never more.
 */
export function locateNode(level: number, index: number, size: number): NodeLocation {
  assertUint(level, 'level');
  assertUint(index, 'index');
  const tileLevel = Math.floor(level / TILE_HEIGHT);
  const count = 2 ** (level % TILE_HEIGHT);
  const first = index * count;
  const available = hashesAtLevel(size, tileLevel);
  if (first + count > available) throw new RangeError(`node (${level}, ${index}) is not complete in a tree of size ${size}`);
  const tileIndex = Math.floor(first / TILE_WIDTH);
  return {
    tile: { level: tileLevel, index: tileIndex, width: Math.min(TILE_WIDTH, available - tileIndex * TILE_WIDTH) },
    offset: first % TILE_WIDTH,
    count,
  };
}

export function tileKey(tile: TileId): string {
  return `${tile.level}/${tile.index}/${tile.width}`;
}

/** The tiles (at their width in a tree of `size`) that answer these nodes; fetch them, then build a tileHashSource. */
export function tilesForNodes(nodes: readonly NodeId[], size: number): TileId[] {
  const seen = new Map<string, TileId>();
  for (const n of nodes) {
    const { tile } = locateNode(n.level, n.index, size);
    seen.set(tileKey(tile), tile);
  }
  return [...seen.values()];
}

/** Splits tile bytes into hashes, checking the length against the width expected. */
export function parseTile(data: Uint8Array, width: number): Uint8Array[] {
  if (data.length !== width * HASH_SIZE) {
    throw new LedgerFormatError('tile', `a tile of width ${width} is ${width * HASH_SIZE} bytes, got ${data.length}`);
  }
  const out: Uint8Array[] = [];
  for (let i = 0; i < width; i++) out.push(data.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  return out;
}

/** The bytes of a tile: its `width` hashes from a source, concatenated. */
export function tileData(tile: TileId, source: HashSource): Uint8Array {
  const out = new Uint8Array(tile.width * HASH_SIZE);
  for (let i = 0; i < tile.width; i++) {
    const h = source(tile.level * TILE_HEIGHT, tile.index * TILE_WIDTH + i);
    if (h.length !== HASH_SIZE) throw new RangeError('hash source returned a hash that is not 32 bytes');
    out.set(h, i * HASH_SIZE);
  }
  return out;
}

/**
 * A HashSource for a tree of `size` backed by tiles. `readTile` receives the
 * tile at the width it has in this tree; it may return a wider version (e.g. the
 * full tile that later replaced a partial one): only the prefix is used, since
 * tiles only ever grow by appending. Tiles are read once per source.
 */
export function tileHashSource(size: number, readTile: (tile: TileId) => Uint8Array): HashSource {
  assertUint(size, 'size');
  const cache = new Map<string, Uint8Array>();
  return (level, index) => {
    const loc = locateNode(level, index, size);
    const key = `${loc.tile.level}/${loc.tile.index}`;
    let data = cache.get(key);
    if (data === undefined) {
      data = readTile(loc.tile);
      if (data.length < loc.tile.width * HASH_SIZE || data.length > TILE_WIDTH * HASH_SIZE || data.length % HASH_SIZE !== 0) {
        throw new LedgerFormatError('tile', `tile ${tilePath(loc.tile)} has ${data.length} bytes`);
      }
      cache.set(key, data);
    }
    const hashes: Uint8Array[] = [];
    for (let i = loc.offset; i < loc.offset + loc.count; i++) hashes.push(data.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
    return perfectSubtreeRoot(hashes);
  };
}
