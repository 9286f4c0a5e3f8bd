import type { Kysely } from 'kysely';
import { randomDraws, standaloneJobs } from '../core/index.js';
import type { Jobs, PeriodicJob } from '../core/index.js';
import { canonicalJson, commitmentOfJson, encodeLeaf } from './canonical.js';
import type { LeafKind } from './canonical.js';
import { consistencyProof, consistencyProofNodes, inclusionProof, inclusionProofNodes } from './merkle.js';
import { noteSignerFromSeed } from './note.js';
import { formatTlogProof } from './proof.js';
import { integrateQueued } from './sequencer.js';
import type { Integrated } from './sequencer.js';
import { loadTiles } from './tile-store.js';
import { tileHashSource, tilesForNodes } from './tiles.js';
import type { TileId } from './tiles.js';
import type { LedgerTables } from './tables.js';
import { afterCommit, reusable, tablesOf } from '../store/index.js';
import type { Connection, StoreDialect } from '../store/index.js';

/** A leaf's 32-byte salt. */
const salts = { next: randomDraws(32) };

/** One queued leaf, built once per database: on the hot path Kysely's building cost more than SQLite's insert. */
const insertRecord = reusable((db: Kysely<LedgerTables>, value) =>
  db.insertInto('ledger_records').values({ kind: value(0), ref: value(1), entry: value(2), salt: value(3), record: value(4), queued_at: value(5) }),
);

/** How long a receipt waits for its leaf to be integrated by whichever node sequences. */
const RECEIPT_WAIT_MS = 2000;
/**
 * How long a commit's wake-up waits for the commits that follow it: under load every pass is a
 * transaction, a signature and a round of witnesses, so fewer passes leave more of the node to
 * the calls; 25 ms keeps append → checkpoint under the 50 ms aim at the median.
 */
const WAKE_DELAY_MS = 25;
/** Leaves per INSERT: 6 columns each stays well under either database's parameter limit. */
const APPEND_CHUNK = 1000;

export interface LedgerDeps {
  db: Kysely<LedgerTables>;
  dialect: StoreDialect;
  /** the public host, e.g. `rabta.gov.pk`; the origin is `{host}/ledger` */
  host: string;
  logSeed: Uint8Array;
  now: () => number;
  /**
   * How often the sequencer looks for queued leaves it was not woken for:
   * those appended by other processes or nodes, or when this node has just
   * taken the lease over. Appends committed in this process wake it at once.
   */
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
    const salt = input.clear ? null : salts.next();
    const record = canonicalJson(input.record);
    const entry = salt ? encodeLeaf({ kind: input.kind, time: input.at, commitment: commitmentOfJson(salt, record) }) : encodeLeaf({ kind: input.kind, time: input.at, clear: input.record });
    await insertRecord(tablesOf<LedgerTables>(db), [input.kind, input.ref, Buffer.from(entry), salt, salt ? record : null, input.at]);
    await afterCommit(db, wake);
  }

  /**
   * Many leaves in the caller's transaction, in multi-row INSERTs: a batch
   * publication's thousands of leaves cost a few statements, not one each.
   * Queued in the order given, so the sequencer integrates them in that order.
   */
  async function appendAll(db: Connection, inputs: readonly AppendInput[]): Promise<void> {
    const rows = inputs.map((input) => {
      const salt = input.clear ? null : salts.next();
      const record = canonicalJson(input.record);
      const entry = salt ? encodeLeaf({ kind: input.kind, time: input.at, commitment: commitmentOfJson(salt, record) }) : encodeLeaf({ kind: input.kind, time: input.at, clear: input.record });
      return { kind: input.kind, ref: input.ref, entry: Buffer.from(entry), salt, record: salt ? record : null, queued_at: input.at };
    });
    const tables = tablesOf<LedgerTables>(db);
    for (let i = 0; i < rows.length; i += APPEND_CHUNK) await tables.insertInto('ledger_records').values(rows.slice(i, i + APPEND_CHUNK)).execute();
    if (rows.length > 0) await afterCommit(db, wake);
  }

  let draining: Promise<Integrated | undefined> | undefined;
  let again = false;
  /** false once a look found another node holding the lease: wake-ups then wait for the poll, which takes over when it lapses */
  let holding = true;

  /**
   * Integrates everything queued, in a pass that starts after this call: a
   * call during a pass makes one more pass follow it, shared by every call
   * made meanwhile, so a burst of wake-ups is one batch and no commit is
   * missed. Returns the last result (undefined when another node holds the lease).
   */
  function integrate(): Promise<Integrated | undefined> {
    again = true;
    draining ??= (async () => {
      try {
        let last: Integrated | undefined;
        while (again) {
          again = false;
          const result = await integrateQueued({ db: deps.db, dialect: deps.dialect, origin, signer, now: deps.now }, (batch) => {
            if (batch.note !== undefined) checkpointListener?.({ size: batch.size, note: batch.note });
          });
          holding = result !== undefined;
          if (result && (result.added > 0 || !last)) last = result;
        }
        return last;
      } finally {
        draining = undefined;
      }
    })();
    return draining;
  }

  let waking: NodeJS.Timeout | undefined;
  /**
   * After a commit that queued leaves: integrate soon rather than at the next
   * poll. Soon, not at once: the commits of the next few milliseconds join the
   * same pass, so a stream of single appends makes one checkpoint (one
   * signature, one fsync, one round of witnesses) per WAKE_DELAY_MS, not one each.
   */
  function wake(): void {
    if (!sequencer || !holding || waking) return;
    waking = setTimeout(() => {
      waking = undefined;
      if (sequencer) integrate().catch((error: unknown) => (deps.jobs ?? standaloneJobs).failed('ledger-sequencer', error));
    }, WAKE_DELAY_MS);
    waking.unref();
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
    /**
     * Runs the sequencer in the background: woken by this process's commits
     * that queued leaves, and polling every `intervalMs` for the rest; a look
     * that finds another node holding the lock does nothing.
     */
    start() {
      sequencer ??= (deps.jobs ?? standaloneJobs).every('ledger-sequencer', deps.intervalMs ?? 200, integrate);
    },
    async stop() {
      const job = sequencer;
      // First: no wake-up starts a pass once stopping has begun.
      sequencer = undefined;
      clearTimeout(waking);
      waking = undefined;
      await job?.stop();
      await draining?.catch(() => undefined);
    },
  };
}

export type Ledger = ReturnType<typeof createLedger>;
