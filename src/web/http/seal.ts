import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The web's cookie keys, derived from the instance's session secret with a
 * label each, so that no key serves two uses and every node of a scale-out
 * deployment derives the same ones.
 */
export function webKeys(sessionSecret: Buffer) {
  const derive = (label: string) => createHmac('sha256', sessionSecret).update(label).digest();
  return { csrf: derive('rabta/web/csrf/v1'), seal: derive('rabta/web/seal/v1') };
}

/**
 * AES-256-GCM for what must ride in a cookie without being readable there:
 * the CNIC between the two sign-in pages (never in a URL) and the operator's
 * token in the console. `purpose` is bound as associated data, so a sealed
 * value of one kind cannot be replayed as another; `expiresAt` is inside.
 */
export function seal(key: Buffer, purpose: string, value: string, expiresAt: number): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(purpose));
  const body = Buffer.concat([cipher.update(JSON.stringify({ v: value, e: expiresAt }), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

export function unseal(key: Buffer, purpose: string, sealed: string | undefined, now: number): string | undefined {
  if (!sealed || sealed.length > 4096) return undefined;
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(purpose));
    decipher.setAuthTag(raw.subarray(12, 28));
    const plain = JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as { v: string; e: number };
    return plain.e > now && typeof plain.v === 'string' ? plain.v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Signed double-submit CSRF: a random value in an HttpOnly SameSite=Strict
 * cookie, and in each form its HMAC. A cross-site page can neither read the
 * cookie nor compute the HMAC, so it cannot forge the field.
 */
export function csrfToken(key: Buffer, cookieValue: string): string {
  return createHmac('sha256', key).update(cookieValue).digest('base64url');
}

export function csrfMatches(key: Buffer, cookieValue: string | undefined, field: unknown): boolean {
  if (!cookieValue || typeof field !== 'string') return false;
  const expected = Buffer.from(csrfToken(key, cookieValue));
  const given = Buffer.from(field);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function newCsrfSecret(): string {
  return randomBytes(24).toString('base64url');
}
