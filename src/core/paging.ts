import { RabtaError } from './problems.js';

/** Newest-first pages with an opaque keyset cursor (time, then id), stable while rows are added. */
export interface Page<T> {
  items: T[];
  /** pass as `cursor` for the next (older) page; null on the last page */
  next: string | null;
}

export function encodeCursor(position: { at: number; id: string }): string {
  return Buffer.from(JSON.stringify([position.at, position.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { at: number; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof at === 'number' && Number.isSafeInteger(at) && typeof id === 'string' && id.length <= 100) return { at, id };
  } catch {
    // falls through to the problem below
  }
  throw new RabtaError('bad-request', 'cursor is not one this API returned');
}
