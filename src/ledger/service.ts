import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { standaloneJobs } from '../core/index.js';
import type { Jobs, PeriodicJob } from '../core/index.js';
import { commitment, canonicalJson, encodeLeaf } from './canonical.js';
import type { LeafKind } from './canonical.js';
import { consistencyProof, consistencyProofNodes, inclusionProof, inclusionProofNodes } from './merkle.js';
import { noteSignerFromSeed } from './note.js';
import { formatTlogProof } from './proof.js';
import { integrateOnce } from './sequencer.js';
import type { Integrated } from './sequencer.js';
import { loadTiles } from './tile-store.js';
import { tileHashSource, tilesForNodes } from './tiles.js';
import type { TileId } from './tiles.js';
import type { LedgerTables } from './tables.js';
import { tablesOf } from '../store/index.js';
import type { Connection, StoreDialect } from '../store/index.js';

/** How long a receipt waits for its leaf to be integrated by whichever node sequences. */
const RECEIPT_WAIT_MS = 2000;
/** Leaves per INSERT: 7 columns each stays well under either database's parameter limit. */
const APPEND_CHUNK = 1000;

export interface LedgerDeps {
  db: Kysely<LedgerTables>;
  dialect: StoreDialect;
  /** the public host, e.g. `rabta.gov.pk`; the origin is `{host}/ledger` */
  host: string;
  logSeed: Uint8Array;
  now: () => number;
  /** how often the sequencer looks for queued leaves */
  intervalMs?: number;
  /** runs the sequencer and reports its failures (the platform's jobs) */
  jobs?: Jobs;
  onCheckpoint?: (checkpoint: { size: number; note: string }) => void;
}

export interface AppendInput {
  kind: LeafKind;
  /** the id of the record in its module (exchange id, change seq, …) */
  ref: string;
  at: number;
  record: unknown;
  /** registry changes hold no personal data and go in clear; everything else as a salted commitment */
  clear?: boolean;
}

export interface Receipt {
  record: unknown;
  salt: string | null;
  entry: string;
  index: number;
  proof: string;
}

/**
 * The transparency log as the rest of Rabta sees it: append inside your own
 * transaction, read checkpoints, tiles and proofs, hand out receipts.
 */
