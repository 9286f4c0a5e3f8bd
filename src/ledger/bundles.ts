/**
 * tlog-tiles entry bundles: up to 256 entries, each as a big-endian uint16 length
 * followed by its bytes. Entry i of bundle N is log entry N·256 + i, and its leaf
 * hash is hash i of level-0 tile N.
 */
import { LedgerFormatError } from './errors.js';
import { TILE_WIDTH } from './tiles.js';

/** The largest entry a bundle can carry (and so the largest Rabta ledger entry). */
export const MAX_ENTRY_SIZE = 0xffff;

export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  if (entries.length > TILE_WIDTH) throw new RangeError(`a bundle holds at most ${TILE_WIDTH} entries`);
  let length = 0;
  for (const e of entries) {
    if (e.length > MAX_ENTRY_SIZE) throw new RangeError(`an entry is at most ${MAX_ENTRY_SIZE} bytes`);
    length += 2 + e.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const e of entries) {
    out[offset] = e.length >>> 8;
    out[offset + 1] = e.length & 0xff;
    out.set(e, offset + 2);
    offset += 2 + e.length;
  }
  return out;
}

/**
 * Splits a bundle into its entries (views into `data`). With `width`, the
 * bundle must hold exactly that many entries, as the path it came from says.
 */
export function parseEntryBundle(data: Uint8Array, width?: number): Uint8Array[] {
  const entries: Uint8Array[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (entries.length === TILE_WIDTH) throw new LedgerFormatError('entry-bundle', `more than ${TILE_WIDTH} entries`);
    if (offset + 2 > data.length) throw new LedgerFormatError('entry-bundle', 'truncated length prefix');
    const length = ((data[offset] as number) << 8) | (data[offset + 1] as number);
    const start = offset + 2;
    if (start + length > data.length) throw new LedgerFormatError('entry-bundle', 'truncated entry');
    entries.push(data.subarray(start, start + length));
    offset = start + length;
  }
  if (width !== undefined && entries.length !== width) {
    throw new LedgerFormatError('entry-bundle', `expected ${width} entries, found ${entries.length}`);
  }
  return entries;
}
