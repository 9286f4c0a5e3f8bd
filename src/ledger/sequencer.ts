import type { Kysely } from 'kysely';
import { LockLost } from '../store/index.js';
import type { LockLease, StoreDialect } from '../store/index.js';
import { appendEntries, appendReads } from './append.js';
import { formatCheckpoint } from './checkpoint.js';
import type { NoteSigner } from './note.js';
import { signNote } from './note.js';
import { loadBundles, loadTiles, missing, saveBundle, saveTile } from './tile-store.js';
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
}

/** The lock the sequencer holds; its row in `store_locks` names the node that integrates. */
export const SEQUENCER_LOCK = 'ledger-sequencer';

/**
 * Moves queued leaves into the tree and signs a checkpoint, all in one
 * transaction under a lease no other node can hold at the same time (a lease
 * row, so it works through PgBouncer in transaction mode). The node that has it
 * keeps it while it lives; another takes over once its lease lapses. The
 * transaction first fences: it checks that the lease is still this node's and
 * row-locks it, so a node that paused past its lease writes nothing, and the
 * log grows from one state to the next and never signs two inconsistent
 * checkpoints; a crash leaves the queue as it was and the next holder picks it up.
 */
export async function integrateOnce(deps: SequencerDeps): Promise<Integrated | undefined> {
  try {
    return await deps.dialect.tryWithLock(SEQUENCER_LOCK, (lease) => integrateUnder(deps, lease), { keep: true });
  } catch (error) {
    // Another node took over between our lease and our transaction: it integrates, we wrote nothing.
    if (error instanceof LockLost) return undefined;
    throw error;
  }
}

function integrateUnder(deps: SequencerDeps, lease: LockLease): Promise<Integrated> {
  return deps.db.transaction().execute(async (trx) => {
    await lease.fence(trx);
    const latest = await trx.selectFrom('ledger_checkpoints').select('size').orderBy('size', 'desc').limit(1).executeTakeFirst();
    const oldSize = latest?.size ?? 0;
    const pending = await trx
      .selectFrom('ledger_records')
      .select(['id', 'entry'])
      .where('leaf_index', 'is', null)
      .orderBy('id')
      .limit(deps.batchSize ?? 4096)
      .execute();
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
    for (const { tile, data } of result.tiles) await saveTile(trx, tile, data);
    for (const { bundle, data } of result.bundles) await saveBundle(trx, bundle, data);
    for (let i = 0; i < pending.length; i++) {
      await trx.updateTable('ledger_records').set({ leaf_index: oldSize + i }).where('id', '=', (pending[i] as { id: number }).id).execute();
    }
    const note = signNote(formatCheckpoint({ origin: deps.origin, size: newSize, rootHash: result.rootHash, extensions: [] }), [deps.signer]);
    await trx.insertInto('ledger_checkpoints').values({ size: newSize, root: Buffer.from(result.rootHash), note, at: deps.now() }).execute();
    return { size: newSize, added: pending.length };
  });
}

function throwMissing(what: string): never {
  throw missing(what);
}
