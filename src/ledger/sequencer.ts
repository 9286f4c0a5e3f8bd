import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { LockLost } from '../store/index.js';
import type { LockLease, StoreDialect } from '../store/index.js';
import { appendEntries, appendReads } from './append.js';
import { formatCheckpoint } from './checkpoint.js';
import type { NoteSigner } from './note.js';
import { signNote } from './note.js';
import { loadBundles, loadTiles, missing, saveBundles, saveTiles } from './tile-store.js';
import type { LedgerTables } from './tables.js';

export interface SequencerDeps {
  db: Kysely<LedgerTables>;
  dialect: StoreDialect;
  origin: string;
  signer: NoteSigner;
  now: () => number;
  batchSize?: number;
}

export interface Integrated {
  size: number;
  added: number;
  /** the checkpoint signed for `size`; absent when nothing was added */
  note?: string;
}

/** The lock the sequencer holds; its row in `store_locks` names the node that integrates. */
export const SEQUENCER_LOCK = 'ledger-sequencer';

/** Leaves integrated in one transaction, under one checkpoint. */
const BATCH_SIZE = 4096;

/**
 * Moves queued leaves into the tree and signs a checkpoint, batch by batch
 * until the queue is empty, each batch one transaction under a lease no other
 * node can hold at the same time (a lease row, so it works through PgBouncer
 * in transaction mode). The node that has it keeps it while it lives; another
 * takes over once its lease lapses. Each transaction first fences: it checks
 * that the lease is still this node's and row-locks it, so a node that paused
 * past its lease writes nothing, and the log grows from one state to the next
 * and never signs two inconsistent checkpoints; a crash leaves the queue as it
 * was and the next holder picks it up. `onBatch` hears of each checkpoint once
 * its transaction has committed. Returns the last batch that added leaves (or
 * the empty look, or undefined when another node holds the lease).
 */
export async function integrateQueued(deps: SequencerDeps, onBatch: (integrated: Integrated) => void): Promise<Integrated | undefined> {
  const batchSize = deps.batchSize ?? BATCH_SIZE;
  let last: Integrated | undefined;
  try {
    return await deps.dialect.tryWithLock(
      SEQUENCER_LOCK,
      async (lease) => {
        for (;;) {
          const result = await integrateUnder(deps, lease, batchSize);
          if (result.added === 0) return last ?? result;
          last = result;
          onBatch(result);
          // A short batch emptied the queue as this transaction saw it; leaves committed since wake the sequencer again.
          if (result.added < batchSize) return result;
        }
      },
      { keep: true },
    );
  } catch (error) {
    // Another node took over between our lease and our transaction: it integrates, we wrote nothing more.
    if (error instanceof LockLost) return last;
    throw error;
  }
}

function integrateUnder(deps: SequencerDeps, lease: LockLease, batchSize: number): Promise<Integrated> {
  // Durable before anyone reads it: a checkpoint lost after it was served could be signed again over other leaves.
  return deps.dialect.durableTransaction(deps.db, async (trx) => {
    await lease.fence(trx);
    const latest = await trx.selectFrom('ledger_checkpoints').select('size').orderBy('size', 'desc').limit(1).executeTakeFirst();
    const oldSize = latest?.size ?? 0;
    const pending = await trx.selectFrom('ledger_records').select(['id', 'entry']).where('leaf_index', 'is', null).orderBy('id').limit(batchSize).execute();
    if (pending.length === 0) return { size: oldSize, added: 0 };
    const newSize = oldSize + pending.length;
    const reads = appendReads(oldSize, newSize);
    const tiles = await loadTiles(trx, reads.tiles);
    const bundles = await loadBundles(trx, reads.bundles);
    const result = appendEntries(
      oldSize,
      pending.map((p) => p.entry),
      {
        tile: (t) => tiles.get(`${t.level}/${t.index}`) ?? throwMissing(`tile ${t.level}/${t.index}`),
        bundle: (b) => bundles.get(b.index) ?? throwMissing(`entry bundle ${b.index}`),
      },
    );
    await saveTiles(trx, result.tiles);
    await saveBundles(trx, result.bundles);
    await assignIndexes(trx, pending, oldSize);
    const note = signNote(formatCheckpoint({ origin: deps.origin, size: newSize, rootHash: result.rootHash, extensions: [] }), [deps.signer]);
    await trx.insertInto('ledger_checkpoints').values({ size: newSize, root: Buffer.from(result.rootHash), note, at: deps.now() }).execute();
    return { size: newSize, added: pending.length, note };
  });
}

/**
 * Gives the pending rows (in id order) the leaf indexes from `oldSize` on.
 * Their ids are mostly consecutive (one writer at a time on SQLite, a
 * sequence on PostgreSQL), so each run of consecutive ids is one UPDATE
 * (`leaf_index = id + offset`) instead of one per leaf; a run's count is
 * checked, so a row changed under us rolls the whole batch back.
 */
async function assignIndexes(trx: Kysely<LedgerTables>, pending: readonly { id: number }[], oldSize: number): Promise<void> {
  let start = 0;
  while (start < pending.length) {
    let end = start + 1;
    while (end < pending.length && (pending[end] as { id: number }).id === (pending[end - 1] as { id: number }).id + 1) end++;
    const first = (pending[start] as { id: number }).id;
    const last = (pending[end - 1] as { id: number }).id;
    const updated = await trx
      .updateTable('ledger_records')
      .set({ leaf_index: sql<number>`id + ${oldSize + start - first}` })
      .where('id', '>=', first)
      .where('id', '<=', last)
      .where('leaf_index', 'is', null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== end - start) throw new Error(`the ledger's queue changed during integration: ${updated.numUpdatedRows} of ${end - start} rows took their leaf index`);
    start = end;
  }
}

function throwMissing(what: string): never {
  throw missing(what);
}
