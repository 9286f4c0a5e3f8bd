import { tablesOf } from '../store/index.js';
import type { Connection } from '../store/index.js';
import type { EventsTables } from './tables.js';

/**
 * What the anomaly series read of the events' records, between two times
 * (Unix ms): counts are built by the caller, these are the raw points.
 */

/** Events of the topics whose id ends with `topicSuffix`, with their payload (the caller reads only what it needs of it). */
export async function publishedBetween(connection: Connection, topicSuffix: string, from: number, to: number): Promise<Array<{ topicId: string; at: number; payload: string }>> {
  const rows = await tablesOf<EventsTables>(connection).selectFrom('events').select(['topic_id', 'at', 'payload']).where('topic_id', 'like', `%${topicSuffix}`).where('at', '>=', from).where('at', '<=', to).execute();
  return rows.map((r) => ({ topicId: r.topic_id, at: r.at, payload: r.payload }));
}

/** Deliveries given up on between the two times, with the subscription's subscriber. */
export async function deadLettersBetween(connection: Connection, from: number, to: number): Promise<Array<{ subscriptionId: string; subscriberId: string; deadAt: number }>> {
  const rows = await tablesOf<EventsTables>(connection)
    .selectFrom('event_deliveries as d')
    .innerJoin('event_subscriptions as s', 's.id', 'd.subscription_id')
    .select(['d.subscription_id', 'd.dead_at', 's.subscriber_id'])
    .where('d.dead_at', '>=', from)
    .where('d.dead_at', '<=', to)
    .execute();
  return rows.map((r) => ({ subscriptionId: r.subscription_id, subscriberId: r.subscriber_id, deadAt: r.dead_at as number }));
}
