import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestInstance } from '../../platform/testing.js';
import type { TestInstance } from '../../platform/testing.js';
import { testDialects } from '../../store/testing.js';

const postgresUrl = inject('postgresUrl');

/**
 * Every admin route, from the OpenAPI document itself, gets bad input of every
 * kind; none may answer 5xx, and every refusal is problem+json.
 */
for (const dialect of testDialects(postgresUrl)) {
  describe(`admin routes under bad input on ${dialect}`, () => {
    let t: TestInstance;
    beforeAll(async () => {
      t = await startTestInstance(dialect, postgresUrl);
    });
    afterAll(async () => t?.close());

    it('answer 4xx problem+json, never 5xx', async () => {
      const doc = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
      const paths = Object.entries(doc.paths).filter(([path]) => path.startsWith('/admin'));
      expect(paths.length).toBeGreaterThan(15);
      const oddValues = ['NOPE', 'a%2Fb', '..', "x'--", 'ـاردو', '9'.repeat(300)];
      const bodies = ['{"memberClass": "GOV",', '[]', '"text"', 'null', '{"code": {"$ne": 1}}', JSON.stringify({ unknown: true }), JSON.stringify({ code: 12, name: [], jwk: 'x', purposes: 'p' })];
      const failures: string[] = [];
      let calls = 0;
      for (const [path, methods] of paths) {
        for (const method of Object.keys(methods)) {
          for (const odd of oddValues) {
            const url = path.replace(/\{[^}]+\}/g, encodeURIComponent(odd));
            for (const body of method === 'get' || method === 'delete' ? [undefined] : bodies) {
              const response = await t.app.inject({
                method: method.toUpperCase() as 'GET',
                url,
                headers: { authorization: `Bearer ${t.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
                payload: body,
              });
              calls++;
              const problem = response.statusCode >= 400 ? String(response.headers['content-type']).includes('application/problem+json') : true;
              if (response.statusCode >= 500 || !problem) failures.push(`${method.toUpperCase()} ${url} ${body ?? ''} → ${response.statusCode} ${response.body.slice(0, 120)}`);
            }
          }
        }
      }
      expect(calls).toBeGreaterThan(300);
      expect(failures).toEqual([]);
    }, 180_000);
  });
}
