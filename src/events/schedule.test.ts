import { describe, expect, it } from 'vitest';
import { eventId } from './ids.js';
import { DEFAULT_SCHEDULE_MS, nextAttemptAt, parseRetryAfter } from './schedule.js';

describe('retry schedule', () => {
  const policy = { schedule: DEFAULT_SCHEDULE_MS, jitter: 0.2, maxRetryAfterMs: 3600_000 };

  it('waits the scheduled delay after each failure, within the jitter, and has none after the last attempt', () => {
    expect(nextAttemptAt(policy, 1, 0, undefined, () => 0.5)).toBe(5_000);
    expect(nextAttemptAt(policy, 2, 0, undefined, () => 0)).toBe(240_000);
    expect(nextAttemptAt(policy, 2, 0, undefined, () => 1)).toBe(360_000);
    expect(nextAttemptAt(policy, 7, 0, undefined, () => 0.5)).toBe(36_000_000);
    expect(nextAttemptAt(policy, 8, 0, undefined)).toBeUndefined();
  });

  it('honours a longer Retry-After, up to its cap', () => {
    expect(nextAttemptAt(policy, 1, 1000, 60_000, () => 0.5)).toBe(61_000);
    expect(nextAttemptAt(policy, 1, 0, 1000, () => 0.5)).toBe(5_000);
    expect(nextAttemptAt(policy, 1, 0, 48 * 3600_000, () => 0.5)).toBe(3600_000);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('event ids', () => {
  it('are UUIDv7 that sort in the order they were minted, within a millisecond too', () => {
    const ids = Array.from({ length: 5000 }, () => eventId(1_760_000_000_000));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(eventId(1_760_000_000_000 - 10_000) > ids[ids.length - 1]!).toBe(true);
  });
});
