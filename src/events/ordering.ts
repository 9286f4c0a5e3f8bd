import { createHmac } from 'node:crypto';

/**
 * Ordering needs equality only, and a key is often a CNIC or an account: it is
 * stored as a keyed hash (HMAC-SHA-256 under a key derived from the subject
 * secret for this one use), so the tables never hold it in clear.
 */
export function orderingKeyHasher(subjectSecret: Buffer): (key: string) => string {
  const secret = createHmac('sha256', subjectSecret).update('rabta/events/ordering-key/v1').digest();
  return (key) => createHmac('sha256', secret).update(key, 'utf8').digest('hex');
}
