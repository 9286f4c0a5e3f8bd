import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_BASE, PROBLEMS } from '../../core/index.js';
import { sendProblem } from '../problem-reply.js';
import { Problem } from '../schemas.js';
import { problemsRoutes } from './problems.js';

describe('problem pages', () => {
  const app = Fastify();
  beforeAll(async () => {
    app.setErrorHandler((error, request, reply) => sendProblem(request, reply, error));
    await app.register(problemsRoutes);
    await app.ready();
  });
  afterAll(() => app.close());

  it.each(Object.keys(PROBLEMS))('answers 200 for %s, in HTML and in JSON', async (code) => {
    const html = await app.inject({ method: 'GET', url: `/problems/${code}` });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toContain(`<code>${PROBLEM_BASE}${code}</code>`);
    const json = await app.inject({ method: 'GET', url: `/problems/${code}`, headers: { accept: 'application/json' } });
    expect(json.statusCode).toBe(200);
    const page = JSON.parse(json.body) as Record<string, unknown>;
    expect(page).toMatchObject({ code, type: PROBLEM_BASE + code, status: PROBLEMS[code as keyof typeof PROBLEMS].status, title: PROBLEMS[code as keyof typeof PROBLEMS].title });
    expect(String(page.when).length).toBeGreaterThan(10);
    expect(String(page.todo).length).toBeGreaterThan(10);
  });

  it('lists every code at /problems', async () => {
    const list = JSON.parse((await app.inject({ method: 'GET', url: '/problems', headers: { accept: 'application/json' } })).body) as Array<{ code: string }>;
    expect(list.map((p) => p.code)).toEqual(Object.keys(PROBLEMS));
    const html = await app.inject({ method: 'GET', url: '/problems' });
    for (const code of Object.keys(PROBLEMS)) expect(html.body).toContain(`href="/problems/${code}"`);
  });

  it('answers an unknown code with a not-found problem', async () => {
    for (const code of ['no-such-problem', 'constructor', '__proto__']) {
      const response = await app.inject({ method: 'GET', url: `/problems/${code}`, headers: { accept: 'application/json' } });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(JSON.parse(response.body).type).toBe(`${PROBLEM_BASE}not-found`);
    }
  });

  it('is linked from the Problem schema of the OpenAPI document', () => {
    expect((Problem.properties.type as { description?: string }).description).toContain('/problems/{code}');
    expect((Problem as unknown as { externalDocs: { url: string } }).externalDocs.url).toBe('/problems');
  });
});
