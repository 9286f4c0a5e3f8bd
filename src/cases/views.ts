import type { Kysely } from 'kysely';
import { RabtaError } from '../core/index.js';

import { onCase, requireOnCase } from './actors.js';
import type { CaseActor } from './actors.js';
import { routingOf } from './routing.js';
import type { RoutingView } from './routing.js';
import type { CasesDeps } from './deps.js';
import { loadCase, partnersOf } from './load.js';
import { FINISHED, isFinished } from './states.js';
import type { CaseRow, CasesTables } from './tables.js';
import { taskView } from './tasks.js';
import type { TaskView } from './tasks.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export interface TimelineEntry {
  seq: number;
  at: string;
  kind: string;
  from: string | null;
  to: string | null;
  actor: string;
  detail: Record<string, unknown>;
  /** where the change's ledger receipt is */
  receipt: string;
}

export interface CaseView {
  id: string;
  reference: string;
  state: string;
  stateReason: string | null;
  category: string | null;
  lead: string | null;
  partners: string[];
  district: string | null;
  address: string | null;
  lat: number | null;
  long: number | null;
  channel: string;
  anonymous: boolean;
  /** hidden from institutions when the case is anonymous */
  citizen: { cnic: string | null; mobile: string | null } | null;
  text: string;
  attachments: Array<{ digest: string; name: string; mediaType: string | null }>;
  firstResponseDue: string | null;
  resolutionDue: string | null;
  escalationLevel: number;
  satisfaction: number | null;
  duplicateOf: string | null;
  event: string | null;
  openedAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** the grievance router's decision and suggestions, when it was asked (a case without a category) */
  routing: RoutingView | null;
  tasks: TaskView[];
  notes: Array<{ id: string; author: string; visibility: string; text: string; at: string }>;
  timeline: TimelineEntry[];
}

export async function caseView(deps: CasesDeps, actor: CaseActor, key: string): Promise<CaseView> {
  const row = await loadCase(deps.db, key);
  const partners = await partnersOf(deps.db, row.id);
  requireOnCase(row, partners, actor);
  return render(deps.db, row, partners, actor);
}

