import type { Kysely } from 'kysely';
import { reusable } from '../store/index.js';
import type { ExchangeTables } from './tables.js';

const insertNonce = reusable((db: Kysely<ExchangeTables>, value) =>
  db
    .insertInto('nonces')
    .values({ key_id: value(0), nonce: value(1), expires_at: value(2) })
    .onConflict((oc) => oc.columns(['key_id', 'nonce']).doNothing())
    .returning('nonce'),
);

/**
 * A nonce is accepted once while its signature could still be valid. The
 * database is the shared store, so a nonce used on one node is spent on all.
 * Returns false when the nonce was already spent.
 */
export async function spendNonce(db: Kysely<ExchangeTables>, keyId: string, nonce: string, expiresAt: number): Promise<boolean> {
  const inserted = await insertNonce(db, [keyId, nonce, expiresAt]);
  return inserted.rows.length > 0;
}

export async function forgetExpiredNonces(db: Kysely<ExchangeTables>, now: number): Promise<number> {
  const result = await db.deleteFrom('nonces').where('expires_at', '<', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
