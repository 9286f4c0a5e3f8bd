import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PROBLEMS, RabtaError, problemPage, problemPages } from '../../core/index.js';
import type { ProblemCode, ProblemPage } from '../../core/index.js';

/**
 * Every problem type URI `https://rabta.pk/problems/<code>` is documented
 * here, generated from the one problem table: HTML for people, JSON on
 * `Accept: application/json`.
 */
export async function problemsRoutes(base: FastifyInstance) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/problems',
    { schema: { tags: ['system'], summary: 'Every problem type Rabta answers with: title, status, when it happens, what to do', description: 'HTML, or on Accept: application/json a list of {code, type, title, status, when, todo}.' } },
    async (request, reply) => (wantsJson(request) ? problemPages() : reply.type('text/html; charset=utf-8').send(indexHtml(problemPages()))),
  );
  app.get(
    '/problems/:code',
    {
      schema: {
        tags: ['system'],
        summary: 'One problem type: the page its type URI https://rabta.pk/problems/{code} points to',
        description: 'HTML, or on Accept: application/json an object {code, type, title, status, when, todo}.',
        params: Type.Object({ code: Type.String({ maxLength: 64 }) }),
      },
    },
    async (request, reply) => {
      const code = request.params.code;
      if (!Object.hasOwn(PROBLEMS, code)) throw new RabtaError('not-found', `no problem type ${code}`, { extensions: { code } });
      const page = problemPage(code as ProblemCode);
      return wantsJson(request) ? page : reply.type('text/html; charset=utf-8').send(pageHtml(page));
    },
  );
}

function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return /application\/(problem\+)?json/i.test(accept) && !/text\/html/i.test(accept);
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** `code` in backticks, as the texts write it, becomes <code>. */
const prose = (text: string) => escape(text).replace(/`([^`]+)`/g, '<code>$1</code>');

function document(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title></head><body><main>${body}</main></body></html>`;
}

function pageHtml(page: ProblemPage): string {
  return document(
    `${page.code} — Rabta problem`,
    `<p><a href="/problems">All problem types</a></p><h1>${escape(page.title)}</h1><dl><dt>Type</dt><dd><code>${escape(page.type)}</code></dd><dt>Status</dt><dd>${page.status}</dd></dl><h2>When it happens</h2><p>${prose(page.when)}</p><h2>What to do</h2><p>${prose(page.todo)}</p>`,
  );
}

function indexHtml(pages: ProblemPage[]): string {
  const rows = pages.map((p) => `<tr><td><a href="/problems/${escape(p.code)}">${escape(p.code)}</a></td><td>${p.status}</td><td>${escape(p.title)}</td></tr>`).join('');
  return document('Rabta problem types', `<h1>Problem types</h1><p>Every error Rabta answers with is an RFC 9457 problem whose <code>type</code> is one of these.</p><table><thead><tr><th>code</th><th>status</th><th>title</th></tr></thead><tbody>${rows}</tbody></table>`);
}
