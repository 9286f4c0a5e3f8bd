import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { LEAF_KIND, subjectHash, subjectsOf, RabtaError } from '../core/index.js';
import type { LegalBasisAnswer, LegalBasisQuestion, PersonalEvent } from '../core/index.js';
import type { RegistryView } from '../registry/index.js';

import { isTrue } from '../store/index.js';
import { isUniqueViolation } from './deps.js';
import type { EventsDeps } from './deps.js';
import { findNoticeRule, renderNotice } from './notice-rules.js';
import { matchesFilter, valueAt } from './fields.js';
import type { Filter } from './fields.js';
import { eventId } from './ids.js';
import { orderingKeyHasher } from './ordering.js';
import { checkEventDepth, describeErrors } from './schemas.js';
import type { createValidatorCache } from './schemas.js';
import type { DeliveryRow, EventRow, NoticeRuleRow, TopicRow, EventsTables } from './tables.js';
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

export interface PublishBatchInput extends Omit<PublishInput, 'body'> {
  /** the body as received: `{"events": [payload, …]}` */
  body: Buffer;
}

export interface PublishedBatch {
  ids: string[];
  created: boolean;
}

/** The most events one batch publication carries: one transaction, bounded. */
export const MAX_BATCH_EVENTS = 10_000;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,240}$/;
const CHUNK = 500;
/** How many rows with errors a refused batch lists. */
const ERROR_ROWS = 100;

interface Prepared {
  event: EventRow;
  payload: unknown;
  subjects: string[];
}

/**
 * Publishing (DESIGN.md "Events and webhooks"): the topic's own subsystem
 * publishes; the body must satisfy the topic's schema; a personal topic needs a
 * purpose whose legal basis holds for every subject. Then, in one transaction
 * (the outbox): the event, one delivery per matching subscription, the ledger
 * leaf (a salted commitment to id, topic, publisher, time and the payload's
 * digest — never the payload) and the subjects' tracker rows. Workers deliver
 * from there; nothing is sent before the commit. A batch is the same for many
 * events at once: every row is checked first, and either all are written or
 * none (a refusal lists the rows at fault).
 */
export function createPublisher(deps: EventsDeps, validatorOf: ReturnType<typeof createValidatorCache>, onPublished: () => void) {
  const hashOrderingKey = orderingKeyHasher(deps.subjectSecret);
  async function publish(input: PublishInput): Promise<Published> {
    const text = input.body.toString('utf8');
    const payload = parsed(text, 'an event is a JSON document');
    checkEventDepth(payload);
    const result = await publishPrepared(input, [{ text, payload }], input.idempotencyKey === undefined ? undefined : [checkIdempotencyKey(input.idempotencyKey)]);
    return { id: result.ids[0] as string, created: result.created };
  }

  async function publishBatch(input: PublishBatchInput): Promise<PublishedBatch> {
    const list = batchEvents(parsed(input.body.toString('utf8'), 'a batch is a JSON document: {"events": [ … ]}'));
    // Each event is kept as its own JSON text, the form a webhook delivers and its digest covers.
    const items = list.map((payload: unknown) => ({ text: JSON.stringify(payload), payload }));
    const base = input.idempotencyKey === undefined ? undefined : checkIdempotencyKey(input.idempotencyKey);
    return publishPrepared(input, items, base === undefined ? undefined : items.map((_, i) => `${base}#${i}`));
  }

  async function publishPrepared(input: Omit<PublishInput, 'body'>, items: Array<{ text: string; payload: unknown }>, keys: string[] | undefined): Promise<PublishedBatch> {
    const topic = await findTopic(deps, input.topicId);
    if (topic.subsystem_id !== input.publisherId) {
      throw new RabtaError('not-topic-publisher', `only ${topic.subsystem_id} publishes ${topic.id}`, { extensions: { topic: topic.id } });
    }
    const digests = items.map((item) => createHash('sha256').update(item.text).digest('hex'));
    if (keys !== undefined) {
      const earlier = await sameKeys(deps.db, input.publisherId, keys);
      if (earlier) return replayed(earlier, topic.id, digests);
    }

    const orderingKeys = checkedOrderingKeys(topic, items, validatorOf(topic), hashOrderingKey);

    const catalogued = input.purpose === undefined ? undefined : await input.view.purpose(input.purpose);
    if (input.purpose !== undefined && !catalogued) throw new RabtaError('unknown-purpose', `purpose ${input.purpose} is not in the catalogue`);
    const personal = isTrue(topic.personal);
    if (personal && !catalogued) throw new RabtaError('purpose-required', `${topic.id} carries personal data: say why in Rabta-Purpose`);
    const at = deps.now();
    const prepared: Prepared[] = items.map((item, i) => ({
      payload: item.payload,
      subjects: personal ? subjectsOf(topic.subject_path as string, undefined, () => item.payload) : [],
      event: {
        id: eventId(at),
        topic_id: topic.id,
        publisher_id: input.publisherId,
        at,
        purpose: catalogued?.code ?? null,
        legal_basis: null,
        ordering_key: orderingKeys[i] ?? null,
        idempotency_key: keys?.[i] ?? null,
        payload: item.text,
        payload_digest: digests[i] as string,
      },
    }));
    const { basis, consented } = catalogued ? await legalBasisOf(deps, input.publisherId, topic.id, catalogued, prepared, at) : { basis: undefined, consented: undefined };

    const rule = personal ? await findNoticeRule(deps, topic.id) : undefined;
    try {
      await deps.batch.run((trx) => writeOutbox(deps, trx, topic, prepared, basis, rule, consented));
    } catch (error) {
      // Two publications with one key raced; the loser answers with the winner's events.
      if (keys !== undefined && isUniqueViolation(error)) {
        const earlier = await sameKeys(deps.db, input.publisherId, keys);
        if (earlier) return replayed(earlier, topic.id, digests);
      }
      throw error;
    }
    onPublished();
    return { ids: prepared.map((p) => p.event.id), created: true };
  }

  return { publish, publishBatch };
}

