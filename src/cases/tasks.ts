import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';

import type { CasesDeps } from './deps.js';
import type { CaseRow, CaseTaskRow, TaskKind, CasesTables } from './tables.js';

export interface TaskView {
  id: string;
  kind: TaskKind;
  title: string;
  assignee: string | null;
  due: string | null;
  state: string;
  escalationLevel: number;
  overdueSince: string | null;
  createdAt: string;
  completedAt: string | null;
}

export async function openTask(
  trx: Kysely<CasesTables>,
  deps: CasesDeps,
  row: CaseRow,
  task: { kind: TaskKind; title: string; assignee: string | null; dueAt: number | null; level: number },
): Promise<CaseTaskRow> {
  const created: CaseTaskRow = {
    id: randomUUID(),
    case_id: row.id,
    kind: task.kind,
    title: task.title,
    assignee_member: task.assignee,
    due_at: task.dueAt,
    state: 'open',
    escalation_level: task.level,
    overdue_since: null,
    created_at: deps.now(),
    completed_at: null,
  };
  await trx.insertInto('case_tasks').values(created).execute();
  return created;
}

/** Closes the case's open tasks of these kinds (a response given, a resolution proposed, an answer received). */
export async function finishTasks(trx: Kysely<CasesTables>, caseId: string, kinds: readonly TaskKind[], state: 'done' | 'cancelled', at: number): Promise<number> {
  const result = await trx
    .updateTable('case_tasks')
    .set({ state, completed_at: at })
    .where('case_id', '=', caseId)
    .where('state', '=', 'open')
    .where('kind', 'in', [...kinds])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export function taskView(row: CaseTaskRow): TaskView {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    assignee: row.assignee_member,
    due: iso(row.due_at),
    state: row.state,
    escalationLevel: row.escalation_level,
    overdueSince: iso(row.overdue_since),
    createdAt: new Date(row.created_at).toISOString(),
    completedAt: iso(row.completed_at),
  };
}
