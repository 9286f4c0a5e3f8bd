import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { RabtaError } from '../core/index.js';
import type { CaseTemplate, CitizenTemplateParams } from '../notify/index.js';
import { requireLead, requireOnCase } from './actors.js';
import type { CaseActor } from './actors.js';
import { escalationLevels, holidays, requireAuthorityActor, requireCategory } from './catalogue.js';
import { recordChange } from './changes.js';
import type { CasesDeps } from './deps.js';
import { caseText, dueParam } from './messages.js';
import { loadCase, partnersOf } from './load.js';
import { triageIn } from './open.js';
import { recordCorrection } from './routing.js';
import { isFinished } from './states.js';
import type { CaseRow, CasesTables } from './tables.js';
import { finishTasks, openTask } from './tasks.js';
import type { Language } from '../core/index.js';

/** Runs one change of one case in one transaction, reading the case inside it. */
async function change<T>(deps: CasesDeps, key: string, fn: (trx: Kysely<CasesTables>, row: CaseRow, partners: string[]) => Promise<T>): Promise<T> {
  return deps.db.transaction().execute(async (trx) => {
    const row = await loadCase(trx, key);
    return fn(trx, row, await partnersOf(trx, row.id));
  });
}

async function tell<K extends CaseTemplate>(deps: CasesDeps, row: CaseRow, template: K, params: CitizenTemplateParams[K]): Promise<void> {
  if (!row.mobile) return;
  const language = row.language as Language;
  // A lost SMS does not undo a committed change; the citizen can always text the reference.
  await deps.sms.send(row.mobile, language, caseText(deps, language, template, params)).catch(() => undefined);
}

async function requireMember(deps: CasesDeps, member: string): Promise<void> {
  if (!(await deps.directory.memberExists(member))) throw new RabtaError('bad-request', `no such member: ${member}`);
}

/** The triage officer (the authority) sets the category and the lead of a case in the queue. */
export async function triage(deps: CasesDeps, actor: CaseActor, key: string, input: { category: string; lead?: string | undefined }): Promise<CaseRow> {
  requireAuthorityActor(actor, 'triage cases');
  const category = await requireCategory(deps.db, input.category);
  const lead = input.lead ?? category.lead_member;
  if (!lead) throw new RabtaError('bad-request', `category ${category.code} has no default lead: name one`);
  await requireMember(deps, lead);
  return change(deps, key, async (trx, row) => {
    const next = await triageIn(trx, deps, row, category, lead, actor);
    await recordCorrection(trx, row.id, category.code, actor.by, next.updated_at);
    return next;
  });
}

/** The lead takes the case up: its first response; the resolution deadline starts to bind. */
export async function accept(deps: CasesDeps, actor: CaseActor, key: string): Promise<CaseRow> {
  return change(deps, key, async (trx, row, partners) => {
    requireOnCase(row, partners, actor);
    requireLead(row, actor, 'take the case up');
    const { row: next } = await recordChange(trx, deps, row, { kind: 'accepted', to: 'in-progress', actor, topic: 'case.assigned', detail: { lead: row.lead_member } });
    await finishTasks(trx, row.id, ['respond'], 'done', next.updated_at);
    await openTask(trx, deps, next, { kind: 'resolve', title: 'resolve', assignee: next.lead_member, dueAt: next.resolution_due, level: next.escalation_level });
    return next;
  });
}

export async function addPartner(deps: CasesDeps, actor: CaseActor, key: string, member: string): Promise<CaseRow> {
  await requireMember(deps, member);
  return change(deps, key, async (trx, row, partners) => {
    requireOnCase(row, partners, actor);
    requireLead(row, actor, 'add a partner');
    if (isFinished(row.state)) throw new RabtaError('case-state', `case ${row.reference} is ${row.state}`);
    if (member === row.lead_member || partners.includes(member)) throw new RabtaError('conflict', `${member} is already on case ${row.reference}`);
    await trx.insertInto('case_partners').values({ case_id: row.id, member_id: member, added_at: deps.now() }).execute();
    return (await recordChange(trx, deps, row, { kind: 'partner-added', actor, topic: 'case.assigned', detail: { partner: member } })).row;
  });
}

