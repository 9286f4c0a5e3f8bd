import { createHash } from 'node:crypto';
import { assertCode, RabtaError } from '../core/index.js';
import type { Actor } from '../core/index.js';
import { bool, conflictOnDuplicate, isTrue, underMember } from '../store/index.js';
import { change, iso, requireMemberScope } from './deps.js';
import type { EventsDeps } from './deps.js';
import { checkFieldPath, checkSubjectPath } from './fields.js';
import { compileSchema } from './schemas.js';
import type { TopicRow } from './tables.js';

export interface TopicInput {
  code: string;
  title: string;
  schema: object;
  personal?: boolean;
  /** where a personal topic's subjects are in the payload: `cnic`, `beneficiary.cnic`, `rows[].cnic` */
  subjectPath?: string | null;
  /** a field whose value orders delivery: events with the same key reach each subscriber in order */
  orderingKeyPath?: string | null;
  retentionDays?: number;
}

export type TopicUpdate = Partial<Omit<TopicInput, 'code'>>;

export interface Topic {
  id: string;
  subsystemId: string;
  memberId: string;
  code: string;
  title: string;
  version: number;
  schemaDigest: string;
  personal: boolean;
  subjectPath: string | null;
  orderingKeyPath: string | null;
  retentionDays: number;
  createdAt: string;
  updatedAt: string;
}

export const DEFAULT_RETENTION_DAYS = 30;
const MAX_SCHEMA_BYTES = 64 * 1024;

/** A member declares a topic on one of its subsystems: an event type with a JSON Schema. */
export async function createTopic(deps: EventsDeps, actor: Actor, subsystemId: string, input: TopicInput): Promise<Topic> {
  const subsystem = await deps.registry.getSubsystem(subsystemId);
  requireMemberScope(actor, subsystem.memberId);
  assertCode(input.code, 'topic code');
  const now = deps.now();
  const schema = checkSchema(input.schema);
  const row: TopicRow = {
    id: `${subsystemId}/${input.code}`,
    subsystem_id: subsystemId,
    code: input.code,
    title: input.title,
    schema,
    schema_digest: digest(schema),
    version: 1,
    personal: bool(input.personal ?? false),
    subject_path: input.subjectPath ?? null,
    ordering_key_path: input.orderingKeyPath ?? null,
    retention_days: input.retentionDays ?? DEFAULT_RETENTION_DAYS,
    created_at: now,
    updated_at: now,
  };
  checkTopic(row);
  await conflictOnDuplicate('topic', row.id, () => change(deps, actor, 'topic.create', row.id, describe(row), (db) => db.insertInto('topics').values(row).execute()));
  return toTopic(row);
}

/** A new schema or setting is a new version; events already published keep the version they were checked against. */
export async function updateTopic(deps: EventsDeps, actor: Actor, topicId: string, input: TopicUpdate): Promise<Topic> {
  const current = await findTopic(deps, topicId);
  requireMemberScope(actor, memberOf(current));
  const schema = input.schema === undefined ? current.schema : checkSchema(input.schema);
  const next: TopicRow = {
    ...current,
    title: input.title ?? current.title,
    schema,
    schema_digest: digest(schema),
    version: current.version + 1,
    personal: input.personal === undefined ? current.personal : bool(input.personal),
    subject_path: input.subjectPath === undefined ? current.subject_path : input.subjectPath,
    ordering_key_path: input.orderingKeyPath === undefined ? current.ordering_key_path : input.orderingKeyPath,
    retention_days: input.retentionDays ?? current.retention_days,
    updated_at: deps.now(),
  };
  checkTopic(next);
  await change(deps, actor, 'topic.update', topicId, describe(next), async (db) => {
    // Versions only go up, even when two operators edit at once.
    const result = await db.updateTable('topics').set(next).where('id', '=', topicId).where('version', '=', current.version).executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new RabtaError('conflict', `topic ${topicId} changed meanwhile; try again`);
  });
  return toTopic(next);
}

export async function listTopics(deps: EventsDeps, filter: { memberId?: string; subsystemId?: string } = {}): Promise<Topic[]> {
  let query = deps.db.selectFrom('topics').selectAll().orderBy('id');
  if (filter.memberId) query = query.where(underMember('id', filter.memberId));
  if (filter.subsystemId) query = query.where('subsystem_id', '=', filter.subsystemId);
  return (await query.execute()).map(toTopic);
}

export async function getTopic(deps: EventsDeps, topicId: string): Promise<Topic & { schema: unknown }> {
  const row = await findTopic(deps, topicId);
  return { ...toTopic(row), schema: JSON.parse(row.schema) as unknown };
}

export async function findTopicRow(deps: Pick<EventsDeps, 'db'>, topicId: string): Promise<TopicRow | undefined> {
  return deps.db.selectFrom('topics').selectAll().where('id', '=', topicId).executeTakeFirst();
}

export async function findTopic(deps: Pick<EventsDeps, 'db'>, topicId: string): Promise<TopicRow> {
  const row = await findTopicRow(deps, topicId);
  if (!row) throw new RabtaError('unknown-topic', `no topic ${topicId}`, { extensions: { topic: topicId } });
  return row;
}

function checkSchema(schema: object): string {
  const text = JSON.stringify(schema);
  if (Buffer.byteLength(text) > MAX_SCHEMA_BYTES) throw new RabtaError('schema-refused', `a topic schema is at most ${MAX_SCHEMA_BYTES} bytes`, { extensions: { maxBytes: MAX_SCHEMA_BYTES } });
  compileSchema(schema);
  return text;
}

function checkTopic(row: TopicRow): void {
  if (row.subject_path !== null) checkSubjectPath(row.subject_path);
  if (row.ordering_key_path !== null) checkFieldPath(row.ordering_key_path, 'orderingKeyPath');
  if (isTrue(row.personal) && row.subject_path === null) throw new RabtaError('bad-request', 'a personal topic must say where its subjects are (subjectPath)');
  if (!Number.isInteger(row.retention_days) || row.retention_days < 1 || row.retention_days > 3650) throw new RabtaError('bad-request', 'retentionDays is 1–3650');
}

const digest = (text: string): string => createHash('sha256').update(text).digest('hex');

export const memberOf = (row: { subsystem_id: string }): string => row.subsystem_id.split('/').slice(0, 3).join('/');

type TopicSettings = Pick<Topic, 'title' | 'version' | 'schemaDigest' | 'personal' | 'subjectPath' | 'orderingKeyPath' | 'retentionDays'>;

/** What the public journal says of a topic: its settings and the schema's digest, never the schema (a leaf is at most 64 KiB). */
function describe(row: TopicRow): TopicSettings {
  return {
    title: row.title,
    version: row.version,
    schemaDigest: row.schema_digest,
    personal: isTrue(row.personal),
    subjectPath: row.subject_path,
    orderingKeyPath: row.ordering_key_path,
    retentionDays: row.retention_days,
  };
}

export function toTopic(row: TopicRow): Topic {
  return {
    id: row.id,
    subsystemId: row.subsystem_id,
    memberId: memberOf(row),
    code: row.code,
    ...describe(row),
    createdAt: iso(row.created_at) as string,
    updatedAt: iso(row.updated_at) as string,
  };
}
