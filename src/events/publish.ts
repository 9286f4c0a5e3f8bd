import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { subjectHash } from '../core/cnic.js';
import { RabtaError } from '../core/problems.js';
import { subjectsOf } from '../exchange/index.js';
import type { LegalBasisAnswer } from '../exchange/index.js';
import { LEAF_KIND } from '../ledger/canonical.js';
import type { RegistryView } from '../registry/index.js';
import type { Database } from '../store/index.js';
import { isTrue } from '../store/index.js';
import { isUniqueViolation } from './deps.js';
import type { EventsDeps } from './deps.js';
import { matchesFilter, valueAt } from './fields.js';
import type { Filter } from './fields.js';
import { eventId } from './ids.js';
import { describeErrors } from './schemas.js';
import type { createValidatorCache } from './schemas.js';
import type { DeliveryRow, EventRow, TopicRow } from './tables.js';
import { findTopic } from './topics.js';
import type { Insertable } from 'kysely';

export interface PublishInput {
  /** the authenticated Rabta-Client */
  publisherId: string;
  topicId: string;
  /** the body exactly as received (its Content-Digest was checked) */
  body: Buffer;
  idempotencyKey?: string | undefined;
  purpose?: string | undefined;
  /** the registry as the authentication saw it */
  view: RegistryView;
}

export interface Published {
  id: string;
  /** false when an earlier publication with the same Idempotency-Key is returned */
  created: boolean;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const CHUNK = 500;

/**
 * Publishing (DESIGN.md "Events and webhooks"): the topic's own subsystem
 * publishes; the body must satisfy the topic's schema; a personal topic needs a
 * purpose whose legal basis holds for every subject. Then, in one transaction
 * (the outbox): the event, one delivery per matching subscription, the ledger
 * leaf (a salted commitment to id, topic, publisher, time and the payload's
 * digest — never the payload) and the subjects' tracker rows. Workers deliver
 * from there; nothing is sent before the commit.
 */
export function createPublisher(deps: EventsDeps, validatorOf: ReturnType<typeof createValidatorCache>, onPublished: () => void) {
  return async function publish(input: PublishInput): Promise<Published> {
    const topic = await findTopic(deps, input.topicId);
    if (topic.subsystem_id !== input.publisherId) {
      throw new RabtaError('not-topic-publisher', `only ${topic.subsystem_id} publishes ${topic.id}`, { extensions: { topic: topic.id } });
    }
    const idempotencyKey = input.idempotencyKey === undefined ? undefined : checkIdempotencyKey(input.idempotencyKey);
    const payloadDigest = createHash('sha256').update(input.body).digest('hex');
    if (idempotencyKey !== undefined) {
      const earlier = await sameKey(deps.db, input.publisherId, idempotencyKey);
      if (earlier) return replayed(earlier, topic.id, payloadDigest);
    }

    const text = input.body.toString('utf8');
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      throw new RabtaError('malformed-json', 'an event is a JSON document');
    }
    const validate = validatorOf(topic);
    if (!validate(payload)) {
      throw new RabtaError('event-invalid', `the event does not satisfy the schema of ${topic.id} (version ${topic.version})`, {
        extensions: { topic: topic.id, schemaVersion: topic.version, errors: describeErrors(validate.errors) },
      });
    }
    const orderingKey = keyOf(topic, payload);

    const purposeRow = input.purpose === undefined ? undefined : await input.view.purpose(input.purpose);
    if (input.purpose !== undefined && !purposeRow) throw new RabtaError('unknown-purpose', `purpose ${input.purpose} is not in the catalogue`);
    const personal = isTrue(topic.personal);
    if (personal && !purposeRow) throw new RabtaError('purpose-required', `${topic.id} carries personal data: say why in Rabta-Purpose`);
    const subjects = personal ? subjectsOf(topic.subject_path as string, undefined, () => payload) : [];
    const at = deps.now();
    let basis: LegalBasisAnswer | undefined;
    if (purposeRow) {
      basis = await deps.legalBasis.check({
        clientId: input.publisherId,
        // The exchange's question, with the topic where a service would be.
        serviceId: topic.id,
        purpose: { code: purposeRow.code, legalBasis: purposeRow.legal_basis, statute: purposeRow.statute },
        subjects,
        at,
      });
    }

    const event: EventRow = {
      id: eventId(at),
      topic_id: topic.id,
      publisher_id: input.publisherId,
      at,
      purpose: purposeRow?.code ?? null,
      legal_basis: basis?.legalBasis ?? null,
      ordering_key: orderingKey,
      idempotency_key: idempotencyKey ?? null,
      payload: text,
      payload_digest: payloadDigest,
    };
    const subjectHashes = subjects.map((s) => subjectHash(deps.subjectSecret, s));
    try {
      await deps.batch.run((trx) => writeOutbox(trx, topic, event, payload, basis, subjectHashes));
    } catch (error) {
      // Two publications with one key raced; the loser answers with the winner's event.
      if (idempotencyKey !== undefined && isUniqueViolation(error)) {
        const earlier = await sameKey(deps.db, input.publisherId, idempotencyKey);
        if (earlier) return replayed(earlier, topic.id, payloadDigest);
      }
      throw error;
    }
    onPublished();
    return { id: event.id, created: true };
  };

