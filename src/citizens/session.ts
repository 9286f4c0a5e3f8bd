import { SignJWT, jwtVerify } from 'jose';
import { RabtaError } from '../core/index.js';

/** A signed-in citizen: the subject hash and the masked CNIC to show. */
export interface CitizenSession {
  subjectHash: string;
  cnic: string;
  expiresAt: number;
}

const AUDIENCE = 'rabta-citizen';

/** A short-lived HS256 JWT: `sub` is the subject hash, `cnic` the masked CNIC. */
export async function issueSession(key: Uint8Array, issuer: string, subjectHash: string, maskedCnic: string, now: number, ttlMs: number): Promise<{ token: string; expiresAt: number }> {
  const expiresAt = now + ttlMs;
  const token = await new SignJWT({ cnic: maskedCnic })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(AUDIENCE)
    .setSubject(subjectHash)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(Math.floor(expiresAt / 1000))
    .sign(key);
  return { token, expiresAt };
}

export async function verifySession(key: Uint8Array, issuer: string, token: string, now: number): Promise<CitizenSession> {
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], issuer, audience: AUDIENCE, currentDate: new Date(now), requiredClaims: ['sub', 'exp'] });
    if (typeof payload.sub !== 'string' || !/^[0-9a-f]{64}$/.test(payload.sub) || typeof payload.cnic !== 'string') throw new Error('malformed session');
    return { subjectHash: payload.sub, cnic: payload.cnic, expiresAt: (payload.exp as number) * 1000 };
  } catch (error) {
    throw new RabtaError('unauthorized', 'sign in again: the citizen session is missing, invalid or expired', { cause: error });
  }
}
