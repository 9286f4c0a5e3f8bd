import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { RabtaError } from '../core/index.js';

import type { CaseActor } from './actors.js';
import { requireCategory } from './catalogue.js';
import type { CasesDeps } from './deps.js';
import { openCase } from './open.js';
import { FINISHED } from './states.js';
import type { CasesTables } from './tables.js';
import { tablesOf } from '../store/index.js';
import type { Connection } from '../store/index.js';

export interface CaseRuleInput {
  topic: string;
  category: string;
  lead: string;
  partners?: string[] | undefined;
  /** no second case for the same subject and rule while one opened within this many days is still open */
  withinDays?: number | undefined;
}

export interface CaseRule {
  id: string;
  member: string;
  topic: string;
  category: string;
  lead: string;
  partners: string[];
  withinDays: number;
}

/**
 * "When withdrawal.failed is published, open a case in category X, lead HBL,
 * partner BISP, for the event's subject, unless one is open for the same
 * subject and rule within N days." An institution attaches such a rule to a
 * topic it receives or publishes; the rule's member must be the lead or a partner.
 */
export async function addRule(deps: CasesDeps, actor: CaseActor, member: string, input: CaseRuleInput, topicExists: (id: string) => Promise<boolean>): Promise<CaseRule> {
  if (actor.kind === 'institution' ? actor.member !== member : actor.kind !== 'authority' && actor.kind !== 'system') throw new RabtaError('forbidden', 'an institution attaches rules only for itself');
  const partners = [...new Set(input.partners ?? [])];
  if (member !== input.lead && !partners.includes(member)) throw new RabtaError('bad-request', 'the institution attaching a rule is its lead or one of its partners');
  await requireCategory(deps.db, input.category);
  if (!(await topicExists(input.topic))) throw new RabtaError('unknown-topic', `no topic ${input.topic}`);
  for (const m of [input.lead, ...partners]) if (!(await deps.directory.memberExists(m))) throw new RabtaError('bad-request', `no such member: ${m}`);
  const withinDays = input.withinDays ?? 30;
  if (!Number.isInteger(withinDays) || withinDays < 0 || withinDays > 365) throw new RabtaError('bad-request', 'withinDays is a whole number of days, 0 to 365');
  const row = { id: randomUUID(), member_id: member, topic_id: input.topic, category: input.category, lead_member: input.lead, partners: JSON.stringify(partners), within_days: withinDays, created_at: deps.now() };
  await deps.db.insertInto('case_rules').values(row).execute();
  return { id: row.id, member, topic: row.topic_id, category: row.category, lead: row.lead_member, partners, withinDays };
}

export async function listRules(db: Kysely<CasesTables>, member?: string): Promise<CaseRule[]> {
  let q = db.selectFrom('case_rules').selectAll();
  if (member) q = q.where('member_id', '=', member);
  return (await q.orderBy('created_at').execute()).map((r) => ({ id: r.id, member: r.member_id, topic: r.topic_id, category: r.category, lead: r.lead_member, partners: JSON.parse(r.partners) as string[], withinDays: r.within_days }));
}

/** In the publishing transaction: each subject of an event on a ruled topic becomes a pending match (nothing lost if the process dies after the commit). */
export async function matchEvents(connection: Connection, events: Array<{ eventId: string; topic: string; at: number; subjectHashes: string[] }>): Promise<void> {
  const trx = tablesOf<CasesTables>(connection);
  const topics = [...new Set(events.map((e) => e.topic))];
  if (topics.length === 0) return;
  const rules = await trx.selectFrom('case_rules').select(['id', 'topic_id']).where('topic_id', 'in', topics).execute();
  if (rules.length === 0) return;
  const rows = events.flatMap((e) => rules.filter((r) => r.topic_id === e.topic).flatMap((r) => e.subjectHashes.map((subject_hash) => ({ rule_id: r.id, event_id: e.eventId, subject_hash, at: e.at, done_at: null, case_id: null }))));
  for (let i = 0; i < rows.length; i += 500) await trx.insertInto('case_rule_matches').values(rows.slice(i, i + 500)).onConflict((oc) => oc.doNothing()).execute();
}

/** Opens the cases of pending matches, at most `limit`; returns how many matches it settled. */
export async function openMatched(deps: CasesDeps, limit = 100): Promise<number> {
  const pending = await deps.db.selectFrom('case_rule_matches').selectAll().where('done_at', 'is', null).orderBy('id').limit(limit).execute();
  for (const match of pending) {
    const rule = await deps.db.selectFrom('case_rules').selectAll().where('id', '=', match.rule_id).executeTakeFirst();
    const day = 86_400_000;
    const open = rule
      ? await deps.db
          .selectFrom('cases')
          .select('id')
          .where('rule_id', '=', rule.id)
          .where('subject_hash', '=', match.subject_hash)
          .where('opened_at', '>=', match.at - rule.within_days * day)
          .where('state', 'not in', [...FINISHED])
          .executeTakeFirst()
      : undefined;
    let caseId: string | null = null;
    if (rule && !open) {
      const known = await deps.citizens.bySubject(match.subject_hash);
      const row = await openCase(deps, { kind: 'system', by: `rule:${rule.id}` }, {
        category: rule.category,
        lead: rule.lead_member,
        partners: JSON.parse(rule.partners) as string[],
        text: `Opened by rule ${rule.id} from event ${match.event_id} on ${rule.topic_id}.`,
        citizen: known ? { mobile: known.mobile, language: known.language, known: { subjectHash: match.subject_hash, maskedCnic: known.maskedCnic } } : undefined,
        channel: 'rule',
        intake: rule.member_id,
        eventId: match.event_id,
        ruleId: rule.id,
      });
      if (!known) await deps.db.updateTable('cases').set({ subject_hash: match.subject_hash }).where('id', '=', row.id).execute();
      caseId = row.id;
    }
    await deps.db.updateTable('case_rule_matches').set({ done_at: deps.now(), case_id: caseId }).where('id', '=', match.id).where('done_at', 'is', null).execute();
  }
  return pending.length;
}
