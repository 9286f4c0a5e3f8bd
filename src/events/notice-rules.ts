import type { Actor, RenderedNotice } from '../core/index.js';
import { RabtaError } from '../core/index.js';
import { measureSms, renderCitizenMessage } from '../notify/index.js';
import type { Language } from '../core/index.js';
import { bool, isTrue } from '../store/index.js';
import { change, requireMemberScope } from './deps.js';
import type { EventsDeps } from './deps.js';
import { checkFieldPath, valueAt } from './fields.js';
import type { NoticeRuleRow } from './tables.js';
import { findTopic, memberOf } from './topics.js';

/**
 * A citizen notification rule: the institution that owns a personal topic says
 * what each subject of its events is told by SMS, in Urdu and in English, with
 * `{field.path}` placeholders filled from the event. A rule marked `status`
 * also answers the citizen's STATUS / حالت text with the latest such event.
 */
export interface NoticeRuleInput {
  ur: string;
  en: string;
  status?: boolean;
}

export interface NoticeRule {
  topic: string;
  ur: string;
  en: string;
  status: boolean;
  fields: string[];
  updatedAt: string;
}


const PLACEHOLDER = /\{([^{}]*)\}/g;
/**
 * A notice as the phone receives it — the institution's name first, the rule's
 * text with values filled in, the fee warning last — fits in this many SMS
 * parts in either language (two UCS-2 parts hold 134 characters of Urdu).
 */
export const MAX_NOTICE_PARTS = 2;
/** What a string placeholder is taken to hold when its schema sets no maxLength: a district's name (مظفر گڑھ); a topic that declares maxLength is checked exactly. */
const UNBOUNDED_LENGTH = 12;
/** What a number is taken to be when its schema sets no maximum: an amount in rupees, 100,000. */
const UNBOUNDED_NUMBER = 100_000;

export async function setNoticeRule(deps: EventsDeps, actor: Actor, topicId: string, input: NoticeRuleInput): Promise<NoticeRule> {
  const topic = await findTopic(deps, topicId);
  requireMemberScope(actor, memberOf(topic));
  if (!isTrue(topic.personal)) throw new RabtaError('bad-request', `${topic.id} is not personal: it has no subjects to notify`);
  const fields = [...new Set([...placeholders(input.ur, 'ur'), ...placeholders(input.en, 'en')])];
  const known = schemaFields(JSON.parse(topic.schema) as unknown);
  const unknown = fields.filter((f) => !known.has(f));
  if (unknown.length > 0) {
    throw new RabtaError('bad-request', `the template names fields the schema of ${topic.id} does not declare: ${unknown.join(', ')}`, { extensions: { fields: unknown } });
  }
  const member = await deps.registry.getMember(memberOf(topic)).catch(() => undefined);
  for (const language of ['ur', 'en'] as const) {
    const institution = language === 'ur' ? (member?.nameUr ?? memberOf(topic)) : (member?.nameEn ?? memberOf(topic));
    checkRenderedLength(language, institution, input[language], known);
  }
  const now = deps.now();
  const row: NoticeRuleRow = { topic_id: topic.id, text_ur: input.ur, text_en: input.en, status_reply: bool(input.status ?? false), created_at: now, updated_at: now };
  await change(deps, actor, 'topic.notice-rule.set', topic.id, { ur: row.text_ur, en: row.text_en, status: input.status ?? false }, async (db) => {
    await db.deleteFrom('topic_notice_rules').where('topic_id', '=', topic.id).execute();
    await db.insertInto('topic_notice_rules').values(row).execute();
  });
  return toRule(row);
}

export async function getNoticeRule(deps: EventsDeps, topicId: string): Promise<NoticeRule> {
  const row = await findNoticeRule(deps, topicId);
  if (!row) throw new RabtaError('not-found', `${topicId} has no notification rule`, { extensions: { topic: topicId } });
  return toRule(row);
}

