import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import type { ReadStream, WriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { RabtaError } from '../core/index.js';

/**
 * A request body, read completely and hashed before anything is forwarded.
 * Small bodies stay in memory; larger ones are spooled to a file, so memory
 * does not grow with the body.
 */
export interface ReceivedBody {
  size: number;
  sha256: Buffer;
  /** a fresh readable of the body, for forwarding */
  open(): Readable | Uint8Array;
  /** the body as bytes (reads the spool file if there is one) — for subject extraction */
  bytes(): Promise<Buffer>;
  /** removes the spool file, closing any reader still open on it; safe to call twice */
  discard(): Promise<void>;
}

export interface BodyOptions {
  limit: number;
  spoolDir: string;
  memoryThreshold?: number;
}

/**
 * Reads the body however it ends: complete, over the limit, or cut off by the
 * client. Whatever was spooled is removed before an error leaves here, and no
 * stream is left without an 'error' listener — an interrupted upload must
 * never end the process.
 */
export async function receiveBody(stream: Readable, declaredLength: number | undefined, options: BodyOptions): Promise<ReceivedBody> {
  // The body is not read at all: the route closes the connection after the refusal.
  if (declaredLength !== undefined && declaredLength > options.limit) throw tooLarge(options.limit);
  const threshold = options.memoryThreshold ?? 256 * 1024;
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  let spool: Spool | undefined;
  try {
    // destroyOnReturn false: over the limit the request stays open so that the 413 can still be sent on it.
    for await (const chunk of stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > options.limit) throw tooLarge(options.limit);
      hash.update(chunk);
      if (spool) {
        await spool.write(chunk);
      } else {
        chunks.push(chunk);
        if (size > threshold) {
          spool = await Spool.create(options.spoolDir);
          for (const held of chunks) await spool.write(held);
          chunks.length = 0;
        }
      }
    }
    if (spool) await spool.finish();
  } catch (error) {
    await spool?.discard();
    throw asBodyError(error);
  }
  const sha256 = hash.digest();
  if (spool) {
    const { path } = spool;
    const readers = new Set<ReadStream>();
    let discarded: Promise<void> | undefined;
    return {
      size,
      sha256,
      open: () => {
        const reader = createReadStream(path);
        // Whoever reads it (the egress call) hears its errors; this listener only keeps an unread one from ending the process.
        reader.on('error', () => undefined);
        reader.once('close', () => readers.delete(reader));
        readers.add(reader);
        return reader;
      },
      bytes: () => readFile(path),
      discard: () =>
        (discarded ??= (async () => {
          await Promise.all([...readers].map((reader) => closeStream(reader)));
          await rm(path, { force: true });
        })()),
    };
  }
  const body = Buffer.concat(chunks);
  return { size, sha256, open: () => body, bytes: async () => body, discard: async () => undefined };
}

/** One spool file. Its write errors are kept and rethrown on the next write or at the end, never emitted unheard. */
class Spool {
  #failure: Error | undefined;

  private constructor(
    readonly path: string,
    private readonly file: WriteStream,
  ) {
    file.on('error', (error) => (this.#failure ??= error));
  }

  static async create(dir: string): Promise<Spool> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${randomUUID()}.body`);
    return new Spool(path, createWriteStream(path, { mode: 0o600, flags: 'wx' }));
  }

  async write(chunk: Buffer): Promise<void> {
    this.#check();
    if (!this.file.write(chunk)) await drainedOrClosed(this.file);
    this.#check();
  }

  async finish(): Promise<void> {
    this.file.end();
    await closeStream(this.file, false);
    this.#check();
  }

  /** Closes the file first, then removes it: removing before the (asynchronous) open completes would leave it behind. */
  async discard(): Promise<void> {
    await closeStream(this.file);
    await rm(this.path, { force: true });
  }

  #check(): void {
    if (this.#failure) throw this.#failure;
  }
}

function drainedOrClosed(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}

/** Resolves once the stream's file descriptor is closed (destroying it first unless `destroy` is false). */
function closeStream(stream: ReadStream | WriteStream, destroy = true): Promise<void> {
  return new Promise((resolve) => {
    if (stream.closed) return resolve();
    (stream as NodeJS.EventEmitter).once('close', () => resolve());
    if (destroy) stream.destroy();
  });
}

function asBodyError(error: unknown): unknown {
  if (error instanceof RabtaError) return error;
  const code = (error as { code?: unknown }).code;
  // The client went away (or its chunked framing broke) before the body ended.
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (error as Error).message === 'aborted') {
    return new RabtaError('body-incomplete', 'the connection closed before the body was complete', { cause: error });
  }
  return error;
}

function tooLarge(limit: number): RabtaError {
  return new RabtaError('body-too-large', `this service takes bodies of at most ${limit} bytes`, { extensions: { limit } });
}
