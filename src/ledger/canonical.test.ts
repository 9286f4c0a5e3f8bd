import { describe, expect, it } from 'vitest';
import { canonicalJson, commitment, decodeLeaf, encodeLeaf, LEAF_KIND } from './canonical.js';

describe('leaves', () => {
  it('serialises records canonically, whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('commits with a salt, so the same record gives unlinkable leaves', () => {
    const record = { id: 'x', subjects: ['ab'] };
    const a = commitment(Buffer.alloc(32, 1), record);
    expect(Buffer.from(a).equals(Buffer.from(commitment(Buffer.alloc(32, 1), { subjects: ['ab'], id: 'x' })))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(commitment(Buffer.alloc(32, 2), record)))).toBe(false);
  });

  it('round-trips both leaf forms and refuses what is not a leaf', () => {
    const c = encodeLeaf({ kind: LEAF_KIND.exchange, time: 1_790_000_000_123, commitment: new Uint8Array(32).fill(9) });
    expect(c.length).toBe(42);
    expect(decodeLeaf(c)).toEqual({ kind: 2, time: 1_790_000_000_123, commitment: new Uint8Array(32).fill(9) });
    const clear = encodeLeaf({ kind: LEAF_KIND.registryChange, time: 5, clear: { action: 'member.create' } });
    expect(decodeLeaf(clear)).toEqual({ kind: 1, time: 5, clear: { action: 'member.create' } });
    expect(() => decodeLeaf(new Uint8Array([2, 1]))).toThrow();
    expect(() => encodeLeaf({ kind: LEAF_KIND.registryChange, time: 1, clear: { big: 'x'.repeat(70_000) } })).toThrow(RangeError);
  });
});
