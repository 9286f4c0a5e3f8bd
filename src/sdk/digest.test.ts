import { describe, expect, it } from 'vitest';
import { contentDigest, contentDigestOfHash, createBodyHasher, digestMatches, sha256 } from './digest.js';

// RFC 9530 Appendix B.1 (and the RFC 9421 test-request body): {"hello": "world"}
const HELLO = Buffer.from('{"hello": "world"}');
const HELLO_DIGEST = 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:';

describe('Content-Digest (RFC 9530, sha-256)', () => {
  it('reproduces the RFC 9530 sha-256 example', () => {
    expect(contentDigest(HELLO)).toBe(HELLO_DIGEST);
    expect(contentDigestOfHash(sha256(HELLO))).toBe(HELLO_DIGEST);
  });

  it('matches on the raw hash, with other algorithms listed beside it', () => {
    const hash = sha256(HELLO);
    expect(digestMatches(HELLO_DIGEST, hash)).toBe(true);
    expect(digestMatches(`sha-512=:${Buffer.alloc(64).toString('base64')}:, ${HELLO_DIGEST}`, hash)).toBe(true);
    expect(digestMatches(['sha-512=:AAAA:', HELLO_DIGEST], hash)).toBe(true);
  });

  it('does not match another body, a missing sha-256, garbage or a wrong-size hash', () => {
    const hash = sha256(HELLO);
    expect(digestMatches(contentDigest(Buffer.from('{"hello": "World"}')), hash)).toBe(false);
    expect(digestMatches(`sha-512=:${Buffer.alloc(64).toString('base64')}:`, hash)).toBe(false);
    expect(digestMatches('sha-256=X48E9q', hash)).toBe(false);
    expect(digestMatches('sha-256=:AAAA:', hash)).toBe(false);
    expect(digestMatches(undefined, hash)).toBe(false);
    expect(digestMatches(HELLO_DIGEST, hash.subarray(0, 31))).toBe(false);
  });

  it('hashes a streamed body chunk by chunk to the same value', () => {
    const hasher = createBodyHasher();
    for (let i = 0; i < HELLO.length; i += 5) hasher.update(HELLO.subarray(i, i + 5));
    expect(hasher.size).toBe(HELLO.length);
    expect(hasher.header()).toBe(HELLO_DIGEST);
    expect(Buffer.from(hasher.digest())).toEqual(Buffer.from(sha256(HELLO)));
    expect(() => hasher.update(HELLO)).toThrow(/final/);
  });

  it('digests the empty body (responses always carry one)', () => {
    expect(contentDigest(new Uint8Array())).toBe('sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:');
  });
});
