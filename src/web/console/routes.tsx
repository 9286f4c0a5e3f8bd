/** @jsxImportSource preact */
import type { FastifyInstance } from 'fastify';
import { RabtaError } from '../../core/index.js';
import type { WebCapabilities } from '../capabilities.js';
import { COOKIE, field } from '../http/frame.js';
import type { Form, WebFrame } from '../http/frame.js';
import { seal } from '../http/seal.js';
import { Icon } from '../icons.js';
import { Csrf } from '../layout.js';
import { ApiError, ConsolePage, consoleKit, DataTable, redirectAfter, rowsOf, SECTIONS } from './parts.js';
import type { Row } from './parts.js';
import { consoleCaseRoutes } from './cases.js';

const SESSION_MS = 8 * 3_600_000;

/**
 * The operator console: server-rendered forms over the admin API. Every read
 * and every action is the admin API's own route, called in-process with
 * fastify.inject and the operator's bearer token, so the console has exactly
 * the operator's rights and adds no second path to the data. The token is
 * sealed (AES-GCM) in an HttpOnly, SameSite=Strict cookie scoped to /console.
 */
export function consoleRoutes(app: FastifyInstance, caps: WebCapabilities, frame: WebFrame) {
  const kit = consoleKit(caps, frame);
  const { api, ctxOf, signedIn } = kit;

  app.get('/console/sign-in', async (request, reply) => {
    const bad = (request.query as Record<string, string | undefined>).m === 'bad';
    return frame.page(
      request,
      reply,
      <ConsolePage ctx={ctxOf(request)} title="Sign in to the console">
        <form method="post" action="/console/sign-in">
          <Csrf ctx={ctxOf(request)} />
          {bad ? (
            <p class="error" role="alert">
              That token is unknown or revoked.
            </p>
          ) : null}
          <div class="field">
            <label for="token">Operator API token</label>
            <p class="hint" id="token-hint">
              The <code>rbt_…</code> token of your operator account (<code>rabta operator add</code>, or the demo’s admin token file).
            </p>
            <input type="password" id="token" name="token" class="wide" autocomplete="off" aria-describedby="token-hint" required />
          </div>
          <button type="submit">
            <Icon name="key" /> Sign in
          </button>
        </form>
      </ConsolePage>,
      bad ? 401 : 200,
    );
  });

  app.post('/console/sign-in', async (request, reply) => {
    const token = field(request.body as Form, 'token').trim().slice(0, 200);
    const who = token ? await api(token, 'GET', '/admin/whoami') : { status: 401, json: null };
    if (who.status !== 200) return frame.redirect(reply, '/console/sign-in?m=bad');
    frame.setCookie(reply, COOKIE.console, seal(frame.keys.seal, 'console', token, caps.now() + SESSION_MS), { sameSite: 'Strict', maxAge: SESSION_MS / 1000, path: '/console' });
    return frame.redirect(reply, '/console');
  });

  app.post('/console/sign-out', async (_request, reply) => {
    frame.clearCookie(reply, COOKIE.console, '/console');
    return frame.redirect(reply, '/console/sign-in');
  });

  app.get(
    '/console',
    signedIn(async (request, reply, token) => {
      const who = (await api(token, 'GET', '/admin/whoami')).json as Row;
      return frame.page(
        request,
        reply,
        <ConsolePage ctx={ctxOf(request)} title="Rabta console" signedIn>
          <p>
            Signed in as <strong>{String(who.id ?? '')}</strong> ({String(who.role ?? '')}
            {who.memberId ? `, ${String(who.memberId)}` : ''}).
          </p>
        </ConsolePage>,
      );
    }),
  );

  for (const section of SECTIONS) {
    if (!('api' in section)) continue;
    app.get(
      `/console/${section.path}`,
      signedIn(async (request, reply, token) => {
        const answer = await api(token, 'GET', section.api);
        return frame.page(
          request,
          reply,
          <ConsolePage ctx={ctxOf(request)} title={section.title} signedIn>
            {answer.status === 200 ? <DataTable caption={section.title} rows={rowsOf(answer.json)} /> : <ApiError answer={answer} />}
          </ConsolePage>,
        );
      }),
    );
  }

  // Keys awaiting approval, with who registered them and when (from the change journal).
  app.get(
    '/console/approvals',
    signedIn(async (request, reply, token) => {
      const members = rowsOf((await api(token, 'GET', '/admin/members')).json);
      const pending: Row[] = [];
      for (const member of members) {
        const id = String(member.id ?? '');
        const subsystems = rowsOf((await api(token, 'GET', `/admin/members/${id.split('/').slice(1).join('/')}/subsystems`)).json);
        for (const subsystem of subsystems) {
          const keys = rowsOf((await api(token, 'GET', `/admin/subsystems/${String(subsystem.id ?? '').split('/').slice(1).join('/')}/keys`)).json);
          pending.push(...keys.filter((k) => k.status === 'registered'));
        }
      }
      const asked = await askedBy(token, pending.map((k) => String(k.keyId)));
      const done = (request.query as Record<string, string | undefined>).m;
      return frame.page(
        request,
        reply,
        <ConsolePage ctx={ctxOf(request)} title="Approval queue" signedIn>
          {done === 'approved' ? (
            <p class="ok" role="status">
              Key approved.
            </p>
          ) : done === 'refused' ? (
            <p class="error" role="alert">
              {`The API refused: ${(request.query as Record<string, string>).d ?? ''}`}
            </p>
          ) : null}
          {pending.length === 0 ? <p>No key is waiting for approval.</p> : null}
          <div class="scroll" tabindex={0} role="region" aria-label="Keys awaiting approval">
            <table>
              <caption>Keys awaiting approval</caption>
              <thead>
                <tr>
                  <th scope="col">Subsystem</th>
                  <th scope="col">Key id</th>
                  <th scope="col">Asked by</th>
                  <th scope="col">Asked at</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {pending.map((key) => (
                  <tr key={String(key.keyId)}>
                    <td>{String(key.subsystemId)}</td>
                    <td class="mono">{String(key.keyId)}</td>
                    <td>{asked.get(String(key.keyId))?.by ?? '—'}</td>
                    <td>{String(key.registeredAt ?? '')}</td>
                    <td>
                      <form class="inline-form" method="post" action={`/console/keys/${encodeURIComponent(String(key.keyId))}/approve`}>
                        <Csrf ctx={ctxOf(request)} />
                        <button type="submit" aria-label={`Approve key ${String(key.keyId)} of ${String(key.subsystemId)}`}>
                          Approve
                        </button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </ConsolePage>,
      );
    }),
  );

  app.post(
    '/console/keys/:keyId/approve',
    signedIn(async (request, reply, token) => {
      const { keyId } = request.params as { keyId: string };
      const answer = await api(token, 'POST', `/admin/keys/${encodeURIComponent(keyId)}/approve`, {});
      return redirectAfter(frame, reply, answer, '/console/approvals', '/console/approvals?m=approved');
    }),
  );

  app.get(
    '/console/deliveries',
    signedIn(async (request, reply, token) => {
      const query = request.query as Record<string, string | undefined>;
      const status = ['pending', 'delivered', 'dead', 'cancelled'].includes(query.status ?? '') ? (query.status as string) : 'dead';
      const answer = await api(token, 'GET', `/admin/deliveries?status=${status}&limit=100`);
      const rows = answer.status === 200 ? rowsOf((answer.json as { deliveries?: unknown }).deliveries ?? answer.json) : [];
      return frame.page(
        request,
        reply,
        <ConsolePage ctx={ctxOf(request)} title="Deliveries and dead letters" signedIn>
          <form method="get" action="/console/deliveries" class="actions">
            <label for="status">Status</label>
            <select id="status" name="status">
              {['dead', 'pending', 'delivered', 'cancelled'].map((s) => (
                <option value={s} selected={s === status}>
                  {s}
                </option>
              ))}
            </select>
            <button type="submit" class="secondary">
              Show
            </button>
          </form>
          {query.m === 'replayed' ? (
            <p class="ok" role="status">
              Delivery queued again.
            </p>
          ) : query.m === 'refused' ? (
            <p class="error" role="alert">
              {`The API refused: ${query.d ?? ''}`}
            </p>
          ) : null}
          {answer.status !== 200 ? <ApiError answer={answer} /> : null}
          <div class="scroll" tabindex={0} role="region" aria-label={`Deliveries: ${status}`}>
            <table>
              <caption>{`Deliveries: ${status}`}</caption>
              <thead>
                <tr>
                  <th scope="col">Id</th>
                  <th scope="col">Topic</th>
                  <th scope="col">Subscriber</th>
                  <th scope="col" class="num">
                    Attempts
                  </th>
                  <th scope="col">Last error</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((d) => (
                  <tr key={String(d.id)} data-delivery={String(d.id)}>
                    <td class="num">{String(d.id)}</td>
                    <td class="mono">{String(d.topic)}</td>
                    <td>{String(d.subscriber)}</td>
                    <td class="num">{String(d.attempts)}</td>
                    <td>{String(d.lastError ?? d.lastStatus ?? '')}</td>
                    <td>
                      {d.status === 'dead' ? (
                        <form class="inline-form" method="post" action={`/console/deliveries/${String(d.id)}/replay`}>
                          <Csrf ctx={ctxOf(request)} />
                          <button type="submit" aria-label={`Replay delivery ${String(d.id)}`}>
                            Replay
                          </button>
                        </form>
                      ) : (
                        String(d.status)
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </ConsolePage>,
      );
    }),
  );

  app.post(
    '/console/deliveries/:id/replay',
    signedIn(async (request, reply, token) => {
      const { id } = request.params as { id: string };
      if (!/^\d{1,15}$/.test(id)) throw new RabtaError('not-found');
      const answer = await api(token, 'POST', `/admin/deliveries/${id}/replay`, {});
      return redirectAfter(frame, reply, answer, '/console/deliveries', '/console/deliveries?status=dead&m=replayed');
    }),
  );

  app.get(
    '/console/audit',
    signedIn(async (request, reply, token) => {
      const answer = await api(token, 'GET', '/admin/changes?limit=200');
      const operators = await api(token, 'GET', '/admin/operators');
      const names = new Map(rowsOf(operators.status === 200 ? operators.json : []).map((o) => [String(o.id), String(o.name ?? o.id)]));
      const rows = rowsOf(answer.status === 200 ? ((answer.json as { items?: unknown; changes?: unknown }).items ?? (answer.json as { changes?: unknown }).changes ?? answer.json) : []);
      return frame.page(
        request,
        reply,
        <ConsolePage ctx={ctxOf(request)} title="Audit trail" signedIn>
          {answer.status !== 200 ? <ApiError answer={answer} /> : null}
          <div class="scroll" tabindex={0} role="region" aria-label="Registry changes">
            <table>
              <caption>Registry changes, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                  <th scope="col">Target</th>
                </tr>
              </thead>
              <tbody>
                {[...rows].reverse().map((c, i) => (
                  <tr key={i}>
                    <td>{typeof c.at === 'number' ? new Date(c.at).toISOString() : String(c.at ?? '')}</td>
                    <td>{names.get(String(c.actor)) ?? (c.actor === 'system' ? 'system (bootstrap, seed)' : String(c.actor))}</td>
                    <td>{String(c.action)}</td>
                    <td class="mono">{String(c.target)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </ConsolePage>,
      );
    }),
  );

  consoleCaseRoutes(app, frame, kit);

  async function askedBy(token: string, keyIds: string[]): Promise<Map<string, { by: string }>> {
    const found = new Map<string, { by: string }>();
    if (keyIds.length === 0) return found;
    const [changes, operators] = await Promise.all([api(token, 'GET', '/admin/changes?limit=1000'), api(token, 'GET', '/admin/operators')]);
    const names = new Map(rowsOf(operators.status === 200 ? operators.json : []).map((o) => [String(o.id), String(o.name ?? o.id)]));
    const list = rowsOf(changes.status === 200 ? ((changes.json as { items?: unknown }).items ?? changes.json) : []);
    for (const change of list) {
      if (change.action === 'key.register' && keyIds.includes(String(change.target))) found.set(String(change.target), { by: names.get(String(change.actor)) ?? String(change.actor) });
    }
    return found;
  }
}

