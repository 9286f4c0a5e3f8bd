import type { Kysely } from 'kysely';
import { RabtaError } from '../core/index.js';
import type { ConsentTables } from './tables.js';

/** Pakistan Standard Time is UTC+5 all year; a consent's "day" and "month" are the citizen's. */
const PKT_MS = 5 * 3_600_000;
const DAY_MS = 86_400_000;

export function frequencyWindow(per: 'day' | 'month', at: number): { start: number; end: number } {
  if (per === 'day') {
    const start = Math.floor((at + PKT_MS) / DAY_MS) * DAY_MS - PKT_MS;
    return { start, end: start + DAY_MS };
  }
  const local = new Date(at + PKT_MS);
  const start = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - PKT_MS;
  const end = Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 1) - PKT_MS;
  return { start, end };
}

export interface Use {
  artefactId: string;
  count: number;
  per: 'day' | 'month';
}

const CHUNK = 300;

/**
 * Counts one use of each artefact in its current window with one upsert per
 * chunk, so every node counts against the same numbers. Runs in the caller's
 * transaction: if any artefact is over its limit the caller's transaction is
 * rolled back by the error, and none of the uses count.
 */
export async function takeUses(db: Kysely<ConsentTables>, uses: Use[], at: number): Promise<void> {
  for (let i = 0; i < uses.length; i += CHUNK) {
    const chunk = uses.slice(i, i + CHUNK);
    const windows = new Map(chunk.map((u) => [u.artefactId, frequencyWindow(u.per, at)]));
    const rows = await db
      .insertInto('consent_usage')
      .values(chunk.map((u) => ({ artefact_id: u.artefactId, window_start: (windows.get(u.artefactId) as { start: number }).start, count: 1 })))
      .onConflict((oc) => oc.columns(['artefact_id', 'window_start']).doUpdateSet((eb) => ({ count: eb('consent_usage.count', '+', 1) })))
      .returning(['artefact_id', 'count'])
      .execute();
    const limits = new Map(chunk.map((u) => [u.artefactId, u]));
    for (const row of rows) {
      const use = limits.get(row.artefact_id) as Use;
      if (row.count > use.count) {
        const retryAfter = Math.ceil(((windows.get(row.artefact_id) as { end: number }).end - at) / 1000);
        throw new RabtaError('consent-frequency-exceeded', `consent ${row.artefact_id} allows ${use.count} uses a ${use.per}`, {
          headers: { 'retry-after': String(retryAfter) },
          extensions: { consent: row.artefact_id, limit: use.count, per: use.per, retryAfter },
        });
      }
    }
  }
}

export async function forgetOldUsage(db: Kysely<ConsentTables>, before: number): Promise<void> {
  await db.deleteFrom('consent_usage').where('window_start', '<', before).execute();
}
