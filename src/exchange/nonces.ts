import type { Kysely } from 'kysely';
import type { ExchangeTables } from './tables.js';

/**
 * A nonce is accepted once while its signature could still be valid. The
 * database is the shared store, so a nonce used on one node is spent on all.
 * Returns false when the nonce was already spent.
 */
export async function spendNonce(db: Kysely<ExchangeTables>, keyId: string, nonce: string, expiresAt: number): Promise<boolean> {
  const inserted = await db
    .insertInto('nonces')
    .values({ key_id: keyId, nonce, expires_at: expiresAt })
    .onConflict((oc) => oc.columns(['key_id', 'nonce']).doNothing())
    .returning('nonce')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function forgetExpiredNonces(db: Kysely<ExchangeTables>, now: number): Promise<number> {
  const result = await db.deleteFrom('nonces').where('expires_at', '<', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