async function render(db: Kysely<CasesTables>, row: CaseRow, partners: string[], actor: CaseActor): Promise<CaseView> {
  const [tasks, notes, timeline, attachments, routing] = await Promise.all([
    db.selectFrom('case_tasks').selectAll().where('case_id', '=', row.id).orderBy('created_at').orderBy('id').execute(),
    db.selectFrom('case_notes').selectAll().where('case_id', '=', row.id).orderBy('at').orderBy('id').execute(),
    db.selectFrom('case_timeline').selectAll().where('case_id', '=', row.id).orderBy('seq').execute(),
    db.selectFrom('case_attachments').selectAll().where('case_id', '=', row.id).orderBy('name').execute(),
    routingOf(db, row.id),
  ]);
  const seesCitizen = actor.kind === 'authority' || actor.kind === 'system' || row.anonymous === 0;
  return {
    id: row.id,
    reference: row.reference,
    state: row.state,
    stateReason: row.state_reason,
    category: row.category,
    lead: row.lead_member,
    partners,
    district: row.district,
    address: row.address,
    lat: row.lat,
    long: row.lng,
    channel: row.channel,
    anonymous: row.anonymous === 1,
    citizen: seesCitizen && (row.masked_cnic || row.mobile) ? { cnic: row.masked_cnic, mobile: row.mobile } : null,
    text: row.text,
    attachments: attachments.map((a) => ({ digest: a.digest, name: a.name, mediaType: a.media_type })),
    firstResponseDue: iso(row.first_response_due),
    resolutionDue: iso(row.resolution_due),
    escalationLevel: row.escalation_level,
    satisfaction: row.satisfaction,
    duplicateOf: row.state_reason && row.duplicate_of ? row.state_reason : null,
    event: row.event_id,
    openedAt: new Date(row.opened_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    closedAt: iso(row.closed_at),
    routing,
    tasks: tasks.map(taskView),
    notes: notes.map((n) => ({ id: n.id, author: n.author, visibility: n.visibility, text: n.text, at: new Date(n.at).toISOString() })),
    timeline: timeline.map((t) => timelineEntry(row.reference, t)),
  };
}

function timelineEntry(reference: string, t: CasesTables['case_timeline']): TimelineEntry {
  return {
    seq: t.seq,
    at: new Date(t.at).toISOString(),
    kind: t.kind,
    from: t.from_state,
    to: t.to_state,
    actor: t.actor.startsWith('citizen:') ? 'citizen' : t.actor,
    detail: JSON.parse(t.detail) as Record<string, unknown>,
    receipt: `/cases/${reference}/timeline/${t.seq}/receipt`,
  };
}

/** What the citizen sees of their own case: its state, clock, citizen-visible notes and the changes with their receipts. */
export async function citizenView(db: Kysely<CasesTables>, row: CaseRow) {
  const [notes, timeline] = await Promise.all([
    db.selectFrom('case_notes').selectAll().where('case_id', '=', row.id).where('visibility', '=', 'citizen').orderBy('at').execute(),
    db.selectFrom('case_timeline').selectAll().where('case_id', '=', row.id).where('citizen_visible', '=', 1).orderBy('seq').execute(),
  ]);
  return {
    reference: row.reference,
    state: row.state,
    stateReason: row.state_reason,
    category: row.category,
    lead: row.lead_member,
    resolutionDue: iso(row.resolution_due),
    openedAt: new Date(row.opened_at).toISOString(),
    closedAt: iso(row.closed_at),
    text: row.text,
    notes: notes.map((n) => ({ text: n.text, at: new Date(n.at).toISOString(), by: n.author })),
    timeline: timeline.map((t) => timelineEntry(row.reference, t)),
  };
}

export interface CaseSummary {
  id: string;
  reference: string;
  state: string;
  category: string | null;
  lead: string | null;
  district: string | null;
  resolutionDue: string | null;
  escalationLevel: number;
  openedAt: string;
  updatedAt: string;
}

export function summary(row: CaseRow): CaseSummary {
  return {
    id: row.id,
    reference: row.reference,
    state: row.state,
    category: row.category,
    lead: row.lead_member,
    district: row.district,
    resolutionDue: iso(row.resolution_due),
    escalationLevel: row.escalation_level,
    openedAt: new Date(row.opened_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export interface CaseQuery {
  state?: string | undefined;
  /** only cases this member leads or partners on */
  member?: string | undefined;
  open?: boolean | undefined;
  /** the triage queue: cases still without category or lead */
  triage?: boolean | undefined;
  limit?: number | undefined;
  /** opened before this case id's opening (pages from newest) */
  before?: number | undefined;
}

export async function listCases(deps: CasesDeps, actor: CaseActor, query: CaseQuery): Promise<CaseSummary[]> {
  if (actor.kind === 'citizen') throw new RabtaError('forbidden', 'a citizen reads their own case by its reference');
  const member = actor.kind === 'institution' ? actor.member : query.member;
  if (query.triage && actor.kind === 'institution') throw new RabtaError('forbidden', 'the triage queue is the authority’s');
  let q = deps.db.selectFrom('cases').selectAll();
  if (member) {
    q = q.where((eb) => eb.or([eb('lead_member', '=', member), eb('id', 'in', eb.selectFrom('case_partners').select('case_id').where('member_id', '=', member))]));
  }
  if (query.triage) q = q.where('state', '=', 'new');
  if (query.state) q = q.where('state', '=', query.state);
  if (query.open === true) q = q.where('state', 'not in', [...FINISHED]);
  if (query.open === false) q = q.where('state', 'in', [...FINISHED]);
  if (query.before !== undefined) q = q.where('opened_at', '<', query.before);
  const direction = query.triage ? 'asc' : 'desc';
  const rows = await q.orderBy('opened_at', direction).orderBy('reference', direction).limit(Math.min(query.limit ?? 100, 1000)).execute();
  return rows.map(summary);
}

/** The authority's triage queue, oldest first, each case with the router's suggestions when it was asked. */
export async function triageQueue(deps: CasesDeps, actor: CaseActor): Promise<Array<CaseSummary & { routing: RoutingView | null }>> {
  const rows = await listCases(deps, actor, { triage: true });
  return Promise.all(rows.map(async (r) => ({ ...r, routing: await routingOf(deps.db, r.id) })));
}

/** What is overdue: for the authority everything, for an institution its own tasks. */
export async function overdue(deps: CasesDeps, actor: CaseActor) {
  const now = deps.now();
  let q = deps.db
    .selectFrom('case_tasks as t')
    .innerJoin('cases as c', 'c.id', 't.case_id')
    .select(['c.reference', 't.id', 't.kind', 't.title', 't.assignee_member', 't.due_at', 't.escalation_level', 't.overdue_since'])
    .where('t.state', '=', 'open')
    .where('t.kind', '!=', 'confirm')
    .where((eb) => eb.or([eb('t.due_at', '<=', now), eb('t.overdue_since', 'is not', null)]));
  if (actor.kind === 'institution') q = q.where('t.assignee_member', '=', actor.member);
  else if (actor.kind === 'citizen') throw new RabtaError('forbidden', 'only institutions and the authority list overdue work');
  const rows = await q.orderBy('t.due_at').limit(1000).execute();
  return rows.map((r) => ({ reference: r.reference, task: r.id, kind: r.kind, title: r.title, assignee: r.assignee_member, due: iso(r.due_at), escalationLevel: r.escalation_level, overdueSince: iso(r.overdue_since) }));
}

export async function notices(deps: CasesDeps, actor: CaseActor, memberId: string) {
  if (actor.kind === 'institution' && actor.member !== memberId) throw new RabtaError('forbidden', 'an institution reads only its own notices');
  const rows = await deps.db.selectFrom('case_notices').selectAll().where('member_id', '=', memberId).orderBy('id', 'desc').limit(200).execute();
  return rows.map((r) => ({ id: Number(r.id), case: r.case_id, at: new Date(r.at).toISOString(), kind: r.kind, detail: r.detail }));
}

export { onCase, isFinished };
