/**
 * Audits a whole Rabta log from its public tlog-tiles API, trusting nothing but
 * public keys: the log's signature and k witness cosignatures on the checkpoint,
 * then every tile and every entry, then consistency with the checkpoint this
 * auditor saw last time.
 *
 * Trust flows down from the signed root, so a mismatch is blamed on the first
 * thing below an already-authenticated hash:
 *
 *   1. the root, recomputed from the right-edge (partial) tiles of each level —
 *      exactly the hashes RFC 9162's root folds — must equal the checkpoint's;
 *   2. every full tile, from the top level down, must hash to its entry in the
 *      (authenticated) tile above it;
 *   3. every entry's leaf hash must equal its hash in the (authenticated)
 *      level-0 tile, and every entry must be a Rabta leaf;
 *   4. the root of the first `previous.size` leaves, recomputed from these
 *      authenticated tiles, must equal the root seen before.
 *
 * So a flipped byte in an entry is reported as that entry, a tampered tile as
 * that tile. The first failure ends the audit. Level-0 tiles and entry bundles
 * are streamed (a window of parallel fetches, checked in order), so memory
 * stays at the higher-level tiles: 1/256 of the level-0 tiles.
 */
import { LEAF_KIND, decodeLeaf } from './canonical.js';
import { parseEntryBundle } from './bundles.js';
import { openCheckpoint } from './checkpoint.js';
import { parseCosignatureVerifierKey, verifyCosignature, type CosignatureVerifier } from './cosignature.js';
import { decodeBase64, decodeUtf8, encodeBase64, equalBytes } from './encoding.js';
import { emptyRoot, HASH_SIZE, leafHash } from './hash.js';
import { perfectSubtreeRoot, rootHash, rootNodes } from './merkle.js';
import { parseNoteVerifierKey, type NoteVerifier } from './note.js';
import { entriesPath, parseTile, tileHashSource, tilePath, tilesForNodes, treeTiles, TILE_WIDTH, type TileId } from './tiles.js';

export interface LogFetchResponse {
  readonly status: number;
  readonly body: Uint8Array;
}

/** A GET; rejects only for transport failures (any HTTP status resolves). */
export type LogFetch = (url: string) => Promise<LogFetchResponse>;

/** What an auditor remembers of the last checkpoint it verified. */
export interface SeenCheckpoint {
  readonly origin: string;
  readonly size: number;
  /** base64 */
  readonly rootHash: string;
  /** The signed note as it was served. */
  readonly checkpoint: string;
  /** ISO 8601 */
  readonly seenAt: string;
}

export interface VerifyLogInput {
  /** The instance's public base URL (the log is under /ledger). */
  readonly baseUrl: string;
  readonly fetch: LogFetch;
  /** How many distinct witnesses must have cosigned the checkpoint. */
  readonly quorum: number;
  /** Pinned log vkeys; default: the `log` keys of /.well-known/rabta.json. */
  readonly logVkeys?: readonly string[];
  /** Pinned witness vkeys; default: the `witness` keys of /.well-known/rabta.json. */
  readonly witnessVkeys?: readonly string[];
  /** The checkpoint verified last time for this origin, if any. */
  readonly loadPrevious?: (origin: string) => Promise<SeenCheckpoint | undefined>;
  readonly onProgress?: (checkedEntries: number, totalEntries: number) => void;
  /** Level-0 tiles and bundles fetched ahead (default 8). */
  readonly parallel?: number;
  readonly now?: () => Date;
}

export interface WitnessSeen {
  readonly name: string;
  readonly vkey: string;
  readonly timestamp: number;
}

export type VerifyLogResult =
  | {
      readonly ok: true;
      readonly origin: string;
      readonly size: number;
      readonly rootHash: Uint8Array;
      /** Distinct trusted witnesses whose cosignature on this checkpoint verified. */
      readonly witnesses: readonly WitnessSeen[];
      /** How many witnesses were trusted (the n of k-of-n). */
      readonly witnessCount: number;
      readonly quorum: number;
      /** Entries per leaf type name. */
      readonly kinds: Readonly<Record<string, number>>;
      /** The size verified consistent with, if a previous checkpoint was known. */
      readonly previousSize?: number;
      /** To remember for next time. */
      readonly seen: SeenCheckpoint;
    }
  | {
      readonly ok: false;
      /** What is at fault: "entry 1234", "tile/0/004", "checkpoint", "keys", … */
      readonly where: string;
      /** `${where}: ${reason}` */
      readonly message: string;
      /** Set when an entry is at fault. */
      readonly entry?: number;
    };

