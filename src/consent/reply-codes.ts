import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';

import type { ConsentArtefactRow, ConsentTables } from './tables.js';

/**
 * The short code a citizen types to answer a request by SMS (`HAAN 4821`). A
 * partial unique index keeps it unique among the live requests and consents
 * of one phone, on every node; codes start at 4 digits and grow only when a
 * phone has so many live ones that 4 digits keep colliding.
 */
export function newReplyCode(attempt: number): string {
  const digits = attempt < 20 ? 4 : attempt < 40 ? 5 : 6;
  return String(randomInt(10 ** (digits - 1), 10 ** digits));
}

/** Inserts the artefact with a fresh reply code for `mobile`; returns the code. */
export async function insertWithReplyCode(db: Kysely<ConsentTables>, row: Omit<ConsentArtefactRow, 'reply_mobile' | 'reply_code'>, mobile: string): Promise<string> {
  for (let attempt = 0; attempt < 60; attempt++) {
    const code = newReplyCode(attempt);
    // DO NOTHING without a target also covers the partial index, so a taken code is a miss, not an aborted transaction.
    const inserted = await db
      .insertInto('consent_artefacts')
      .values({ ...row, reply_mobile: mobile, reply_code: code })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return code;
  }
  throw new Error('no free reply code for this phone');
}

/**
 * A citizen's phone changed: their live requests and consents must answer to
 * the new phone (and no longer to the old one), keeping each code if it is
 * free there.
 */
export async function rekeyReplyCodes(db: Kysely<ConsentTables>, subjectHash: string, mobile: string): Promise<void> {
  const live = await db
    .selectFrom('consent_artefacts')
    .select(['id', 'reply_code'])
    .where('subject_hash', '=', subjectHash)
    .where('status', 'in', ['REQUESTED', 'ACTIVE'])
    .where('reply_code', 'is not', null)
    .execute();
  if (live.length === 0) return;
  const taken = new Set(
    (
      await db
        .selectFrom('consent_artefacts')
        .select('reply_code')
        .where('reply_mobile', '=', mobile)
        .where('status', 'in', ['REQUESTED', 'ACTIVE'])
        .execute()
    ).map((r) => r.reply_code),
  );
  for (const artefact of live) {
    let code = artefact.reply_code as string;
    for (let attempt = 0; taken.has(code); attempt++) code = newReplyCode(attempt);
    taken.add(code);
    await db.updateTable('consent_artefacts').set({ reply_mobile: mobile, reply_code: code }).where('id', '=', artefact.id).execute();
  }
}
