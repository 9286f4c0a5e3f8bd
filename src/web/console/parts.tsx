/** @jsxImportSource preact */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import type { WebCapabilities } from '../capabilities.js';
import { COOKIE } from '../http/frame.js';
import type { WebFrame } from '../http/frame.js';
import { unseal } from '../http/seal.js';
import { Csrf, ScrollTable } from '../layout.js';
import type { PageContext } from '../layout.js';

/** The admin API's answer to one call made on the operator's behalf. */
export interface Answer {
  status: number;
  json: unknown;
}

export type Row = Record<string, unknown>;

/** The sections of the console; each is one screen over one or a few admin API reads. */
export const SECTIONS = [
  { path: 'approvals', title: 'Approval queue' },
  { path: 'members', title: 'Members', api: '/admin/members' },
  { path: 'services', title: 'Services', api: '/admin/services' },
  { path: 'purposes', title: 'Purposes', api: '/admin/purposes' },
  { path: 'access', title: 'Access rights', api: '/admin/access' },
  { path: 'topics', title: 'Topics', api: '/admin/topics' },
  { path: 'subscriptions', title: 'Subscriptions', api: '/admin/subscriptions' },
  { path: 'deliveries', title: 'Deliveries and dead letters' },
  { path: 'cases', title: 'Cases by deadline' },
  { path: 'cases/triage', title: 'Triage' },
  { path: 'cases/escalations', title: 'Escalations' },
  { path: 'witnesses', title: 'Witnesses', api: '/admin/witnesses' },
  { path: 'audit', title: 'Audit trail' },
] as const;

/**
 * What every console screen needs: the admin API called in-process with the
 * operator's token (fastify.inject, so the console has exactly her rights),
 * the page context, and a guard that sends a visitor without a session to
 * sign in.
 */
export function consoleKit(caps: WebCapabilities, frame: WebFrame) {
  const tokenOf = (request: FastifyRequest) => unseal(frame.keys.seal, 'console', frame.visitOf(request).cookies.get(COOKIE.console), caps.now());

  async function api(token: string, method: 'GET' | 'POST', url: string, payload?: unknown): Promise<Answer> {
    const response = await caps.server().inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });
    let json: unknown = null;
    try {
      json = response.body ? JSON.parse(response.body) : null;
    } catch {
      json = response.body;
    }
    return { status: response.statusCode, json };
  }

  const ctxOf = (request: FastifyRequest): PageContext => ({ ...frame.context(request, request.url.split('?')[0] ?? '/console'), lang: 'en', t: frame.context(request, '/').t });

  function signedIn(handler: (request: FastifyRequest, reply: FastifyReply, token: string) => Promise<unknown>) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const token = tokenOf(request);
      if (!token) return frame.redirect(reply, '/console/sign-in');
      return handler(request, reply, token);
    };
  }

  return { tokenOf, api, ctxOf, signedIn };
}

export type ConsoleKit = ReturnType<typeof consoleKit>;

export function rowsOf(json: unknown): Row[] {
  if (Array.isArray(json)) return json.filter((r): r is Row => r !== null && typeof r === 'object');
  if (json && typeof json === 'object') {
    for (const value of Object.values(json)) if (Array.isArray(value)) return rowsOf(value);
  }
  return [];
}

export function problemText(answer: Answer): string {
  const p = answer.json as { title?: string; detail?: string } | null;
  return p?.detail ?? p?.title ?? `HTTP ${answer.status}`;
}

/** After a console action (POST/redirect/GET): back to `refusedTo` with the API's refusal, or on to `doneTo`. */
export function redirectAfter(frame: WebFrame, reply: FastifyReply, answer: Answer, refusedTo: string, doneTo: string) {
  return frame.redirect(reply, answer.status >= 300 ? `${refusedTo}?m=refused&d=${encodeURIComponent(problemText(answer).slice(0, 160))}` : doneTo);
}

export function ApiError({ answer }: { answer: Answer }) {
  return (
    <p class="error" role="alert">
      {`The admin API answered ${answer.status}: ${problemText(answer)}`}
    </p>
  );
}

/** Any list the admin API returns, as a table: its scalar fields as columns, nested ones as JSON. */
export function DataTable({ caption, rows }: { caption: string; rows: Row[] }) {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((c) => !/jwk|schema|openapi|secret/i.test(c)).slice(0, 9);
  if (rows.length === 0) return <p>Nothing here yet.</p>;
  return (
    <ScrollTable caption={`${caption} (${rows.length})`} heads={columns}>
      {rows.map((r, i) => (
        <tr key={i}>
          {columns.map((c) => (
            <td key={c}>{r[c] === null || r[c] === undefined ? '' : typeof r[c] === 'object' ? JSON.stringify(r[c]) : String(r[c])}</td>
          ))}
        </tr>
      ))}
    </ScrollTable>
  );
}

export function ConsolePage({ ctx, title, signedIn, children }: { ctx: PageContext; title: string; signedIn?: boolean; children: ComponentChildren }) {
  return (
    <html lang="en" dir="ltr">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Rabta console`}</title>
        <link rel="stylesheet" href={`/assets/${ctx.assets.css}`} />
      </head>
      <body class="console">
        <a class="skip" href="#main">
          Skip to main content
        </a>
        <header class="top">
          <div class="bar">
            <a class="brand" href="/console">
              Rabta console
            </a>
            {signedIn ? (
              <form method="post" action="/console/sign-out">
                <Csrf ctx={ctx} />
                <button type="submit">Sign out</button>
              </form>
            ) : null}
          </div>
        </header>
        <main id="main" tabindex={-1}>
          {signedIn ? (
            <nav class="sections" aria-label="Console sections">
              <ul>
                {SECTIONS.map((s) => (
                  <li key={s.path}>
                    <a href={`/console/${s.path}`} aria-current={ctx.path === `/console/${s.path}` ? 'page' : undefined}>
                      {s.title}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          ) : null}
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}
