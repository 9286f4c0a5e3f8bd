import { RabtaError } from '../core/index.js';
import type { EventsDeps } from './deps.js';
import { findSubscription } from './subscriptions.js';
import type { SubscriptionRow } from './tables.js';

export interface PulledEvent {
  /** pass it to `ack` (or as `after`) once this and everything before it is processed */
  cursor: string;
  id: string;
  type: string;
  timestamp: string;
  /** the event's JSON exactly as published */
  data: string;
}

export interface PullPage {
  events: PulledEvent[];
  /** the cursor after the last event here (or the one asked for, when there is nothing new) */
  next: string;
}

/**
 * A pull subscription reads its events in order after a cursor: an opaque
 * position in its queue (a delivery id; they are handed out in commit order
 * for each topic). Without `after` it continues from the last acknowledged
 * position, so a consumer that crashes before acknowledging reads again.
 */
export async function pullEvents(deps: EventsDeps, clientId: string, subscriptionId: string, options: { after?: string; limit?: number }): Promise<PullPage> {
  const subscription = await ownPull(deps, clientId, subscriptionId);
  const after = options.after === undefined ? subscription.cursor : parseCursor(options.after);
  const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
  const rows = await deps.db
    .selectFrom('event_deliveries as d')
    .innerJoin('events as e', 'e.id', 'd.event_id')
    .select(['d.id as cursor', 'e.id', 'e.topic_id', 'e.at', 'e.payload'])
    .where('d.subscription_id', '=', subscription.id)
    .where('d.id', '>', after)
    .where('d.status', '!=', 'cancelled')
    .orderBy('d.id')
    .limit(limit)
    .execute();
  const events = rows.map((r) => ({ cursor: String(r.cursor), id: r.id, type: r.topic_id, timestamp: new Date(r.at).toISOString(), data: r.payload.trim() }));
  return { events, next: events[events.length - 1]?.cursor ?? String(after) };
}

/** Acknowledges everything up to and including `cursor`; the position only moves forward. */
export async function ackEvents(deps: EventsDeps, clientId: string, subscriptionId: string, cursorText: string): Promise<{ cursor: string }> {
  const subscription = await ownPull(deps, clientId, subscriptionId);
  const cursor = parseCursor(cursorText);
  if (cursor <= subscription.cursor) return { cursor: String(subscription.cursor) };
  const last = await deps.db.selectFrom('event_deliveries').select((eb) => eb.fn.max('id').as('max')).where('subscription_id', '=', subscription.id).executeTakeFirst();
  if (cursor > Number(last?.max ?? 0)) throw new RabtaError('bad-request', 'that cursor is beyond anything this subscription was given', { extensions: { cursor: cursorText } });
  const now = deps.now();
  await deps.db.transaction().execute(async (trx) => {
    await trx.updateTable('event_subscriptions').set({ cursor, updated_at: now }).where('id', '=', subscription.id).where('cursor', '<', cursor).execute();
    await trx
      .updateTable('event_deliveries')
      .set({ status: 'delivered', delivered_at: now })
      .where('subscription_id', '=', subscription.id)
      .where('status', '=', 'pending')
      .where('id', '<=', cursor)
      .execute();
  });
  const current = await deps.db.selectFrom('event_subscriptions').select('cursor').where('id', '=', subscription.id).executeTakeFirstOrThrow();
  return { cursor: String(current.cursor) };
}

/** The pulled page as JSON, with each event's data spliced in as published (no re-serialisation). */
export function pullPageJson(page: PullPage): string {
  const events = page.events.map(
    (e) => `{"cursor":${JSON.stringify(e.cursor)},"id":${JSON.stringify(e.id)},"type":${JSON.stringify(e.type)},"timestamp":${JSON.stringify(e.timestamp)},"data":${e.data}}`,
  );
  return `{"events":[${events.join(',')}],"next":${JSON.stringify(page.next)}}`;
}

async function ownPull(deps: EventsDeps, clientId: string, id: string): Promise<SubscriptionRow> {
  const subscription = await findSubscription(deps, id);
  // Someone else's subscription is as good as absent.
  if (subscription.subscriber_id !== clientId) throw new RabtaError('not-found', `subscription ${id} does not exist`, { extensions: { id } });
  if (subscription.mode !== 'pull') throw new RabtaError('conflict', `subscription ${id} delivers by webhook; it cannot be pulled`);
  return subscription;
}

function parseCursor(text: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new RabtaError('bad-request', 'a cursor is what a previous pull returned', { extensions: { cursor: text } });
  return Number(text);
}
