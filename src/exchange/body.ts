import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { once } from 'node:events';
import { RabtaError } from '../core/problems.js';

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
  discard(): Promise<void>;
}

export interface BodyOptions {
  limit: number;
  spoolDir: string;
  memoryThreshold?: number;
}

export async function receiveBody(stream: Readable, declaredLength: number | undefined, options: BodyOptions): Promise<ReceivedBody> {
  if (declaredLength !== undefined && declaredLength > options.limit) {
    stream.resume();
    throw tooLarge(options.limit);
  }
  const threshold = options.memoryThreshold ?? 256 * 1024;
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  let spool: { path: string; file: ReturnType<typeof createWriteStream> } | undefined;
  try {
    for await (const chunk of stream) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > options.limit) throw tooLarge(options.limit);
      hash.update(buffer);
      if (spool) {
        if (!spool.file.write(buffer)) await once(spool.file, 'drain');
      } else {
        chunks.push(buffer);
        if (size > threshold) {
          mkdirSync(options.spoolDir, { recursive: true });
          const path = join(options.spoolDir, `${randomUUID()}.body`);
          spool = { path, file: createWriteStream(path, { mode: 0o600 }) };
          for (const held of chunks) spool.file.write(held);
          chunks.length = 0;
        }
      }
    }
  } catch (error) {
    stream.destroy();
    if (spool) {
      spool.file.destroy();
      await rm(spool.path, { force: true });
    }
    throw error;
  }
  const sha256 = hash.digest();
  if (spool) {
    const { path, file } = spool;
    file.end();
    await once(file, 'finish');
    return {
      size,
      sha256,
      open: () => createReadStream(path),
      bytes: () => readFile(path),
      discard: () => rm(path, { force: true }),
    };
  }
  const body = Buffer.concat(chunks);
  return { size, sha256, open: () => body, bytes: async () => body, discard: async () => undefined };
}

function tooLarge(limit: number): RabtaError {
  return new RabtaError('body-too-large', `this service takes bodies of at most ${limit} bytes`, { extensions: { limit } });
}
