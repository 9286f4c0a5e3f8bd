import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { RabtaError } from '../../core/index.js';
import type { Platform } from '../../platform/index.js';
import { bearerToken } from '../auth.js';
import type { Metrics } from '../metrics.js';
import { wellKnown } from '../well-known.js';

export async function systemRoutes(app: FastifyInstance, { platform, metrics }: { platform: Platform; metrics: Metrics }) {
  app.get('/healthz', { schema: { tags: ['system'], summary: 'Liveness: the process answers' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['system'], summary: 'Readiness: the database answers' } }, async () => {
    try {
      await sql`select 1`.execute(platform.store.db);
    } catch (error) {
      throw new RabtaError('unavailable', 'the database does not answer', { cause: error });
    }
    return { status: 'ready', database: platform.store.dialect.name };
  });

  app.get('/metrics', { schema: { tags: ['system'], summary: 'Prometheus metrics (Authorization: Bearer <metrics token from keys.json>)' } }, async (request, reply) => {
    if (!sameSecret(bearerToken(request.headers) ?? '', platform.keyring.metricsToken)) throw new RabtaError('unauthorized', 'metrics need the metrics token');
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  app.get('/.well-known/rabta.json', { schema: { tags: ['system'], summary: 'Instance id, public keys in force with their validity, API base URLs' } }, async () =>
    wellKnown(platform),
  );
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
