import type { Kysely } from 'kysely';
import { RabtaError } from '../core/index.js';

import { escalateCase } from './actions.js';
import type { CaseActor } from './actors.js';
import { escalationLevels, holidays } from './catalogue.js';
import { recordChange } from './changes.js';
import type { CasesDeps } from './deps.js';
import { loadCase } from './load.js';
import type { CaseTaskRow, CasesTables } from './tables.js';

const SWEEPER: CaseActor = { kind: 'system', by: 'deadline-sweep' };

export interface SweepResult {
  escalated: number;
  overdue: number;
  unconfirmed: number;
}

/**
 * One pass over the deadlines that have passed. It reads only open tasks due
 * by now, through the partial index on due time, so its cost follows what is
 * due, not how many cases are open. Each task is handled in its own
 * transaction, re-read under a row lock and changed only if it is still due
 * as read — so two sweepers (or a sweeper and an institution) never escalate
 * the same deadline twice. An overdue task goes one level up at its
 * institution (officer, then head) with a new deadline; past the last level
 * it stays overdue, for the authority's list, off the index. A citizen who
 * did not answer "was it resolved?" in time leaves the case closed-unconfirmed.
 */
export async function sweepDeadlines(deps: CasesDeps): Promise<SweepResult> {
  const result: SweepResult = { escalated: 0, overdue: 0, unconfirmed: 0 };
  let after: { due: number; id: string } | undefined;
  for (;;) {
    const now = deps.now();
    let query = deps.db
      .selectFrom('case_tasks')
      .select(['id', 'due_at'])
      .where('state', '=', 'open')
      .where('due_at', 'is not', null)
      .where('due_at', '<=', now);
    if (after) {
      const { due, id } = after;
      query = query.where((eb) => eb.or([eb('due_at', '>', due), eb.and([eb('due_at', '=', due), eb('id', '>', id)])]));
    }
    const due = await query.orderBy('due_at').orderBy('id').limit(deps.settings.sweepBatch).execute();
    if (due.length === 0) return result;
    for (const task of due) {
      try {
        const outcome = await sweepTask(deps, task.id, now);
        if (outcome) result[outcome]++;
      } catch (error) {
        // Someone changed the task or its case meanwhile: theirs stands, and the next pass sees the result.
        if (!(error instanceof SweepRace) && !(error instanceof RabtaError && error.code === 'conflict')) throw error;
      }
    }
    const last = due[due.length - 1] as { id: string; due_at: number | null };
    after = { due: last.due_at as number, id: last.id };
    if (due.length < deps.settings.sweepBatch) return result;
  }
}

async function sweepTask(deps: CasesDeps, taskId: string, now: number): Promise<keyof SweepResult | undefined> {
  return deps.db.transaction().execute(async (trx) => {
    let query = trx.selectFrom('case_tasks').selectAll().where('id', '=', taskId).where('state', '=', 'open').where('due_at', '<=', now);
    if (deps.dialect.supportsSkipLocked) query = query.forUpdate().skipLocked();
    const task = await query.executeTakeFirst();
    if (!task || task.due_at === null) return undefined;
    const row = await loadCase(trx, task.case_id);
    if (task.kind === 'confirm') {
      if (row.state !== 'resolved') return undefined;
      await claim(trx, task, { state: 'done', completed_at: now });
      await recordChange(trx, deps, row, { kind: 'unconfirmed', to: 'closed-unconfirmed', actor: SWEEPER, topic: 'case.closed', set: { closed_at: now } });
      return 'unconfirmed';
    }
    const member = task.assignee_member as string;
    const levels = await escalationLevels(trx, member);
    if (task.kind === 'resolve' || task.kind === 'respond') {
      if (task.escalation_level >= levels.length) return markOverdue(trx, deps, task, row.id, now);
      await claim(trx, task, { state: 'cancelled', completed_at: now });
      await escalateCase(trx, deps, row, SWEEPER, `${task.title} was due ${new Date(task.due_at).toISOString()}`);
      return 'escalated';
    }
    if (task.escalation_level >= levels.length) return markOverdue(trx, deps, task, row.id, now);
    const level = task.escalation_level + 1;
    const role = levels[level - 1]?.role ?? 'head';
    const dueAt = deps.calendar.addWorkingDays(now, deps.settings.escalationDays, await holidays(trx));
    await claim(trx, task, { escalation_level: level, due_at: dueAt });
    await recordChange(trx, deps, row, { kind: 'task-escalated', actor: SWEEPER, topic: 'case.escalated', citizenVisible: false, detail: { task: task.id, member, level, role } });
    await trx.insertInto('case_notices').values({ member_id: member, case_id: row.id, at: now, kind: 'escalated', detail: `task "${task.title}" of case ${row.reference} is overdue: escalated to level ${level} (${role})` }).execute();
    return 'escalated';
  });
}

/** Changes the task only if it is as the sweep read it; otherwise someone else already acted and this transaction is abandoned. */
async function claim(trx: Kysely<CasesTables>, task: CaseTaskRow, set: Partial<CaseTaskRow>): Promise<void> {
  const updated = await trx.updateTable('case_tasks').set(set).where('id', '=', task.id).where('state', '=', 'open').where('due_at', '=', task.due_at).where('escalation_level', '=', task.escalation_level).executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) throw new SweepRace();
}

class SweepRace extends Error {}

async function markOverdue(trx: Kysely<CasesTables>, deps: CasesDeps, task: CaseTaskRow, caseId: string, now: number): Promise<'overdue'> {
  await claim(trx, task, { due_at: null, overdue_since: now });
  const row = await loadCase(trx, caseId);
  await recordChange(trx, deps, row, { kind: 'overdue', actor: SWEEPER, citizenVisible: false, detail: { task: task.id, member: task.assignee_member, level: task.escalation_level } });
  await trx.insertInto('case_notices').values({ member_id: task.assignee_member as string, case_id: caseId, at: now, kind: 'overdue', detail: `case ${row.reference}: "${task.title}" is overdue at the last escalation level` }).execute();
  return 'overdue';
}
