import type { EventsDeps } from './deps.js';

const DAY_MS = 24 * 3600_000;
const PER_ROUND = 500;

/**
 * Forgets events older than their topic's retention, with their deliveries
 * and attempt records: the payload (which may be personal) is not kept longer
 * than the topic promises. An event still waiting for a webhook retry is kept
 * until that settles; a pull subscriber that has not read it by then loses it.
 * The ledger leaf stays: it commits to the payload's digest, not the payload.
 */
export async function sweepRetention(deps: Pick<EventsDeps, 'db' | 'now'>): Promise<number> {
  const topics = await deps.db.selectFrom('topics').select(['id', 'retention_days']).execute();
  let forgotten = 0;
  for (const topic of topics) {
    const cutoff = deps.now() - topic.retention_days * DAY_MS;
    for (;;) {
      const old = await deps.db
        .selectFrom('events as e')
        .select('e.id')
        .where('e.topic_id', '=', topic.id)
        .where('e.at', '<', cutoff)
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('event_deliveries as d').select('d.id').whereRef('d.event_id', '=', 'e.id').where('d.status', '=', 'pending').where('d.next_at', 'is not', null))),
        )
        .limit(PER_ROUND)
        .execute();
      if (old.length === 0) break;
      const ids = old.map((e) => e.id);
      await deps.db.transaction().execute(async (trx) => {
        const deliveries = trx.selectFrom('event_deliveries').select('id').where('event_id', 'in', ids);
        await trx.deleteFrom('event_delivery_attempts').where('delivery_id', 'in', deliveries).execute();
        await trx.deleteFrom('event_deliveries').where('event_id', 'in', ids).execute();
        await trx.deleteFrom('events').where('id', 'in', ids).execute();
      });
      forgotten += ids.length;
      if (old.length < PER_ROUND) break;
    }
  }
  return forgotten;
}