/** A topic's subscriptions that still receive (a disabled one collects dead letters), with the purposes of their access right. */
function liveSubscriptions(db: Kysely<EventsTables>, topicId: string) {
  return db
    .selectFrom('event_subscriptions as s')
    .innerJoin('topic_access as a', (join) => join.onRef('a.topic_id', '=', 's.topic_id').onRef('a.subscriber_id', '=', 's.subscriber_id'))
    .select(['s.id', 's.subscriber_id', 's.mode', 's.status', 's.filter', 'a.purposes'])
    .where('s.topic_id', '=', topicId)
    .where('s.status', 'in', ['active', 'disabled'])
    .orderBy('s.id')
    .execute();
}

/** The refusals that withhold an event from one subscriber rather than refuse the publication. */
const CONSENT_REFUSALS = new Set(['consent-missing', 'consent-revoked', 'consent-expired', 'consent-purpose-not-covered', 'consent-frequency-exceeded']);

/**
 * Consent is given to a recipient: under a consent purpose each subscriber
 * (with an access right for it) is checked for itself — the citizen's active
 * consent naming that subscriber, the publisher and the topic, for every
 * subject — and only those that pass receive the event. The publication
 * itself stands; it reaches nobody the citizens did not agree to.
 */
async function consentingSubscribers(deps: EventsDeps, topicId: string, question: Omit<LegalBasisQuestion, 'clientId'>): Promise<{ basis: LegalBasisAnswer; consented: Set<string> }> {
  const rows = await liveSubscriptions(deps.db, topicId);
  const consented = new Set<string>();
  const references: string[] = [];
  for (const row of rows) {
    if (!(JSON.parse(row.purposes) as string[]).includes(question.purpose.code) || consented.has(row.subscriber_id)) continue;
    try {
      const answer = await deps.legalBasis.check({ ...question, clientId: row.subscriber_id });
      consented.add(row.subscriber_id);
      if (answer.reference) references.push(answer.reference);
    } catch (error) {
      if (!(error instanceof RabtaError && CONSENT_REFUSALS.has(error.code))) throw error;
    }
  }
  return { basis: { legalBasis: 'consent', reference: references.length > 0 ? references.join(',') : null }, consented };
}

function invalidEvents(topic: TopicRow, count: number, invalid: Array<{ row: number; errors: unknown[] }>): RabtaError {
  const extensions = { topic: topic.id, schemaVersion: topic.version };
  if (count === 1) {
    return new RabtaError('event-invalid', `the event does not satisfy the schema of ${topic.id} (version ${topic.version})`, { extensions: { ...extensions, errors: invalid[0]?.errors ?? [] } });
  }
  return new RabtaError('event-invalid', `${invalid.length} of ${count} events do not satisfy the schema of ${topic.id} (version ${topic.version}); none was published`, {
    extensions: { ...extensions, invalidRows: invalid.length, rows: invalid.slice(0, ERROR_ROWS) },
  });
}

