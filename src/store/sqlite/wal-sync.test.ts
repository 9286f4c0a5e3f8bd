import { describe, expect, it } from 'vitest';
import { walSync } from './wal-sync.js';

/** A file handle whose datasyncs finish when the test says so. */
function watchedFile() {
  const syncs: Array<() => void> = [];
  let opened = 0;
  const open = async () => {
    opened++;
    return {
      datasync: () => new Promise<void>((resolve) => syncs.push(resolve)),
      close: async () => undefined,
    };
  };
  return { open, syncs, opened: () => opened };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('walSync', () => {
  it('answers a caller only after a sync that started after its call, and shares one sync among the callers that wait', async () => {
    const file = watchedFile();
    const sync = walSync('/nowhere-wal', file.open);
    const done: string[] = [];
    const first = sync.durable().then(() => done.push('first'));
    await settle();
    expect(file.syncs).toHaveLength(1);
    // Committed while the first sync runs: its frames may not be covered by it.
    const second = sync.durable().then(() => done.push('second'));
    const third = sync.durable().then(() => done.push('third'));
    file.syncs[0]?.();
    await first;
    await settle();
    expect(done).toEqual(['first']);
    expect(file.syncs).toHaveLength(2);
    file.syncs[1]?.();
    await Promise.all([second, third]);
    expect(done).toEqual(['first', 'second', 'third']);
    expect(file.syncs).toHaveLength(2);
    expect(file.opened()).toBe(1);
  });

  it('fails the callers of a failed sync and tries again for the next', async () => {
    let fail = true;
    const sync = walSync('/nowhere-wal', async () => ({
      datasync: async () => {
        if (fail) throw new Error('EIO');
      },
      close: async () => undefined,
    }));
    await expect(sync.durable()).rejects.toThrow('EIO');
    fail = false;
    await expect(sync.durable()).resolves.toBeUndefined();
  });

  it('opens the file again after a failed open', async () => {
    let opens = 0;
    const sync = walSync('/nowhere-wal', async () => {
      if (++opens === 1) throw new Error('ENOENT');
      return { datasync: async () => undefined, close: async () => undefined };
    });
    await expect(sync.durable()).rejects.toThrow('ENOENT');
    await expect(sync.durable()).resolves.toBeUndefined();
    expect(opens).toBe(2);
  });
});