/** Thrown inside the audit to stop at the first failure; never escapes verifyLog. */
class Stop extends Error {
  constructor(
    readonly where: string,
    readonly reason: string,
    readonly entry?: number,
  ) {
    super(`${where}: ${reason}`);
  }
}

const KIND_NAMES: Readonly<Record<number, string>> = {
  [LEAF_KIND.registryChange]: 'registry-change',
  [LEAF_KIND.exchange]: 'exchange',
  [LEAF_KIND.consentChange]: 'consent-change',
  [LEAF_KIND.event]: 'event',
  [LEAF_KIND.caseTransition]: 'case',
  [LEAF_KIND.openDataRelease]: 'open-data-release',
};

interface WellKnown {
  keys?: Array<{ use?: unknown; vkey?: unknown }>;
}

function slot(level: number, index: number): string {
  return `${level}/${index}`;
}

export async function verifyLog(input: VerifyLogInput): Promise<VerifyLogResult> {
  try {
    return await audit(input);
  } catch (error) {
    if (error instanceof Stop) {
      return { ok: false, where: error.where, message: error.message, ...(error.entry === undefined ? {} : { entry: error.entry }) };
    }
    throw error;
  }
}

async function audit(input: VerifyLogInput): Promise<VerifyLogResult> {
  const base = input.baseUrl.replace(/\/+$/, '');
  const get = async (path: string, where: string): Promise<Uint8Array> => {
    let response: LogFetchResponse;
    try {
      response = await input.fetch(`${base}${path}`);
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new Stop(where, `cannot fetch ${base}${path} (${cause ?? (error instanceof Error ? error.message : String(error))})`);
    }
    if (response.status !== 200) throw new Stop(where, `${base}${path} answered HTTP ${response.status}`);
    return response.body;
  };

  // ---- keys ----
  let logVkeys = input.logVkeys;
  let witnessVkeys = input.witnessVkeys;
  if (logVkeys === undefined || witnessVkeys === undefined) {
    const text = await get('/.well-known/rabta.json', 'keys');
    let wellKnown: WellKnown;
    try {
      wellKnown = JSON.parse(decodeUtf8(text, 'note')) as WellKnown;
    } catch {
      throw new Stop('keys', '/.well-known/rabta.json is not JSON');
    }
    const keys = Array.isArray(wellKnown.keys) ? wellKnown.keys : [];
    const of = (use: string): string[] => keys.filter((k) => k.use === use && typeof k.vkey === 'string').map((k) => k.vkey as string);
    logVkeys ??= of('log');
    witnessVkeys ??= of('witness');
  }
  let logVerifiers: NoteVerifier[];
  const witnesses: CosignatureVerifier[] = [];
  try {
    logVerifiers = logVkeys.map((v) => parseNoteVerifierKey(v.trim()));
    for (const vkey of witnessVkeys) {
      const w = parseCosignatureVerifierKey(vkey.trim());
      // A key listed twice (even under two names) is still one witness.
      if (!witnesses.some((o) => equalBytes(o.publicKey, w.publicKey))) witnesses.push(w);
    }
  } catch (error) {
    throw new Stop('keys', error instanceof Error ? error.message : String(error));
  }
  if (logVerifiers.length === 0) throw new Stop('keys', 'no log key (give one, or publish it in /.well-known/rabta.json)');
  if (!Number.isSafeInteger(input.quorum) || input.quorum < 0) throw new Stop('keys', `quorum ${input.quorum} is not a non-negative integer`);
  if (input.quorum > witnesses.length) throw new Stop('keys', `a quorum of ${input.quorum} needs at least that many witnesses; ${witnesses.length} known`);

  // ---- checkpoint: log signature and witness quorum ----
  const signed = await get('/ledger/checkpoint', 'checkpoint');
  const opened = openCheckpoint(signed, { logVerifiers });
  if (!opened.ok) throw new Stop('checkpoint', opened.message);
  const { checkpoint, note } = opened;
  const { origin, size } = checkpoint;
  const seenWitnesses: WitnessSeen[] = [];
  for (const sig of note.signatures) {
    const witness = witnesses.find((w) => w.name === sig.name && w.keyId === sig.keyId);
    if (witness === undefined) continue;
    const verdict = verifyCosignature(witness, note.text, sig);
    if (!verdict.ok) throw new Stop('checkpoint', `cosignature by ${witness.name}: ${verdict.reason}`);
    if (!seenWitnesses.some((s) => s.vkey === witness.vkey)) seenWitnesses.push({ name: witness.name, vkey: witness.vkey, timestamp: verdict.timestamp });
  }
  if (seenWitnesses.length < input.quorum) {
    throw new Stop('checkpoint', `${seenWitnesses.length} of the required ${input.quorum} witnesses cosigned it`);
  }

  // ---- against what we saw before: never smaller, never a different tree of the same size ----
  const previous = await input.loadPrevious?.(origin);
  let previousRoot: Uint8Array | undefined;
  if (previous !== undefined) {
    try {
      previousRoot = decodeBase64(previous.rootHash);
    } catch {
      throw new Stop('checkpoint', 'the saved previous checkpoint is unreadable');
    }
    if (previous.origin !== origin) throw new Stop('checkpoint', `origin ${origin} is not the saved origin ${previous.origin}`);
    if (size < previous.size) {
      throw new Stop('checkpoint', `the log shrank: size ${size}, but size ${previous.size} was verified on ${previous.seenAt}`);
    }
    if (size === previous.size && !equalBytes(previousRoot, checkpoint.rootHash)) {
      throw new Stop('checkpoint', `size ${size} has a different root than the one verified on ${previous.seenAt}: the log forked`);
    }
  }

  const kinds: Record<string, number> = {};
  if (size === 0) {
    if (!equalBytes(checkpoint.rootHash, emptyRoot())) throw new Stop('checkpoint', 'an empty tree has the empty root');
  } else {
    await checkTree(input, get, size, checkpoint.rootHash, kinds, previous?.size, previousRoot);
  }

  const now = input.now?.() ?? new Date();
  return {
    ok: true,
    origin,
    size,
    rootHash: checkpoint.rootHash,
    witnesses: seenWitnesses,
    witnessCount: witnesses.length,
    quorum: input.quorum,
    kinds,
    ...(previous === undefined ? {} : { previousSize: previous.size }),
    seen: { origin, size, rootHash: encodeBase64(checkpoint.rootHash), checkpoint: decodeUtf8(signed, 'note'), seenAt: now.toISOString() },
  };
}

