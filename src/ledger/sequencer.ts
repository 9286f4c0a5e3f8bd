import type { Kysely } from 'kysely';
import type { Database, StoreDialect } from '../store/index.js';
import { appendEntries, appendReads } from './append.js';
import { formatCheckpoint } from './checkpoint.js';
import type { NoteSigner } from './note.js';
import { signNote } from './note.js';
import { loadBundles, loadTiles, missing, saveBundle, saveTile } from './tile-store.js';

export interface SequencerDeps {
  db: Kysely<Database>;
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

/**
 * Moves queued leaves into the tree and signs a checkpoint, all in one
 * transaction under a lock no other node can hold at the same time (advisory
 * lock on PostgreSQL, a lease in the file on SQLite). So the log grows from
 * one state to the next and never signs two inconsistent checkpoints; a crash
 * leaves the queue as it was and the next run picks it up.
 */
export async function integrateOnce(deps: SequencerDeps): Promise<Integrated | undefined> {
  return deps.dialect.tryWithLock('ledger-sequencer', () =>
    deps.db.transaction().execute(async (trx) => {
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
    }),
  );
}

function throwMissing(what: string): never {
  throw missing(what);
}