export async function assignTask(deps: CasesDeps, actor: CaseActor, key: string, input: { assignee: string; title: string; dueDays?: number | undefined }) {
  if (!input.title.trim() || input.title.length > 200) throw new RabtaError('bad-request', 'a task has a title of 1–200 characters');
  if (input.dueDays !== undefined && (!Number.isFinite(input.dueDays) || input.dueDays <= 0 || input.dueDays > 365)) throw new RabtaError('bad-request', 'dueDays must be a number of working days between 0 and 365');
  return change(deps, key, async (trx, row, partners) => {
    requireOnCase(row, partners, actor);
    if (isFinished(row.state) || row.state === 'resolved') throw new RabtaError('case-state', `case ${row.reference} is ${row.state}`);
    if (input.assignee !== row.lead_member && !partners.includes(input.assignee)) throw new RabtaError('bad-request', `${input.assignee} is not on case ${row.reference}: add it as a partner first`);
    const at = deps.now();
    const dueAt = input.dueDays !== undefined ? deps.calendar.addWorkingDays(at, input.dueDays, await holidays(trx)) : row.resolution_due;
    const task = await openTask(trx, deps, row, { kind: 'task', title: input.title.trim(), assignee: input.assignee, dueAt, level: 0 });
    const { row: next } = await recordChange(trx, deps, row, { kind: 'task-assigned', actor, topic: 'case.assigned', detail: { assignee: input.assignee, task: task.id } });
    return { case: next, task };
  });
}

export async function completeTask(deps: CasesDeps, actor: CaseActor, key: string, taskId: string): Promise<CaseRow> {
  return change(deps, key, async (trx, row, partners) => {
    requireOnCase(row, partners, actor);
    const task = await trx.selectFrom('case_tasks').selectAll().where('id', '=', taskId).where('case_id', '=', row.id).executeTakeFirst();
    if (!task || task.kind !== 'task') throw new RabtaError('not-found', `case ${row.reference} has no task ${taskId}`);
    if (actor.kind === 'institution' && actor.member !== task.assignee_member && actor.member !== row.lead_member) throw new RabtaError('forbidden', 'only the assignee or the lead completes a task');
    if (task.state !== 'open') throw new RabtaError('case-state', `task ${taskId} is ${task.state}`);
    const at = deps.now();
    await trx.updateTable('case_tasks').set({ state: 'done', completed_at: at }).where('id', '=', task.id).where('state', '=', 'open').execute();
    return (await recordChange(trx, deps, row, { kind: 'task-completed', actor, detail: { task: task.id, assignee: task.assignee_member } })).row;
  });
}

export async function addNote(deps: CasesDeps, actor: CaseActor, key: string, input: { text: string; visibility: 'internal' | 'citizen' }) {
  const text = input.text.trim();
  if (!text || [...text].length > 4000) throw new RabtaError('bad-request', 'a note has 1–4,000 characters');
  if (input.visibility !== 'internal' && input.visibility !== 'citizen') throw new RabtaError('bad-request', 'visibility is internal or citizen');
  const result = await change(deps, key, async (trx, row, partners) => {
    requireOnCase(row, partners, actor);
    const id = randomUUID();
    await trx.insertInto('case_notes').values({ id, case_id: row.id, author: actor.kind === 'institution' ? actor.member : actor.kind, visibility: input.visibility, text, at: deps.now() }).execute();
    const { row: next } = await recordChange(trx, deps, row, { kind: 'note', actor, citizenVisible: input.visibility === 'citizen', detail: { note: id, visibility: input.visibility } });
    return { case: next, noteId: id };
  });
  return result;
}

