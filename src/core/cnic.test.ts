import { describe, expect, it } from 'vitest';
import { formatCnic, maskCnic, normalizeCnic, subjectHash } from './cnic.js';

describe('cnic', () => {
  it('accepts written and bare forms and rejects everything else', () => {
    expect(normalizeCnic('35202-1234567-1')).toBe('3520212345671');
    expect(normalizeCnic('3520212345671')).toBe('3520212345671');
    expect(normalizeCnic('35202-123456-1')).toBeUndefined();
    expect(normalizeCnic('35202-1234567-12')).toBeUndefined();
    expect(normalizeCnic('abcde-1234567-1')).toBeUndefined();
  });

  it('masks all but what the owner recognises', () => {
    expect(maskCnic('3520212345671')).toBe('35202-*****67-1');
    expect(formatCnic('3520212345671')).toBe('35202-1234567-1');
  });

  it('hashes with the secret, so another instance cannot link the same person', () => {
    const a = subjectHash(Buffer.alloc(32, 1), '3520212345671');
    const b = subjectHash(Buffer.alloc(32, 2), '3520212345671');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
    expect(() => subjectHash(Buffer.alloc(32), '35202-1234567-1')).toThrow();
  });
});
