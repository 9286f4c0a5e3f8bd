import type { Kysely } from 'kysely';
import { memberIdOf } from '../core/index.js';
import type { EventsTables } from './tables.js';

/** Events published per publishing institution and topic, for the public dashboard (counts only). */
export async function eventCountsByTopic(db: Kysely<EventsTables>): Promise<Array<{ publisher: string; topic: string; count: number }>> {
  const rows = await db
    .selectFrom('events')
    .select(['topic_id', (eb) => eb.fn.countAll<number | string>().as('n')])
    .groupBy('topic_id')
    .execute();
  return rows
    .map((row) => ({ publisher: memberIdOf(row.topic_id), topic: row.topic_id, count: Number(row.n) }))
    .sort((a, b) => b.count - a.count || a.topic.localeCompare(b.topic));
}
