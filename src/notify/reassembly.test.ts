import { afterEach, describe, expect, it, vi } from 'vitest';
import { Reassembler } from './reassembly.js';
import type { PendingMessage } from './reassembly.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('reassembling inbound parts', () => {
  it('returns the parts in order once all arrived, whatever order they came in, duplicates included', () => {
    const incomplete: PendingMessage<string>[] = [];
    const r = new Reassembler<string>({ timeoutMs: 1000, maxPending: 10, onIncomplete: (m) => incomplete.push(m) });
    const key = Reassembler.keyOf('+923001234567', { reference: 9, total: 3, sequence: 1 });
    expect(r.add(key, { reference: 9, total: 3, sequence: 3 }, Buffer.from('c'), 'meta')).toBeUndefined();
    expect(r.add(key, { reference: 9, total: 3, sequence: 1 }, Buffer.from('a'), 'meta')).toBeUndefined();
    expect(r.add(key, { reference: 9, total: 3, sequence: 1 }, Buffer.from('a'), 'meta')).toBeUndefined();
    expect(r.add(key, { reference: 9, total: 3, sequence: 2 }, Buffer.from('b'), 'meta')?.map(String)).toEqual(['a', 'b', 'c']);
    // kept until done, so a redelivered last part completes it again
    expect(r.add(key, { reference: 9, total: 3, sequence: 2 }, Buffer.from('b'), 'meta')?.map(String)).toEqual(['a', 'b', 'c']);
    r.done(key);
    expect(r.size).toBe(0);
    expect(incomplete).toEqual([]);
  });

  it('keeps different senders and references apart', () => {
    const r = new Reassembler<null>({ timeoutMs: 1000, maxPending: 10, onIncomplete: () => {} });
    const a = Reassembler.keyOf('+923001111111', { reference: 1, total: 2, sequence: 1 });
    const b = Reassembler.keyOf('+923002222222', { reference: 1, total: 2, sequence: 1 });
    expect(a).not.toBe(b);
    r.add(a, { reference: 1, total: 2, sequence: 1 }, Buffer.from('a1'), null);
    expect(r.add(b, { reference: 1, total: 2, sequence: 2 }, Buffer.from('b2'), null)).toBeUndefined();
    expect(r.size).toBe(2);
    r.clear();
  });

  it('gives up on a message after the timeout and hands over what arrived', () => {
    vi.useFakeTimers();
    const incomplete: PendingMessage<string>[] = [];
    const r = new Reassembler<string>({ timeoutMs: 1000, maxPending: 10, onIncomplete: (m) => incomplete.push(m) });
    r.add('k', { reference: 1, total: 3, sequence: 2 }, Buffer.from('b'), 'first');
    vi.advanceTimersByTime(999);
    expect(incomplete).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(incomplete).toHaveLength(1);
    expect(incomplete[0]?.meta).toBe('first');
    expect([...(incomplete[0]?.parts.keys() ?? [])]).toEqual([2]);
    expect(r.size).toBe(0);
  });

  it('holds a bounded number of unfinished messages, dropping the oldest', () => {
    const incomplete: string[] = [];
    const r = new Reassembler<string>({ timeoutMs: 60_000, maxPending: 2, onIncomplete: (m) => incomplete.push(m.meta) });
    for (const name of ['one', 'two', 'three']) r.add(name, { reference: 1, total: 2, sequence: 1 }, Buffer.from(name), name);
    expect(incomplete).toEqual(['one']);
    expect(r.size).toBe(2);
    r.clear();
  });
});