type Loaded = { readonly data: Uint8Array } | { readonly stop: Stop };

async function checkTree(
  input: VerifyLogInput,
  get: (path: string, where: string) => Promise<Uint8Array>,
  size: number,
  root: Uint8Array,
  kinds: Record<string, number>,
  previousSize: number | undefined,
  previousRoot: Uint8Array | undefined,
): Promise<void> {
  const tiles = [...treeTiles(size)];
  const name = (t: TileId): string => tilePath(t);
  const fetchTile = async (t: TileId): Promise<Uint8Array> => {
    const data = await get(`/ledger/${tilePath(t)}`, name(t));
    try {
      parseTile(data, t.width);
    } catch (error) {
      throw new Stop(name(t), error instanceof Error ? error.message : String(error));
    }
    return data;
  };

  // Tiles kept in memory: every level ≥ 1, plus the level-0 right edge.
  const held = new Map<string, Uint8Array>();
  const rightEdge = tiles.filter((t) => t.width < TILE_WIDTH);
  const upper = tiles.filter((t) => t.level >= 1 || t.width < TILE_WIDTH);
  for (const t of upper) held.set(slot(t.level, t.index), await fetchTile(t));
  const fromHeld = (t: TileId): Uint8Array => {
    const data = held.get(slot(t.level, t.index));
    if (data === undefined) throw new Error(`internal: tile ${tilePath(t)} was not fetched`);
    return data;
  };

  // 1. The root folds exactly the right-edge tiles' hashes.
  if (!equalBytes(rootHash(size, tileHashSource(size, fromHeld)), root)) {
    const names = rightEdge.map(name);
    if (names.length === 1) throw new Stop(names[0] as string, 'the root computed from this tile does not match the signed checkpoint');
    throw new Stop('checkpoint', `the root computed from the right-edge tiles (${names.join(', ')}) does not match the signed root`);
  }

  // 2. Full tiles from the top down, each against its parent hash.
  const parentHash = (t: TileId): { hash: Uint8Array; where: string } => {
    const parent = tiles.find((p) => p.level === t.level + 1 && p.index === Math.floor(t.index / TILE_WIDTH)) as TileId;
    const at = t.index % TILE_WIDTH;
    return { hash: fromHeld(parent).subarray(at * HASH_SIZE, (at + 1) * HASH_SIZE), where: `hash ${at} of ${name(parent)}` };
  };
  const checkFull = (t: TileId, data: Uint8Array): void => {
    const { hash, where } = parentHash(t);
    if (!equalBytes(perfectSubtreeRoot(parseTile(data, TILE_WIDTH)), hash)) throw new Stop(name(t), `its hashes do not hash to ${where}`);
  };
  const top = Math.max(...tiles.map((t) => t.level));
  for (let level = top; level >= 1; level--) {
    for (const t of tiles) if (t.level === level && t.width === TILE_WIDTH) checkFull(t, fromHeld(t));
  }

  // The previous root needs some level-0 tiles: keep those as they stream past.
  const keepForPrevious = new Set(
    previousSize !== undefined && previousSize > 0 && previousSize < size
      ? tilesForNodes(rootNodes(previousSize), previousSize).filter((t) => t.level === 0).map((t) => t.index)
      : [],
  );

  // 3. Level-0 tiles and their entry bundles, in order, fetched ahead.
  const level0 = tiles.filter((t) => t.level === 0);
  const load = async (t: TileId): Promise<{ tile: Loaded; bundle: Loaded }> => {
    const settle = async (work: Promise<Uint8Array>): Promise<Loaded> => {
      try {
        return { data: await work };
      } catch (error) {
        if (error instanceof Stop) return { stop: error };
        return { stop: new Stop(name(t), error instanceof Error ? error.message : String(error)) };
      }
    };
    const bundleId = { index: t.index, width: t.width };
    const [tile, bundle] = await Promise.all([
      settle(t.width < TILE_WIDTH ? (async () => fromHeld(t))() : fetchTile(t)),
      settle(get(`/ledger/${entriesPath(bundleId)}`, entriesPath(bundleId))),
    ]);
    return { tile, bundle };
  };
  let checked = 0;
  let k = 0;
  input.onProgress?.(0, size);
  for await (const { tile, bundle } of inOrder(level0, input.parallel ?? 8, load)) {
    const t = level0[k++] as TileId;
    if ('stop' in tile) throw tile.stop;
    if ('stop' in bundle) throw bundle.stop;
    if (t.width === TILE_WIDTH) checkFull(t, tile.data);
    if (keepForPrevious.has(t.index)) held.set(slot(0, t.index), tile.data);
    let entries: Uint8Array[];
    const first = t.index * TILE_WIDTH;
    try {
      entries = parseEntryBundle(bundle.data, t.width);
    } catch (error) {
      const last = first + t.width - 1;
      throw new Stop(entriesPath({ index: t.index, width: t.width }), `entries ${first}–${last}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const hashes = parseTile(tile.data, t.width);
    for (let i = 0; i < entries.length; i++) {
      const index = first + i;
      const entry = entries[i] as Uint8Array;
      if (!equalBytes(leafHash(entry), hashes[i] as Uint8Array)) {
        throw new Stop(`entry ${index}`, `leaf hash does not match ${name(t)}`, index);
      }
      let kind: number;
      try {
        kind = decodeLeaf(entry).kind;
      } catch (error) {
        throw new Stop(`entry ${index}`, `not a Rabta leaf (${error instanceof Error ? error.message : String(error)})`, index);
      }
      const kindName = KIND_NAMES[kind] ?? String(kind);
      kinds[kindName] = (kinds[kindName] ?? 0) + 1;
    }
    checked += t.width;
    input.onProgress?.(checked, size);
  }

  // 4. The tree we saw before is a prefix of this one.
  if (previousSize !== undefined && previousRoot !== undefined && previousSize > 0 && previousSize < size) {
    const old = rootHash(previousSize, tileHashSource(previousSize, fromHeld));
    if (!equalBytes(old, previousRoot)) {
      throw new Stop('checkpoint', `not consistent with the checkpoint of size ${previousSize} verified before: its first ${previousSize} entries have a different root`);
    }
  }
}

/** Runs `load` over `items` with up to `parallel` in flight, yielding results in order. `load` must not reject. */
async function* inOrder<T, R>(items: readonly T[], parallel: number, load: (item: T) => Promise<R>): AsyncGenerator<R> {
  const pending: Promise<R>[] = [];
  let next = 0;
  const fill = (): void => {
    while (next < items.length && pending.length < Math.max(1, parallel)) pending.push(load(items[next++] as T));
  };
  fill();
  while (pending.length > 0) {
    const value = await (pending.shift() as Promise<R>);
    fill();
    yield value;
  }
}