export function createLedger(deps: LedgerDeps) {
  const origin = `${deps.host}/ledger`;
  const signer = noteSignerFromSeed(origin, deps.logSeed);
  let sequencer: PeriodicJob | undefined;
  let checkpointListener = deps.onCheckpoint;

  /** `db` is the caller's transaction, opened on whichever module's tables */
  async function append(db: Connection, input: AppendInput): Promise<void> {
    await appendAll(db, [input]);
  }

  /**
   * Many leaves in the caller's transaction, in multi-row INSERTs: a batch
   * publication's thousands of leaves cost a few statements, not one each.
   * Queued in the order given, so the sequencer integrates them in that order.
   */
  async function appendAll(db: Connection, inputs: readonly AppendInput[]): Promise<void> {
    // One draw of randomness for the lot: a call per leaf was a visible share of a batch's CPU.
    const salts = randomBytes(32 * inputs.length);
    const rows = inputs.map((input, i) => {
      const salt = input.clear ? null : salts.subarray(32 * i, 32 * (i + 1));
      const entry = salt ? encodeLeaf({ kind: input.kind, time: input.at, commitment: commitment(salt, input.record) }) : encodeLeaf({ kind: input.kind, time: input.at, clear: input.record });
      return { kind: input.kind, ref: input.ref, entry: Buffer.from(entry), salt, record: salt ? canonicalJson(input.record) : null, leaf_index: null, queued_at: input.at };
    });
    const table = tablesOf<LedgerTables>(db);
    for (let i = 0; i < rows.length; i += APPEND_CHUNK) await table.insertInto('ledger_records').values(rows.slice(i, i + APPEND_CHUNK)).execute();
  }

  /** Integrates everything queued; returns the last result. */
  async function integrate(): Promise<Integrated | undefined> {
    let last: Integrated | undefined;
    for (;;) {
      const result = await integrateOnce({ db: deps.db, dialect: deps.dialect, origin, signer, now: deps.now });
      if (!result || result.added === 0) return last ?? result;
      last = result;
      const checkpoint = await latestCheckpoint();
      if (checkpoint) checkpointListener?.(checkpoint);
    }
  }

  async function latestCheckpoint(): Promise<{ size: number; note: string } | undefined> {
    return deps.db.selectFrom('ledger_checkpoints').select(['size', 'note']).orderBy('size', 'desc').limit(1).executeTakeFirst();
  }

  /** The latest checkpoint with every cosignature the witnesses returned for it. */
  async function signedCheckpoint(): Promise<string | undefined> {
    const latest = await latestCheckpoint();
    if (!latest) return undefined;
    const lines = await deps.db.selectFrom('ledger_cosignatures').select('line').where('size', '=', latest.size).orderBy('witness').execute();
    return latest.note + lines.map((l) => `${l.line}\n`).join('');
  }

  async function sourceFor(nodes: ReturnType<typeof inclusionProofNodes>, size: number) {
    const tiles = await loadTiles(deps.db, tilesForNodes(nodes, size));
    return tileHashSource(size, (t: TileId) => {
      const data = tiles.get(`${t.level}/${t.index}`);
      if (!data) throw new Error(`tile ${t.level}/${t.index} is missing`);
      return data;
    });
  }

  async function proveInclusion(index: number, size: number): Promise<Uint8Array[]> {
    // The nodes say which tiles to load; the proof combines them into its hashes.
    return inclusionProof(index, size, await sourceFor(inclusionProofNodes(index, size), size));
  }

  async function proveConsistency(from: number, to: number): Promise<Uint8Array[]> {
    return consistencyProof(from, to, await sourceFor(consistencyProofNodes(from, to), to));
  }

  /** A record, its salt and a C2SP tlog-proof of its inclusion in the latest checkpoint. */
  async function receipt(kind: LeafKind, ref: string): Promise<Receipt | undefined> {
    const row = await deps.db.selectFrom('ledger_records').selectAll().where('kind', '=', kind).where('ref', '=', ref).executeTakeFirst();
    if (!row) return undefined;
    let indexed = { leaf_index: row.leaf_index };
    // On a node that is not the sequencer, integrate() does nothing: wait a little for the one that is.
    for (const deadline = Date.now() + RECEIPT_WAIT_MS; indexed.leaf_index === null && Date.now() < deadline; ) {
      if (!(await integrate())) await new Promise((resolve) => setTimeout(resolve, 50));
      indexed = await deps.db.selectFrom('ledger_records').select('leaf_index').where('id', '=', row.id).executeTakeFirstOrThrow();
    }
    const checkpoint = await signedCheckpoint();
    const latest = await latestCheckpoint();
    if (indexed.leaf_index === null || !checkpoint || !latest) return undefined;
    const hashes = await proveInclusion(indexed.leaf_index, latest.size);
    return {
      record: row.record === null ? null : (JSON.parse(row.record) as unknown),
      salt: row.salt ? row.salt.toString('base64') : null,
      entry: row.entry.toString('base64'),
      index: indexed.leaf_index,
      proof: formatTlogProof({ index: indexed.leaf_index, hashes, checkpoint }),
    };
  }

  async function readTile(tile: TileId): Promise<Buffer | undefined> {
    const tiles = await loadTiles(deps.db, [tile]);
    const data = tiles.get(`${tile.level}/${tile.index}`);
    if (!data || data.length < tile.width * 32) return undefined;
    return data.subarray(0, tile.width * 32);
  }

  async function readBundle(index: number): Promise<Buffer | undefined> {
    const row = await deps.db.selectFrom('ledger_bundles').select('data').where('idx', '=', index).executeTakeFirst();
    return row?.data;
  }

  return {
    origin,
    vkey: signer.verifier.vkey,
    append,
    appendAll,
    integrate,
    latestCheckpoint,
    signedCheckpoint,
    inclusionProof: proveInclusion,
    consistencyProof: proveConsistency,
    receipt,
    readTile,
    readBundle,
    /** Who hears of each new checkpoint (the witnesses' pusher); set once the platform is built. */
    onCheckpoint(listener: (checkpoint: { size: number; note: string }) => void) {
      checkpointListener = listener;
    },
    /** Runs the sequencer in the background; a tick that finds another node holding the lock does nothing. */
    start() {
      sequencer ??= (deps.jobs ?? standaloneJobs).every('ledger-sequencer', deps.intervalMs ?? 200, integrate);
    },
    async stop() {
      await sequencer?.stop();
      sequencer = undefined;
    },
  };
}

export type Ledger = ReturnType<typeof createLedger>;
