import { randomBytes } from 'node:crypto';

/**
 * Random values of `size` bytes, drawn from the system's generator 256 at a
 * time: on the hot paths (a salt per ledger leaf, a nonce per signature) one
 * call per value cost more than the rest of the work around it. Each value is
 * a fresh copy, never handed out twice.
 */
export function randomDraws(size: number): () => Buffer {
  const BLOCK = 256;
  let block = Buffer.alloc(0);
  let used = BLOCK;
  return () => {
    if (used === BLOCK) [block, used] = [randomBytes(size * BLOCK), 0];
    return Buffer.from(block.subarray(size * used, size * ++used));
  };
}
