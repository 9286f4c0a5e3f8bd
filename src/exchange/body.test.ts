import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { ReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { RabtaError } from '../core/index.js';
import { receiveBody } from './body.js';

const KIB = 1024;

describe('receiveBody', () => {
  const dirs: string[] = [];
  const spoolDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'rabta-spool-'));
    dirs.push(dir);
    return join(dir, 'spool');
  };
  const files = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('removes the spool file of a body cut off mid-way, as body-incomplete', async () => {
    const dir = spoolDir();
    const stream = new PassThrough();
    const received = receiveBody(stream, undefined, { limit: 4096 * KIB, spoolDir: dir, memoryThreshold: 16 * KIB });
    for (let i = 0; i < 8; i++) stream.write(Buffer.alloc(16 * KIB, 1));
    await expect.poll(() => files(dir).length).toBe(1);
    stream.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    await expect(received).rejects.toMatchObject({ code: 'body-incomplete' });
    expect(files(dir)).toEqual([]);
  });

  it('removes the spool file of a body that passes the limit, leaving the stream open for the reply', async () => {
    const dir = spoolDir();
    const stream = new PassThrough();
    const received = receiveBody(stream, undefined, { limit: 100 * KIB, spoolDir: dir, memoryThreshold: 16 * KIB });
    for (let i = 0; i < 8; i++) stream.write(Buffer.alloc(16 * KIB, 1));
    const error = await received.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RabtaError);
    expect((error as RabtaError).code).toBe('body-too-large');
    expect(stream.destroyed).toBe(false);
    expect(files(dir)).toEqual([]);
  });

  it('answers a spool that cannot be written with an error, not a crash', async () => {
    const dir = spoolDir();
    writeFileSync(join(dir, '..', 'blocker'), 'x');
    const stream = new PassThrough();
    const received = receiveBody(stream, undefined, { limit: 4096 * KIB, spoolDir: join(dir, '..', 'blocker', 'spool'), memoryThreshold: 16 * KIB });
    stream.end(Buffer.alloc(64 * KIB, 1));
    await expect(received).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('closes a reader nobody consumed when the body is discarded', async () => {
    const dir = spoolDir();
    const stream = new PassThrough();
    const received = receiveBody(stream, undefined, { limit: 4096 * KIB, spoolDir: dir, memoryThreshold: 16 * KIB });
    stream.end(Buffer.alloc(64 * KIB, 2));
    const body = await received;
    expect(body.size).toBe(64 * KIB);
    expect((await body.bytes()).equals(Buffer.alloc(64 * KIB, 2))).toBe(true);
    const reader = body.open() as ReadStream;
    await body.discard();
    expect(reader.closed).toBe(true);
    expect(files(dir)).toEqual([]);
  });
});