/** The lead hands the case to another institution; its deadlines start again from the category's. */
export async function transfer(deps: CasesDeps, actor: CaseActor, key: string, input: { to: string; reason: string }): Promise<CaseRow> {
  await requireMember(deps, input.to);
  if (!input.reason.trim()) throw new RabtaError('bad-request', 'say why the case is transferred');
  return change(deps, key, async (trx, row, partners) => {
    requireOnCase(row, partners, actor);
    requireLead(row, actor, 'transfer the case');
    if (input.to === row.lead_member) throw new RabtaError('conflict', `${input.to} already leads case ${row.reference}`);
    const at = deps.now();
    const days = await holidays(trx);
    const category = row.category ? await requireCategory(trx, row.category) : undefined;
    const firstResponse = deps.calendar.addWorkingDays(at, category?.first_response_days ?? 1, days);
    const resolution = deps.calendar.addWorkingDays(at, category?.resolution_days ?? 5, days);
    await trx.deleteFrom('case_partners').where('case_id', '=', row.id).where('member_id', '=', input.to).execute();
    await finishTasks(trx, row.id, ['respond', 'resolve'], 'cancelled', at);
    const { row: next } = await recordChange(trx, deps, row, {
      kind: 'transferred',
      to: 'transferred',
      actor,
      topic: 'case.assigned',
      set: { lead_member: input.to, state_reason: input.reason.trim().slice(0, 500), first_response_due: firstResponse, resolution_due: resolution, escalation_level: 0 },
      detail: { from: row.lead_member, to: input.to },
    });
    await openTask(trx, deps, next, { kind: 'respond', title: 'first response', assignee: input.to, dueAt: firstResponse, level: 0 });
    return next;
  });
}

/** The lead proposes that the case is resolved; the citizen is asked to confirm within the configured time. */
export async function resolve(deps: CasesDeps, actor: CaseActor, key: string, input: { note?: string | undefined } = {}): Promise<CaseRow> {
  const note = input.note?.trim() ? input.note.trim().slice(0, 300) : null;
  const row = await change(deps, key, async (trx, row, partners) => {
    requireOnCase(row, partners, actor);
    requireLead(row, actor, 'resolve the case');
    const at = deps.now();
    const confirmBy = deps.calendar.addWorkingDays(at, deps.settings.confirmDays, await holidays(trx));
    await finishTasks(trx, row.id, ['respond', 'resolve'], 'done', at);
    if (note) await trx.insertInto('case_notes').values({ id: randomUUID(), case_id: row.id, author: actor.kind === 'institution' ? actor.member : actor.kind, visibility: 'citizen', text: note, at }).execute();
    const { row: next } = await recordChange(trx, deps, row, { kind: 'resolved', to: 'resolved', actor, topic: 'case.resolved', detail: { confirmBy: new Date(confirmBy).toISOString() } });
    await openTask(trx, deps, next, { kind: 'confirm', title: 'citizen confirms', assignee: null, dueAt: confirmBy, level: 0 });
    return next;
  });
  await tell(deps, row, 'case-confirm', { reference: row.reference, lead: row.lead_member ?? '', note: note ?? '' });
  return row;
}

export async function reject(deps: CasesDeps, actor: CaseActor, key: string, reason: string): Promise<CaseRow> {
  const why = reason.trim();
  if (!why || why.length > 500) throw new RabtaError('bad-request', 'a rejection has a reason of 1–500 characters, which the citizen reads');
  const row = await change(deps, key, async (trx, row, partners) => {
    requireOnCase(row, partners, actor);
    if (row.state === 'new') requireAuthorityActor(actor, 'reject a case in triage');
    else requireLead(row, actor, 'reject the case');
    const at = deps.now();
    await finishTasks(trx, row.id, ['respond', 'resolve', 'task', 'confirm'], 'cancelled', at);
    return (await recordChange(trx, deps, row, { kind: 'rejected', to: 'rejected', actor, topic: 'case.closed', set: { state_reason: why, closed_at: at } })).row;
  });
  await tell(deps, row, 'case-rejected', { reference: row.reference, reason: why });
  return row;
}

export async function markDuplicate(deps: CasesDeps, actor: CaseActor, key: string, of: string): Promise<CaseRow> {
  const original = await loadCase(deps.db, of);
  return change(deps, key, async (trx, row, partners) => {
    requireOnCase(row, partners, actor);
    if (row.state === 'new') requireAuthorityActor(actor, 'mark a case in triage as a duplicate');
    else requireLead(row, actor, 'mark the case as a duplicate');
    if (original.id === row.id) throw new RabtaError('bad-request', 'a case is not a duplicate of itself');
    const at = deps.now();
    await finishTasks(trx, row.id, ['respond', 'resolve', 'task', 'confirm'], 'cancelled', at);
    return (await recordChange(trx, deps, row, { kind: 'duplicate', to: 'duplicate', actor, topic: 'case.closed', set: { duplicate_of: original.id, state_reason: original.reference, closed_at: at }, detail: { of: original.reference } })).row;
  });
}

