import type { Kysely } from 'kysely';

import type { BundleId, TileId } from './tiles.js';
import type { LedgerTables } from './tables.js';

/**
 * Reads and writes tiles and entry bundles, each set in one statement: a
 * sequencer batch or a proof needs a handful of them, and a round trip each
 * would cost more than the rest of the work. A stored tile may be wider than
 * the one asked for (it kept growing); callers use the prefix, as C2SP allows.
 */
export async function loadTiles(db: Kysely<LedgerTables>, tiles: readonly TileId[]): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  if (tiles.length === 0) return found;
  const rows = await db
    .selectFrom('ledger_tiles')
    .select(['level', 'idx', 'data'])
    .where((eb) => eb.or(tiles.map((tile) => eb.and([eb('level', '=', tile.level), eb('idx', '=', tile.index)]))))
    .execute();
  for (const row of rows) found.set(`${row.level}/${row.idx}`, row.data);
  return found;
}

export async function loadBundles(db: Kysely<LedgerTables>, bundles: readonly BundleId[]): Promise<Map<number, Buffer>> {
  const found = new Map<number, Buffer>();
  if (bundles.length === 0) return found;
  const rows = await db
    .selectFrom('ledger_bundles')
    .select(['idx', 'data'])
    .where('idx', 'in', bundles.map((b) => b.index))
    .execute();
  for (const row of rows) found.set(row.idx, row.data);
  return found;
}

export async function saveTiles(db: Kysely<LedgerTables>, tiles: readonly { tile: TileId; data: Uint8Array }[]): Promise<void> {
  if (tiles.length === 0) return;
  await db
    .insertInto('ledger_tiles')
    .values(tiles.map(({ tile, data }) => ({ level: tile.level, idx: tile.index, data: Buffer.from(data) })))
    .onConflict((oc) => oc.columns(['level', 'idx']).doUpdateSet({ data: (eb) => eb.ref('excluded.data') }))
    .execute();
}

export function saveTile(db: Kysely<LedgerTables>, tile: TileId, data: Uint8Array): Promise<void> {
  return saveTiles(db, [{ tile, data }]);
}

export async function saveBundles(db: Kysely<LedgerTables>, bundles: readonly { bundle: BundleId; data: Uint8Array }[]): Promise<void> {
  if (bundles.length === 0) return;
  await db
    .insertInto('ledger_bundles')
    .values(bundles.map(({ bundle, data }) => ({ idx: bundle.index, data: Buffer.from(data) })))
    .onConflict((oc) => oc.column('idx').doUpdateSet({ data: (eb) => eb.ref('excluded.data') }))
    .execute();
}

export function missing(what: string): Error {
  return new Error(`the ledger's storage lacks ${what}; it was altered or lost`);
}
