import type { Kysely } from 'kysely';

import type { BundleId, TileId } from './tiles.js';
import type { LedgerTables } from './tables.js';

/**
 * Reads and writes tiles and entry bundles. A stored tile may be wider than
 * the one asked for (it kept growing); callers use the prefix, as C2SP allows.
 */
export async function loadTiles(db: Kysely<LedgerTables>, tiles: readonly TileId[]): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  for (const tile of tiles) {
    const row = await db.selectFrom('ledger_tiles').select('data').where('level', '=', tile.level).where('idx', '=', tile.index).executeTakeFirst();
    if (row) found.set(`${tile.level}/${tile.index}`, row.data);
  }
  return found;
}

export async function loadBundles(db: Kysely<LedgerTables>, bundles: readonly BundleId[]): Promise<Map<number, Buffer>> {
  const found = new Map<number, Buffer>();
  for (const bundle of bundles) {
    const row = await db.selectFrom('ledger_bundles').select('data').where('idx', '=', bundle.index).executeTakeFirst();
    if (row) found.set(bundle.index, row.data);
  }
  return found;
}

export async function saveTile(db: Kysely<LedgerTables>, tile: TileId, data: Uint8Array): Promise<void> {
  const bytes = Buffer.from(data);
  await db
    .insertInto('ledger_tiles')
    .values({ level: tile.level, idx: tile.index, data: bytes })
    .onConflict((oc) => oc.columns(['level', 'idx']).doUpdateSet({ data: bytes }))
    .execute();
}

export async function saveBundle(db: Kysely<LedgerTables>, bundle: BundleId, data: Uint8Array): Promise<void> {
  const bytes = Buffer.from(data);
  await db
    .insertInto('ledger_bundles')
    .values({ idx: bundle.index, data: bytes })
    .onConflict((oc) => oc.column('idx').doUpdateSet({ data: bytes }))
    .execute();
}

export function missing(what: string): Error {
  return new Error(`the ledger's storage lacks ${what}; it was altered or lost`);
}
