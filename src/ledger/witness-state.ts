/**
 * A witness's memory: for each log origin, the latest checkpoint it cosigned.
 * This is what makes a witness worth having — it must never cosign a tree that
 * does not extend the one it cosigned before — so the state is
 *
 *  - persisted before a cosignature leaves the witness (tlog-witness requires it),
 *    atomically (temp file + fsync + rename), so a crash cannot leave it torn;
 *  - changed under a per-origin lock, so two requests for one log can never both
 *    advance from the same state (the spec's "rolling back K leaves" race);
 *  - refused at start if unreadable: silently starting empty would let a log
 *    roll back the tree the witness vouched for.
 *
 * One file holds every origin, so writes are serialized globally as well and
 * each write takes its snapshot only once the previous one is committed.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-file.js';
import { decodeBase64, encodeBase64, isUint } from './encoding.js';
import { HASH_SIZE } from './hash.js';

export interface CosignedCheckpoint {
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** The checkpoint's note text (without signatures), kept as evidence. */
  readonly checkpoint: string;
  /** When it was cosigned, seconds since the epoch. */
  readonly cosignedAt: number;
}

export interface WitnessStateStore {
  /** Where the state lives; undefined for a memory-only store (tests). */
  readonly path: string | undefined;
  get(origin: string): CosignedCheckpoint | undefined;
  /**
   * Runs `step` with exclusive access to `origin`'s state. If it returns `next`,
   * that state is persisted before the returned promise resolves; if persisting
   * fails, the state stays as it was and the promise rejects.
   */
  withOrigin<T>(
    origin: string,
    step: (current: CosignedCheckpoint | undefined) => Promise<StateStep<T>> | StateStep<T>,
  ): Promise<T>;
}

export interface StateStep<T> {
  readonly next?: CosignedCheckpoint;
  readonly result: T;
}

const FORMAT_VERSION = 1;

interface StoredState {
  version: number;
  logs: Record<string, { size: number; rootHash: string; checkpoint: string; cosignedAt: number }>;
}

export class WitnessStateError extends Error {
  override name = 'WitnessStateError';
}

/** Opens (or starts) the state file; without a path the state lives in memory only. */
export async function openWitnessState(path?: string): Promise<WitnessStateStore> {
  const committed = path === undefined ? new Map<string, CosignedCheckpoint>() : await load(path);
  const queue = keyedQueue();
  // A key no origin can have (origins are note text lines, free of control characters).
  const FILE = '\u0000file';

  const persist = (origin: string, next: CosignedCheckpoint): Promise<void> =>
    queue(FILE, async () => {
      if (path !== undefined) {
        const snapshot = new Map(committed);
        snapshot.set(origin, next);
        await writeFileAtomic(path, serialize(snapshot));
      }
      committed.set(origin, next);
    });

  return {
    path,
    get: (origin) => committed.get(origin),
    withOrigin: (origin, step) =>
      queue(origin, async () => {
        const { next, result } = await step(committed.get(origin));
        if (next !== undefined) await persist(origin, next);
        return result;
      }),
  };
}

/**
 * Runs tasks one after another per key (tasks of different keys interleave).
 * A failed task does not block the ones queued after it.
 */
function keyedQueue(): <T>(key: string, task: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<void>>();
  return <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}

function serialize(state: ReadonlyMap<string, CosignedCheckpoint>): string {
  const stored: StoredState = { version: FORMAT_VERSION, logs: {} };
  for (const [origin, cp] of [...state].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    stored.logs[origin] = { size: cp.size, rootHash: encodeBase64(cp.rootHash), checkpoint: cp.checkpoint, cosignedAt: cp.cosignedAt };
  }
  return `${JSON.stringify(stored, null, 2)}\n`;
}

async function load(path: string): Promise<Map<string, CosignedCheckpoint>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  const bad = (why: string): WitnessStateError =>
    new WitnessStateError(`witness state ${path} is unusable (${why}); refusing to start rather than forget what was cosigned`);
  let stored: StoredState;
  try {
    stored = JSON.parse(text) as StoredState;
  } catch {
    throw bad('not JSON');
  }
  if (stored === null || typeof stored !== 'object' || stored.version !== FORMAT_VERSION || typeof stored.logs !== 'object' || stored.logs === null) {
    throw bad(`not a version ${FORMAT_VERSION} witness state`);
  }
  const out = new Map<string, CosignedCheckpoint>();
  for (const [origin, entry] of Object.entries(stored.logs)) {
    let rootHash: Uint8Array;
    try {
      rootHash = decodeBase64(entry.rootHash);
    } catch {
      throw bad(`root hash of ${origin}`);
    }
    if (!isUint(entry.size) || rootHash.length !== HASH_SIZE || typeof entry.checkpoint !== 'string' || !isUint(entry.cosignedAt)) {
      throw bad(`entry for ${origin}`);
    }
    out.set(origin, { size: entry.size, rootHash, checkpoint: entry.checkpoint, cosignedAt: entry.cosignedAt });
  }
  return out;
}