export async function deleteNoticeRule(deps: EventsDeps, actor: Actor, topicId: string): Promise<void> {
  const topic = await findTopic(deps, topicId);
  requireMemberScope(actor, memberOf(topic));
  await getNoticeRule(deps, topicId);
  await change(deps, actor, 'topic.notice-rule.delete', topic.id, {}, (db) => db.deleteFrom('topic_notice_rules').where('topic_id', '=', topic.id).execute());
}

export async function findNoticeRule(deps: Pick<EventsDeps, 'db'>, topicId: string): Promise<NoticeRuleRow | undefined> {
  return deps.db.selectFrom('topic_notice_rules').selectAll().where('topic_id', '=', topicId).executeTakeFirst();
}

/** The rule's texts with this event's values; a value the event lacks reads as a dash, never as the placeholder. */
export function renderNotice(rule: NoticeRuleRow, payload: unknown): RenderedNotice {
  const fill = (text: string) =>
    text.replace(PLACEHOLDER, (_, path: string) => {
      const value = valueAt(payload, path.trim());
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '–';
    });
  return { ur: fill(rule.text_ur), en: fill(rule.text_en), status: isTrue(rule.status_reply) };
}

function placeholders(text: unknown, language: string): string[] {
  if (typeof text !== 'string' || text.trim() === '') throw new RabtaError('bad-request', `the ${language} text is missing`);
  return [...text.matchAll(PLACEHOLDER)].map((m) => checkFieldPath((m[1] as string).trim(), 'a placeholder'));
}

/**
 * The limit is on what the citizen's phone receives, not on the template: the
 * rule is rendered as the SMS is, header and fee warning included, with each
 * placeholder at the longest its schema allows (a maxLength, a maximum; else
 * a district's name or a six-figure amount), and its parts are counted.
 */
function checkRenderedLength(language: Language, institution: string, text: string, fields: ReadonlyMap<string, FieldSchema>): void {
  const filled = text.replace(PLACEHOLDER, (_, path: string) => sampleOf(fields.get(path.trim()), language));
  const { parts, encoding } = measureSms(renderCitizenMessage(language, 'event-notice', { institution, text: filled }));
  if (parts > MAX_NOTICE_PARTS) {
    throw new RabtaError('bad-request', `the ${language} notice takes ${parts} SMS parts (${encoding}) with the institution's name, its values at their longest and the fee warning; at most ${MAX_NOTICE_PARTS}`, {
      extensions: { language, parts, maxParts: MAX_NOTICE_PARTS },
    });
  }
}

interface FieldSchema {
  type?: unknown;
  format?: unknown;
  maxLength?: unknown;
  maximum?: unknown;
}

function sampleOf(field: FieldSchema | undefined, language: Language): string {
  if (field?.type === 'integer' || field?.type === 'number') return String(typeof field.maximum === 'number' ? field.maximum : UNBOUNDED_NUMBER);
  if (field?.format === 'date') return '2026-12-31';
  if (field?.format === 'date-time') return '2026-12-31T23:59:59Z';
  if (field?.type === 'boolean') return 'false';
  const length = typeof field?.maxLength === 'number' ? field.maxLength : UNBOUNDED_LENGTH;
  return (language === 'ur' ? 'ب' : 'x').repeat(length);
}

/** Every dotted path to a declared property of an object schema (nested objects included), with its schema. */
function schemaFields(schema: unknown, prefix = '', into = new Map<string, FieldSchema>()): Map<string, FieldSchema> {
  const properties = (schema as { properties?: Record<string, unknown> } | null)?.properties;
  if (!properties || typeof properties !== 'object') return into;
  for (const [name, sub] of Object.entries(properties)) {
    into.set(`${prefix}${name}`, (sub ?? {}) as FieldSchema);
    schemaFields(sub, `${prefix}${name}.`, into);
  }
  return into;
}

function toRule(row: NoticeRuleRow): NoticeRule {
  return {
    topic: row.topic_id,
    ur: row.text_ur,
    en: row.text_en,
    status: isTrue(row.status_reply),
    fields: [...new Set([...row.text_ur.matchAll(PLACEHOLDER), ...row.text_en.matchAll(PLACEHOLDER)].map((m) => (m[1] as string).trim()))],
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
