import { memberIdOf } from '../core/index.js';
import type { PersonalEvent } from '../core/index.js';
import { tablesOf } from '../store/index.js';
import type { Connection } from '../store/index.js';
import type { ConsentTables, TrackerRow } from './tables.js';

/** Rows per INSERT: well under either database's parameter limit. */
const CHUNK = 400;

/**
 * The consent module's side of a personal event, in the publishing
 * transaction: each subject gets a tracker row (who published what about
 * them, why, and to whom it went). The citizens module queues the notices.
 */
export function personalEventRecorder() {
  // In the publisher's transaction, opened on the events module's tables.
  return async (connection: Connection, events: PersonalEvent[]): Promise<void> => {
    const trx = tablesOf<ConsentTables>(connection);
    const tracker: TrackerRow[] = [];
    for (const event of events) {
      const member = memberIdOf(event.publisher);
      for (const hash of event.subjectHashes) {
        tracker.push({
          exchange_id: event.eventId,
          subject_hash: hash,
          at: event.at,
          client_id: event.publisher,
          client_member_id: member,
          service_id: event.topic,
          provider_id: member,
          purpose: event.purpose,
          legal_basis: event.legalBasis,
          statute: event.legalBasis === 'statute' ? event.reference : null,
          consent_id: event.legalBasis === 'consent' && event.subjectHashes.length === 1 ? event.reference : null,
          outcome: 'published',
          status: 201,
          kind: 'event',
          recipients: JSON.stringify(event.recipients),
        });
      }
    }
    for (let i = 0; i < tracker.length; i += CHUNK) await trx.insertInto('tracker_entries').values(tracker.slice(i, i + CHUNK)).execute();
  };
}
