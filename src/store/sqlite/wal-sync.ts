import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/**
 * Makes a WAL file's committed frames durable without stopping the event loop.
 *
 * With `synchronous = FULL` SQLite fsyncs the WAL inside COMMIT: with
 * better-sqlite3 that is a synchronous call, so the process can do nothing
 * else for the fsync's milliseconds, and it holds the file's write lock all
 * along, so the other processes on the file wait too. Instead the store
 * commits with `synchronous = NORMAL` (the frames are written, the lock is
 * released at once) and then waits for this: an `fdatasync` of the WAL on
 * libuv's thread pool, which covers every frame written before it started —
 * the same durability as FULL by the time the caller hears of its commit.
 * Commits that arrive while a sync runs share the next one.
 *
 * The WAL keeps its inode while a connection is open (SQLite resets or
 * truncates it in place, and deletes it only when the last connection closes,
 * after a checkpoint that synced it), so one handle serves the store's life.
 */
export interface WalSync {
  /** resolves once everything committed before the call is on disk */
  durable(): Promise<void>;
  close(): Promise<void>;
}

/** The one call of a file handle the sync needs (a parameter so a test can watch the syncs). */
type Opener = (path: string, flags: string) => Promise<Pick<FileHandle, 'datasync' | 'close'>>;

export function walSync(walPath: string, openFile: Opener = open): WalSync {
  let handle: ReturnType<Opener> | undefined;
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;

  async function syncOnce(): Promise<void> {
    const file = await (handle ??= openFile(walPath, 'r+').catch((error: unknown) => {
      handle = undefined;
      throw error;
    }));
    await file.datasync();
  }

  function durable(): Promise<void> {
    if (!running) {
      running = syncOnce().finally(() => (running = undefined));
      return running;
    }
    // The sync under way may have started before this caller's frames were written: the one after it covers them.
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return durable();
      });
    return next;
  }

  return {
    durable,
    async close() {
      await Promise.allSettled([running, next]);
      const opened = handle;
      handle = undefined;
      if (opened) await (await opened).close();
    },
  };
}
