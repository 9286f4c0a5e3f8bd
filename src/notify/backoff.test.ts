import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('reconnect back-off', () => {
  it('doubles up to the ceiling', () => {
    const noJitter = { initialMs: 100, maxMs: 1000, jitter: 0 };
    expect([0, 1, 2, 3, 4, 10, 1000].map((a) => backoffDelay(a, noJitter))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('takes a random share off each delay', () => {
    expect(backoffDelay(3, { initialMs: 100, jitter: 0.5 }, () => 0)).toBe(800);
    expect(backoffDelay(3, { initialMs: 100, jitter: 0.5 }, () => 1)).toBe(400);
    expect(backoffDelay(3, { initialMs: 100, jitter: 0.5 }, () => 0.5)).toBe(600);
  });
});