function checkIdempotencyKey(raw: string): string {
  // The IETF draft sends it as a structured-field string ("…"); a bare token is accepted too.
  const key = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  if (!IDEMPOTENCY_KEY.test(key)) throw new RabtaError('bad-request', 'Idempotency-Key is 1–255 visible ASCII characters', { extensions: { header: 'Idempotency-Key' } });
  return key;
}

/** The events an earlier publication with these keys made, if there was one. */
async function sameKeys(db: Kysely<EventsTables>, publisherId: string, keys: string[]) {
  const withKeys = (some: string[]) =>
    db.selectFrom('events').select(['id', 'topic_id', 'payload_digest', 'idempotency_key']).where('publisher_id', '=', publisherId).where('idempotency_key', 'in', some).execute();
  // The first key answers whether there was an earlier publication; only then are the others read.
  const first = await withKeys(keys.slice(0, 1));
  if (first.length === 0) return undefined;
  const byKey = new Map(first.map((r) => [r.idempotency_key, r]));
  for (let i = 1; i < keys.length; i += CHUNK) for (const r of await withKeys(keys.slice(i, i + CHUNK))) byKey.set(r.idempotency_key, r);
  return keys.map((k) => byKey.get(k));
}

/** The same key again: the original events if it is the same publication, else a refusal (the key was reused for something else). */
function replayed(earlier: Array<{ id: string; topic_id: string; payload_digest: string } | undefined>, topicId: string, digests: string[]): PublishedBatch {
  const first = earlier.find((e) => e !== undefined);
  if (earlier.length !== digests.length || earlier.some((e, i) => e === undefined || e.topic_id !== topicId || e.payload_digest !== digests[i])) {
    throw new RabtaError('idempotency-key-reused', 'this Idempotency-Key was used for a different publication', { extensions: first ? { event: first.id } : {} });
  }
  return { ids: earlier.map((e) => (e as { id: string }).id), created: false };
}

/** The event's ordering key, or the reason it has none although the topic asks for one. */
function keyOf(topic: TopicRow, payload: unknown): string | null | { instancePath: string; keyword: string; message: string } {
  if (topic.ordering_key_path === null) return null;
  const value = valueAt(payload, topic.ordering_key_path);
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return { instancePath: `/${topic.ordering_key_path.replaceAll('.', '/')}`, keyword: 'orderingKey', message: `must be a non-empty string or a number (${topic.id} orders events by it)` };
}

function parsed(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new RabtaError('malformed-json', what);
  }
}

/** The events of a batch document, each within the depth limit. */
function batchEvents(document: unknown): unknown[] {
  const list = (document as { events?: unknown } | null)?.events;
  if (typeof document !== 'object' || document === null || !Array.isArray(list) || list.length === 0 || list.length > MAX_BATCH_EVENTS) {
    throw new RabtaError('bad-request', `a batch is {"events": [ … ]} with 1 to ${MAX_BATCH_EVENTS} events`);
  }
  list.forEach((payload: unknown, row) => checkEventDepth(payload, row));
  return list;
}

/** Every event against the topic's schema and its ordering key (hashed); all of them, or a 422 listing the rows at fault. */
function checkedOrderingKeys(topic: TopicRow, items: ReadonlyArray<{ payload: unknown }>, validate: ReturnType<ReturnType<typeof createValidatorCache>>, hashOrderingKey: (key: string) => string): Array<string | null> {
  const invalid: Array<{ row: number; errors: ReturnType<typeof describeErrors> }> = [];
  const orderingKeys: Array<string | null> = [];
  items.forEach((item, row) => {
    if (!validate(item.payload)) invalid.push({ row, errors: describeErrors(validate.errors) });
    else {
      const key = keyOf(topic, item.payload);
      if (typeof key === 'object' && key !== null) invalid.push({ row, errors: [key] });
      else orderingKeys[row] = key === null ? null : hashOrderingKey(key);
    }
  });
  if (invalid.length > 0) throw invalidEvents(topic, items.length, invalid);
  return orderingKeys;
}

