/** @jsxImportSource preact */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RabtaError } from '../../core/index.js';
import { field } from '../http/frame.js';
import type { Form, WebFrame } from '../http/frame.js';
import { Csrf, ScrollTable } from '../layout.js';
import type { PageContext } from '../layout.js';
import { ApiError, ConsolePage, redirectAfter, rowsOf } from './parts.js';
import type { Answer, ConsoleKit, Row } from './parts.js';

const REF = /^RB-\d{2}-\d{6}-\d$/;
const MEMBER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\/[A-Z]+\/[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
/** A citizen's words in Arabic script are Urdu to the style sheet (its Urdu faces), whatever the console's language. */
const langOf = (text: string): { lang?: string; dir: 'rtl' | 'auto' } => (/[\u0600-\u06FF]/.test(text) ? { lang: 'ur', dir: 'rtl' } : { dir: 'auto' });
const when = (iso: unknown) => (typeof iso === 'string' ? iso.slice(0, 16).replace('T', ' ') : '—');

/** The case actions the console offers, each one admin API call (the same as `rabta case …`). */
const ACTIONS = {
  accept: { label: 'Accept (first response)', body: () => ({}) },
  partner: { label: 'Add partner', path: 'partners', body: (f: Form) => ({ member: field(f, 'member') }) },
  task: { label: 'Assign task', path: 'tasks', body: (f: Form) => ({ assignee: field(f, 'assignee'), title: field(f, 'title').trim(), ...(/^\d{1,3}$/.test(field(f, 'dueDays')) ? { dueDays: Number(field(f, 'dueDays')) } : {}) }) },
  note: { label: 'Add note', path: 'notes', body: (f: Form) => ({ text: field(f, 'text').trim(), visibility: field(f, 'visibility') === 'citizen' ? 'citizen' : 'internal' }) },
  transfer: { label: 'Transfer', body: (f: Form) => ({ to: field(f, 'to'), reason: field(f, 'reason').trim() }) },
  resolve: { label: 'Propose resolved', body: (f: Form) => (field(f, 'note').trim() ? { note: field(f, 'note').trim().slice(0, 300) } : {}) },
} as const;
type ActionName = keyof typeof ACTIONS;

/**
 * The console's cases: the inbox of open cases by deadline, the authority's
 * triage queue with the grievance router's suggestions (taken or corrected),
 * one case with its tasks and timeline and the actions on it, and the
 * escalations (overdue work and escalated cases). Every read and action is
 * the admin API's own route, as `rabta case …` calls it.
 */
export function consoleCaseRoutes(app: FastifyInstance, frame: WebFrame, { api, ctxOf, signedIn }: ConsoleKit) {
  const flash = (request: FastifyRequest) => request.query as Record<string, string | undefined>;
  const back = (reply: FastifyReply, to: string, answer: Answer, done: string) => redirectAfter(frame, reply, answer, to, `${to}?m=${done}`);

  app.get(
    '/console/cases',
    signedIn(async (request, reply, token) => {
      const answer = await api(token, 'GET', '/admin/cases?open=true&limit=500');
      const rows = rowsOf(answer.status === 200 ? answer.json : []).sort(byDeadline);
      const now = Date.now();
      return frame.page(
        request,
        reply,
        <ConsolePage ctx={ctxOf(request)} title="Cases by deadline" signedIn>
          {answer.status !== 200 ? <ApiError answer={answer} /> : null}
          {rows.length === 0 ? <p>No open case.</p> : null}
          <ScrollTable caption={`Open cases, nearest deadline first (${rows.length})`} heads={['Reference', 'State', 'Category', 'Lead', 'District', 'Due', 'Level']}>
            {rows.map((c) => {
              const late = typeof c.resolutionDue === 'string' && Date.parse(c.resolutionDue) < now;
              return (
                <tr key={str(c.reference)} data-case={str(c.reference)}>
                  <td>
                    <a href={`/console/cases/${str(c.reference)}`}>{str(c.reference)}</a>
                  </td>
                  <td>{str(c.state)}</td>
                  <td>{str(c.category) || '—'}</td>
                  <td>{str(c.lead) || '—'}</td>
                  <td>{str(c.district) || '—'}</td>
                  <td>{late ? <strong>{`${when(c.resolutionDue)} (late)`}</strong> : when(c.resolutionDue)}</td>
                  <td class="num">{str(c.escalationLevel)}</td>
                </tr>
              );
            })}
          </ScrollTable>
        </ConsolePage>,
      );
    }),
  );

  app.get(
    '/console/cases/triage',
    signedIn(async (request, reply, token) => {
      const [queue, categories] = await Promise.all([api(token, 'GET', '/admin/case-triage'), api(token, 'GET', '/admin/case-categories')]);
      const cases = rowsOf(queue.status === 200 ? queue.json : []);
      const catalogue = rowsOf(categories.status === 200 ? categories.json : []);
      const details = await Promise.all(
        cases.map(async (c) => {
          const ref = str(c.reference);
          const [view, said] = await Promise.all([api(token, 'GET', `/admin/cases/${ref}`), api(token, 'GET', `/admin/case-triage/${ref}/suggestions`)]);
          return { ref, view: (view.status === 200 ? view.json : {}) as Row, suggestions: rowsOf(said.status === 200 ? said.json : []) };
        }),
      );
      const q = flash(request);
      const ctx = ctxOf(request);
      return frame.page(
        request,
        reply,
        <ConsolePage ctx={ctx} title="Triage" signedIn>
          <Flash q={q} ok={q.m === 'corrected' ? `Case ${q.r ?? ''} triaged with a category the router did not put first: recorded as a correction.` : `Case ${q.r ?? ''} triaged as the router suggested.`} />
          {queue.status !== 200 ? <ApiError answer={queue} /> : null}
          {cases.length === 0 ? <p>The triage queue is empty.</p> : null}
          {details.map(({ ref, view, suggestions }) => (
            <TriageCard key={ref} ctx={ctx} reference={ref} view={view} suggestions={suggestions} catalogue={catalogue} />
          ))}
        </ConsolePage>,
      );
    }),
  );

  app.post(
    '/console/cases/:ref/triage',
    signedIn(async (request, reply, token) => {
      const ref = refOf(request);
      const form = request.body as Form;
      const category = field(form, 'category').slice(0, 32);
      const lead = field(form, 'lead');
      const answer = await api(token, 'POST', `/admin/case-triage/${ref}`, { category, ...(MEMBER.test(lead) ? { lead } : {}) });
      if (answer.status >= 300) return back(reply, '/console/cases/triage', answer, 'triaged');
      return frame.redirect(reply, `/console/cases/triage?m=${field(form, 'suggested') === category ? 'taken' : 'corrected'}&r=${ref}`);
    }),
  );

  app.get(
    '/console/cases/escalations',
    signedIn(async (request, reply, token) => {
      const [overdue, open] = await Promise.all([api(token, 'GET', '/admin/cases/overdue'), api(token, 'GET', '/admin/cases?open=true&limit=500')]);
      const tasks = rowsOf(overdue.status === 200 ? overdue.json : []);
      const escalated = rowsOf(open.status === 200 ? open.json : []).filter((c) => Number(c.escalationLevel) > 0).sort(byDeadline);
      return frame.page(
        request,
        reply,
        <ConsolePage ctx={ctxOf(request)} title="Escalations" signedIn>
          {overdue.status !== 200 ? <ApiError answer={overdue} /> : null}
          <ScrollTable caption={`Overdue tasks (${tasks.length})`} heads={['Case', 'Task', 'Assignee', 'Due', 'Level', 'Overdue since']}>
            {tasks.map((task) => (
              <tr key={str(task.task)}>
                <td>
                  <a href={`/console/cases/${str(task.reference)}`}>{str(task.reference)}</a>
                </td>
                <td>{str(task.title)}</td>
                <td>{str(task.assignee)}</td>
                <td>{when(task.due)}</td>
                <td class="num">{str(task.escalationLevel)}</td>
                <td>{when(task.overdueSince)}</td>
              </tr>
            ))}
          </ScrollTable>
          <ScrollTable caption={`Escalated cases (${escalated.length})`} heads={['Case', 'State', 'Lead', 'Level', 'Due']}>
            {escalated.map((c) => (
              <tr key={str(c.reference)} data-case={str(c.reference)}>
                <td>
                  <a href={`/console/cases/${str(c.reference)}`}>{str(c.reference)}</a>
                </td>
                <td>{str(c.state)}</td>
                <td>{str(c.lead)}</td>
                <td class="num">{str(c.escalationLevel)}</td>
                <td>{when(c.resolutionDue)}</td>
              </tr>
            ))}
          </ScrollTable>
        </ConsolePage>,
      );
    }),
  );

  app.get(
    '/console/cases/:ref',
    signedIn(async (request, reply, token) => {
      const ref = refOf(request);
      const [view, members] = await Promise.all([api(token, 'GET', `/admin/cases/${ref}`), api(token, 'GET', '/admin/members')]);
      if (view.status === 404) throw new RabtaError('not-found');
      const ctx = ctxOf(request);
      const c = (view.status === 200 ? view.json : {}) as Row;
      return frame.page(
        request,
        reply,
        <ConsolePage ctx={ctx} title={`Case ${ref}`} signedIn>
          <Flash q={flash(request)} ok="Done." />
          {view.status !== 200 ? <ApiError answer={view} /> : <CaseDetail ctx={ctx} c={c} members={rowsOf(members.status === 200 ? members.json : []).map((m) => str(m.id))} />}
        </ConsolePage>,
      );
    }),
  );

  app.post(
    '/console/cases/:ref/:action',
    signedIn(async (request, reply, token) => {
      const ref = refOf(request);
      const name = (request.params as { action: string }).action;
      if (!(name in ACTIONS)) throw new RabtaError('not-found');
      const action = ACTIONS[name as ActionName];
      const path = 'path' in action ? action.path : name;
      const answer = await api(token, 'POST', `/admin/cases/${ref}/${path}`, action.body(request.body as Form));
      return back(reply, `/console/cases/${ref}`, answer, name);
    }),
  );
}

function refOf(request: FastifyRequest): string {
  const { ref } = request.params as { ref: string };
  if (!REF.test(ref)) throw new RabtaError('not-found');
  return ref;
}

function byDeadline(a: Row, b: Row): number {
  const due = (r: Row) => (typeof r.resolutionDue === 'string' ? Date.parse(r.resolutionDue) : Number.POSITIVE_INFINITY);
  return due(a) - due(b) || str(a.reference).localeCompare(str(b.reference));
}

function Flash({ q, ok }: { q: Record<string, string | undefined>; ok: string }) {
  if (q.m === 'refused') {
    return (
      <p class="error" role="alert">
        {`The API refused: ${q.d ?? ''}`}
      </p>
    );
  }
  return q.m ? (
    <p class="ok" role="status">
      {ok}
    </p>
  ) : null;
}

/** One queued case: the citizen's words, the router's suggestions with their confidence, and one form to take or correct them. */
function TriageCard({ ctx, reference, view, suggestions, catalogue }: { ctx: PageContext; reference: string; view: Row; suggestions: Row[]; catalogue: Row[] }) {
  const known = suggestions.filter((s) => s.inCatalogue === true);
  const first = str(known[0]?.category);
  const id = reference.replace(/\W/g, '');
  return (
    <section class="card" aria-labelledby={`t-${id}`} data-triage={reference}>
      <h2 id={`t-${id}`}>{reference}</h2>
      <dl class="facts">
        <dt>Opened</dt>
        <dd>{when(view.openedAt)}</dd>
        <dt>Channel</dt>
        <dd>{str(view.channel)}</dd>
        <dt>District</dt>
        <dd>{str(view.district) || '—'}</dd>
      </dl>
      <blockquote class="card free" {...langOf(str(view.text))}>
        {str(view.text)}
      </blockquote>
      <h3>Router’s suggestions</h3>
      {suggestions.length === 0 ? <p>The router has nothing to say about this case.</p> : null}
      <ol class="suggestions">
        {suggestions.map((s) => (
          <li key={str(s.category)} data-category={str(s.category)}>
            <strong>{str(s.category)}</strong> — {`${Math.round(Number(s.confidence) * 100)}%`}
            {s.inCatalogue === true ? null : <span class="hint"> (not in the catalogue)</span>}
          </li>
        ))}
      </ol>
      <form method="post" action={`/console/cases/${reference}/triage`} class="actions">
        <Csrf ctx={ctx} />
        <input type="hidden" name="suggested" value={first} />
        <label for={`c-${id}`}>Category</label>
        <select id={`c-${id}`} name="category" required>
          {known.length > 0 ? (
            <optgroup label="Suggested">
              {known.map((s) => (
                <option value={str(s.category)} key={str(s.category)} selected={str(s.category) === first}>
                  {`${str(s.category)} (${Math.round(Number(s.confidence) * 100)}%)`}
                </option>
              ))}
            </optgroup>
          ) : null}
          <optgroup label="Catalogue">
            {catalogue.map((c) => (
              <option value={str(c.code)} key={str(c.code)}>
                {`${str(c.code)} — ${str(c.nameEn)}${c.lead ? ` (lead ${str(c.lead)})` : ''}`}
              </option>
            ))}
          </optgroup>
        </select>
        <label for={`l-${id}`}>Lead (default: the category’s)</label>
        <input type="text" id={`l-${id}`} name="lead" placeholder="PK/BANK/HBL" />
        <button type="submit">Triage</button>
      </form>
    </section>
  );
}

function MemberSelect({ id, name, members }: { id: string; name: string; members: string[] }) {
  return (
    <select id={id} name={name} required>
      {members.map((m) => (
        <option value={m} key={m}>
          {m}
        </option>
      ))}
    </select>
  );
}

function CaseDetail({ ctx, c, members }: { ctx: PageContext; c: Row; members: string[] }) {
  const ref = str(c.reference);
  const tasks = rowsOf(c.tasks ?? []);
  const timeline = rowsOf(c.timeline ?? []);
  const notes = rowsOf(c.notes ?? []);
  const act = (name: ActionName) => `/console/cases/${ref}/${name}`;
  return (
    <>
      <dl class="facts">
        <dt>State</dt>
        <dd data-state={str(c.state)} id="case-state">
          {str(c.state)}
        </dd>
        <dt>Category</dt>
        <dd>{str(c.category) || '—'}</dd>
        <dt>Lead</dt>
        <dd>{str(c.lead) || '—'}</dd>
        <dt>Partners</dt>
        <dd>{Array.isArray(c.partners) && c.partners.length ? c.partners.join(', ') : '—'}</dd>
        <dt>District</dt>
        <dd>{str(c.district) || '—'}</dd>
        <dt>Resolution due</dt>
        <dd>{when(c.resolutionDue)}</dd>
        <dt>Escalation level</dt>
        <dd>{str(c.escalationLevel)}</dd>
        <dt>Citizen</dt>
        <dd>{c.citizen && typeof c.citizen === 'object' ? str((c.citizen as Row).cnic) || 'by phone' : 'anonymous'}</dd>
      </dl>
      <blockquote class="card free" {...langOf(str(c.text))}>
        {str(c.text)}
      </blockquote>
      <ScrollTable caption="Tasks" heads={['Task', 'Assignee', 'Due', 'State', 'Level']}>
        {tasks.map((t) => (
          <tr key={str(t.id)}>
            <td>{str(t.title)}</td>
            <td>{str(t.assignee)}</td>
            <td>{when(t.due)}</td>
            <td>{str(t.state)}</td>
            <td class="num">{str(t.escalationLevel)}</td>
          </tr>
        ))}
      </ScrollTable>
      <h2>Actions</h2>
      <div class="two">
        <form method="post" action={act('accept')} class="card">
          <Csrf ctx={ctx} />
          <h3>{ACTIONS.accept.label}</h3>
          <button type="submit">Accept</button>
        </form>
        <form method="post" action={act('partner')} class="card">
          <Csrf ctx={ctx} />
          <h3>{ACTIONS.partner.label}</h3>
          <label for="partner-member">Institution</label>
          <MemberSelect id="partner-member" name="member" members={members} />
          <button type="submit">Add partner</button>
        </form>
        <form method="post" action={act('task')} class="card">
          <Csrf ctx={ctx} />
          <h3>{ACTIONS.task.label}</h3>
          <label for="task-assignee">Assignee (lead or partner)</label>
          <MemberSelect id="task-assignee" name="assignee" members={members} />
          <label for="task-title">What is to be done</label>
          <input type="text" id="task-title" name="title" maxlength={200} required />
          <label for="task-due">Working days (default: the case’s deadline)</label>
          <input type="text" id="task-due" name="dueDays" inputmode="numeric" maxlength={3} />
          <button type="submit">Assign</button>
        </form>
        <form method="post" action={act('note')} class="card">
          <Csrf ctx={ctx} />
          <h3>{ACTIONS.note.label}</h3>
          <label for="note-text">Note</label>
          <textarea id="note-text" name="text" rows={3} maxlength={8000} required />
          <div class="check">
            <input type="checkbox" id="note-citizen" name="visibility" value="citizen" />
            <label for="note-citizen">The citizen sees it</label>
          </div>
          <button type="submit">Add note</button>
        </form>
        <form method="post" action={act('transfer')} class="card">
          <Csrf ctx={ctx} />
          <h3>{ACTIONS.transfer.label}</h3>
          <label for="transfer-to">New lead</label>
          <MemberSelect id="transfer-to" name="to" members={members} />
          <label for="transfer-reason">Why</label>
          <input type="text" id="transfer-reason" name="reason" maxlength={500} required />
          <button type="submit">Transfer</button>
        </form>
        <form method="post" action={act('resolve')} class="card">
          <Csrf ctx={ctx} />
          <h3>{ACTIONS.resolve.label}</h3>
          <label for="resolve-note">What was done (for the citizen)</label>
          <input type="text" id="resolve-note" name="note" maxlength={300} />
          <button type="submit">Propose resolved</button>
        </form>
      </div>
      <ScrollTable caption="Timeline" heads={['#', 'When', 'What', 'From', 'To', 'Who']}>
        {timeline.map((e) => (
          <tr key={str(e.seq)}>
            <td class="num">{str(e.seq)}</td>
            <td>{when(e.at)}</td>
            <td>{str(e.kind)}</td>
            <td>{str(e.from)}</td>
            <td>{str(e.to)}</td>
            <td>{str(e.actor)}</td>
          </tr>
        ))}
      </ScrollTable>
      {notes.length > 0 ? (
        <ScrollTable caption="Notes" heads={['When', 'Who', 'Seen by', 'Note']}>
          {notes.map((n) => (
            <tr key={str(n.id)}>
              <td>{when(n.at)}</td>
              <td>{str(n.author)}</td>
              <td>{str(n.visibility)}</td>
              <td class="free" {...langOf(str(n.text))}>
                {str(n.text)}
              </td>
            </tr>
          ))}
        </ScrollTable>
      ) : null}
    </>
  );
}
