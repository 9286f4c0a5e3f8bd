import { randomBytes } from 'node:crypto';

let lastMs = -1;
let counter = 0;

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit counter
 * (method 1 of §6.2) so ids minted in one process sort in the order they were
 * minted even within a millisecond, then 62 random bits. Ids from different
 * nodes sort by time only.
 */
export function eventId(now: number): string {
  let ms = Math.max(now, lastMs);
  if (ms === lastMs) {
    counter++;
    // The counter overflows only past 4096 ids in one millisecond: borrow the next one.
    if (counter > 0xfff) {
      ms++;
      counter = 0;
    }
  } else {
    // Start low in the range so that a burst within the millisecond rarely overflows.
    counter = randomBytes(1)[0] as number;
  }
  lastMs = ms;
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