/**
 * The citizen's answer to "was it resolved?": 1 closes it (with an optional
 * 1–5 satisfaction), 2 reopens it and escalates it one level at the lead.
 * A rating alone ("1 4" after closing) is recorded on a closed case.
 */
export async function citizenAnswer(deps: CasesDeps, by: string, key: string, answer: { solved: boolean; satisfaction?: number | undefined }): Promise<CaseRow> {
  const actor: CaseActor = { kind: 'citizen', by };
  if (answer.satisfaction !== undefined && (!Number.isInteger(answer.satisfaction) || answer.satisfaction < 1 || answer.satisfaction > 5)) throw new RabtaError('bad-request', 'satisfaction is 1 to 5');
  const row = await change(deps, key, async (trx, row) => {
    const at = deps.now();
    if (answer.solved && row.state === 'closed' && answer.satisfaction !== undefined && row.satisfaction === null) {
      return (await recordChange(trx, deps, row, { kind: 'rated', actor, set: { satisfaction: answer.satisfaction }, detail: { satisfaction: answer.satisfaction } })).row;
    }
    if (answer.solved) {
      if (row.state !== 'resolved') throw new RabtaError('case-state', `case ${row.reference} is ${row.state}: there is nothing to confirm`);
      await finishTasks(trx, row.id, ['confirm'], 'done', at);
      return (await recordChange(trx, deps, row, { kind: 'confirmed', to: 'closed', actor, topic: 'case.closed', set: { closed_at: at, satisfaction: answer.satisfaction ?? null }, detail: answer.satisfaction ? { satisfaction: answer.satisfaction } : {} })).row;
    }
    if (row.state !== 'resolved' && row.state !== 'closed-unconfirmed') throw new RabtaError('case-state', `case ${row.reference} is ${row.state}: it was not proposed as resolved`);
    await finishTasks(trx, row.id, ['confirm'], 'done', at);
    const { row: reopened } = await recordChange(trx, deps, row, { kind: 'reopened', to: 'reopened', actor, topic: 'case.reopened', set: { closed_at: null } });
    return escalateCase(trx, deps, reopened, actor, 'citizen said not resolved');
  });
  if (answer.solved && row.state === 'closed' && row.satisfaction !== null && answer.satisfaction !== undefined) await tell(deps, row, 'case-rated', { reference: row.reference, score: String(answer.satisfaction) });
  else if (answer.solved) await tell(deps, row, 'case-closed', { reference: row.reference });
  else await tell(deps, row, 'case-reopened', { reference: row.reference, due: dueParam(row.resolution_due) });
  return row;
}

/**
 * One level up at the lead: the case's level rises, a resolve task for that
 * level is due after the escalation window, and the institution is told.
 */
export async function escalateCase(trx: Kysely<CasesTables>, deps: CasesDeps, row: CaseRow, actor: CaseActor, why: string): Promise<CaseRow> {
  const at = deps.now();
  const lead = row.lead_member as string;
  const levels = await escalationLevels(trx, lead);
  const level = Math.min(row.escalation_level + 1, levels.length);
  const role = levels[level - 1]?.role ?? 'head';
  const due = deps.calendar.addWorkingDays(at, deps.settings.escalationDays, await holidays(trx));
  await finishTasks(trx, row.id, ['resolve', 'respond'], 'cancelled', at);
  const { row: next } = await recordChange(trx, deps, row, { kind: 'escalated', actor, topic: 'case.escalated', set: { escalation_level: level, resolution_due: due }, detail: { member: lead, level, role, why } });
  await openTask(trx, deps, next, { kind: 'resolve', title: `resolve (${role})`, assignee: lead, dueAt: due, level });
  await trx.insertInto('case_notices').values({ member_id: lead, case_id: row.id, at, kind: 'escalated', detail: `case ${row.reference} escalated to level ${level} (${role}): ${why}` }).execute();
  return next;
}