  async function writeOutbox(trx: Kysely<Database>, topic: TopicRow, event: EventRow, payload: unknown, basis: LegalBasisAnswer | undefined, subjectHashes: string[]): Promise<void> {
    const candidates = await trx
      .selectFrom('event_subscriptions as s')
      .innerJoin('topic_access as a', (join) => join.onRef('a.topic_id', '=', 's.topic_id').onRef('a.subscriber_id', '=', 's.subscriber_id'))
      .select(['s.id', 's.subscriber_id', 's.mode', 's.status', 's.filter', 'a.purposes'])
      .where('s.topic_id', '=', topic.id)
      .where('s.status', 'in', ['active', 'disabled'])
      .orderBy('s.id')
      .execute();
    // A subscriber receives an event only for a purpose its access right names.
    const matching = candidates.filter(
      (s) => (event.purpose === null || (JSON.parse(s.purposes) as string[]).includes(event.purpose)) && matchesFilter(payload, s.filter ? (JSON.parse(s.filter) as Filter) : null),
    );
    if (deps.dialect.name === 'postgres' && matching.some((s) => s.mode === 'pull')) {
      // A pull cursor is a delivery id, so ids must be handed out in commit order for a topic:
      // the topic's row lock makes its publications commit one after another (SQLite writes one at a time anyway).
      await trx.selectFrom('topics').select('id').where('id', '=', topic.id).forUpdate().execute();
    }
    await trx.insertInto('events').values(event).execute();
    const deliveries: Array<Insertable<DeliveryRow>> = matching.map((s) => {
      const base = { event_id: event.id, subscription_id: s.id, attempts: 0, ordering_key: event.ordering_key, created_at: event.at, locked_until: null, locked_by: null };
      if (s.mode === 'pull') return { ...base, status: 'pending', next_at: null };
      // A disabled endpoint gets nothing now, but the event waits as a dead letter: replay recovers it once enabled.
      if (s.status === 'disabled') return { ...base, status: 'dead', next_at: event.at, dead_at: event.at, last_error: 'endpoint-disabled' };
      return { ...base, status: 'pending', next_at: event.at };
    });
    for (let i = 0; i < deliveries.length; i += CHUNK) await trx.insertInto('event_deliveries').values(deliveries.slice(i, i + CHUNK)).execute();
    await deps.ledger.append(trx, {
      kind: LEAF_KIND.event,
      ref: event.id,
      at: event.at,
      record: { id: event.id, topic: event.topic_id, publisher: event.publisher_id, at: event.at, payloadDigest: event.payload_digest },
    });
    if (subjectHashes.length > 0 && basis && event.purpose !== null) {
      await deps.onPersonalEvent?.(trx, {
        eventId: event.id,
        topic: event.topic_id,
        publisher: event.publisher_id,
        at: event.at,
        purpose: event.purpose,
        legalBasis: basis.legalBasis,
        reference: basis.reference,
        subjectHashes: [...new Set(subjectHashes)],
        recipients: [...new Set(matching.map((s) => s.subscriber_id))].sort(),
      });
    }
  }
}

function checkIdempotencyKey(raw: string): string {
  // The IETF draft sends it as a structured-field string ("…"); a bare token is accepted too.
  const key = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  if (!IDEMPOTENCY_KEY.test(key)) throw new RabtaError('bad-request', 'Idempotency-Key is 1–255 visible ASCII characters', { extensions: { header: 'Idempotency-Key' } });
  return key;
}

async function sameKey(db: Kysely<Database>, publisherId: string, key: string) {
  return db.selectFrom('events').select(['id', 'topic_id', 'payload_digest']).where('publisher_id', '=', publisherId).where('idempotency_key', '=', key).executeTakeFirst();
}

/** The same key again: the original event if it is the same publication, else a refusal (the key was reused for something else). */
function replayed(earlier: { id: string; topic_id: string; payload_digest: string }, topicId: string, payloadDigest: string): Published {
  if (earlier.topic_id !== topicId || earlier.payload_digest !== payloadDigest) {
    throw new RabtaError('idempotency-key-reused', 'this Idempotency-Key was used for a different event', { extensions: { event: earlier.id } });
  }
  return { id: earlier.id, created: false };
}

function keyOf(topic: TopicRow, payload: unknown): string | null {
  if (topic.ordering_key_path === null) return null;
  const value = valueAt(payload, topic.ordering_key_path);
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new RabtaError('event-invalid', `${topic.id} orders events by ${topic.ordering_key_path}, which must be a non-empty string or a number`, {
    extensions: { topic: topic.id, errors: [{ instancePath: `/${topic.ordering_key_path.replaceAll('.', '/')}`, keyword: 'orderingKey', message: 'must be a non-empty string or a number' }] },
  });
}
