/**
 * Helpers shared by this folder's tests only (not exported from index.ts):
 * locating the published vectors under test/vectors/ and a seeded generator, so a
 * failing property test can be replayed from its seed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VECTORS = fileURLToPath(new URL('../../test/vectors/', import.meta.url));

export function vectorPath(...parts: string[]): string {
  return join(VECTORS, ...parts);
}

export function readVector(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(vectorPath(...parts)));
}

export function readVectorText(...parts: string[]): string {
  return readFileSync(vectorPath(...parts), 'utf8');
}

export function readVectorJson<T>(...parts: string[]): T {
  return JSON.parse(readVectorText(...parts)) as T;
}

/** Every file below a vector folder, as paths relative to that folder, sorted. */
export function listVectorFiles(...parts: string[]): string[] {
  const root = vectorPath(...parts);
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel))) {
      const child = rel === '' ? name : join(rel, name);
      if (statSync(join(root, child)).isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk('');
  return out.sort();
}

export function b64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}

export function hex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** mulberry32: tiny, seedable, good enough to pick sizes and indexes. */
export function seeded(seed: number): { int(maxExclusive: number): number; bytes(n: number): Uint8Array } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (maxExclusive) => Math.floor(next() * maxExclusive),
    bytes: (n) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256);
      return out;
    },
  };
}

export function flipByte(bytes: Uint8Array, at: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[at] = (copy[at] as number) ^ 0x01;
  return copy;
}