/** The legal basis of a publication: the exchange's question, with the topic where a service would be; for consent, per subscriber. */
async function legalBasisOf(
  deps: EventsDeps,
  publisherId: string,
  topicId: string,
  purposeRow: NonNullable<Awaited<ReturnType<PublishInput['view']['purpose']>>>,
  prepared: Prepared[],
  at: number,
): Promise<{ basis: LegalBasisAnswer; consented: Set<string> | undefined }> {
  const question = {
    serviceId: topicId,
    purpose: { code: purposeRow.code, legalBasis: purposeRow.legalBasis, statute: purposeRow.statute },
    subjects: [...new Set(prepared.flatMap((p) => p.subjects))],
    at,
  };
  const { basis, consented } =
    purposeRow.legalBasis === 'consent' && question.subjects.length > 0
      ? await consentingSubscribers(deps, topicId, question)
      : { basis: await deps.legalBasis.check({ ...question, clientId: publisherId }), consented: undefined };
  for (const p of prepared) p.event.legal_basis = basis.legalBasis;
  return { basis, consented };
}

/**
 * The outbox, in the publishing transaction: the events, a delivery for each
 * subscription whose access right, consent and filter let the event through,
 * a ledger leaf per event, and the tracker's rows of personal events.
 */
async function writeOutbox(
  deps: EventsDeps,
  trx: Kysely<EventsTables>,
  topic: TopicRow,
  prepared: Prepared[],
  basis: LegalBasisAnswer | undefined,
  rule: NoticeRuleRow | undefined,
  consented: Set<string> | undefined,
): Promise<void> {
  const candidates = await liveSubscriptions(trx, topic.id);
  const purpose = prepared[0]?.event.purpose ?? null;
  // A subscriber receives an event only for a purpose its access right names.
  const allowed = candidates.filter(
    (s) => (purpose === null || (JSON.parse(s.purposes) as string[]).includes(purpose)) && (consented === undefined || consented.has(s.subscriber_id)),
  );
  const filters = new Map(allowed.map((s) => [s.id, s.filter ? (JSON.parse(s.filter) as Filter) : null]));
  if (!deps.dialect.serializesWrites && allowed.some((s) => s.mode === 'pull')) {
    // A pull cursor is a delivery id, so ids must be handed out in commit order for a topic:
    // the topic's row lock makes its publications commit one after another (a database that writes one at a time needs none).
    await trx.selectFrom('topics').select('id').where('id', '=', topic.id).forUpdate().execute();
  }
  for (let i = 0; i < prepared.length; i += CHUNK) await trx.insertInto('events').values(prepared.slice(i, i + CHUNK).map((p) => p.event)).execute();
  const deliveries: Array<Insertable<DeliveryRow>> = [];
  const personal: PersonalEvent[] = [];
  for (const { event, payload, subjects } of prepared) {
    const matching = allowed.filter((s) => matchesFilter(payload, filters.get(s.id) ?? null));
    for (const s of matching) {
      const base = { event_id: event.id, subscription_id: s.id, attempts: 0, ordering_key: event.ordering_key, created_at: event.at, locked_until: null, locked_by: null };
      if (s.mode === 'pull') deliveries.push({ ...base, status: 'pending', next_at: null });
      // A disabled endpoint gets nothing now, but the event waits as a dead letter: replay recovers it once enabled.
      else if (s.status === 'disabled') deliveries.push({ ...base, status: 'dead', next_at: event.at, dead_at: event.at, last_error: 'endpoint-disabled' });
      else deliveries.push({ ...base, status: 'pending', next_at: event.at });
    }
    if (subjects.length > 0 && basis && event.purpose !== null) {
      personal.push({
        eventId: event.id,
        topic: event.topic_id,
        publisher: event.publisher_id,
        at: event.at,
        purpose: event.purpose,
        legalBasis: basis.legalBasis,
        reference: basis.reference,
        subjectHashes: [...new Set(subjects.map((s) => subjectHash(deps.subjectSecret, s)))],
        recipients: [...new Set(matching.map((s) => s.subscriber_id))].sort(),
        ...(rule ? { notice: renderNotice(rule, payload) } : {}),
      });
    }
  }
  for (let i = 0; i < deliveries.length; i += CHUNK) await trx.insertInto('event_deliveries').values(deliveries.slice(i, i + CHUNK)).execute();
  await deps.ledger.appendAll(
    trx,
    prepared.map(({ event }) => ({
      kind: LEAF_KIND.event,
      ref: event.id,
      at: event.at,
      record: { id: event.id, topic: event.topic_id, publisher: event.publisher_id, at: event.at, payloadDigest: event.payload_digest },
    })),
  );
  if (personal.length > 0) await deps.onPersonalEvents?.(trx, personal);
}
