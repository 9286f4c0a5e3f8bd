import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { RabtaError } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import { bearerToken } from '../auth.js';
import type { Metrics } from '../metrics.js';
import { wellKnown } from '../well-known.js';
import type { WellKnownSource } from '../well-known.js';

export interface SystemDeps {
  store: Pick<Store, 'db' | 'dialect'>;
  metrics: Metrics;
  /** the bearer token /metrics asks for (keys.json) */
  metricsToken: string;
  wellKnown: WellKnownSource;
}

export async function systemRoutes(app: FastifyInstance, deps: SystemDeps) {
  const { store, metrics } = deps;
  app.get('/healthz', { schema: { tags: ['system'], summary: 'Liveness: the process answers' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['system'], summary: 'Readiness: the database answers' } }, async () => {
    try {
      await sql`select 1`.execute(store.db);
    } catch (error) {
      throw new RabtaError('unavailable', 'the database does not answer', { cause: error });
    }
    return { status: 'ready', database: store.dialect.name };
  });

  app.get('/metrics', { schema: { tags: ['system'], summary: 'Prometheus metrics (Authorization: Bearer <metrics token from keys.json>)' } }, async (request, reply) => {
    if (!sameSecret(bearerToken(request.headers) ?? '', deps.metricsToken)) throw new RabtaError('unauthorized', 'metrics need the metrics token');
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  app.get('/.well-known/rabta.json', { schema: { tags: ['system'], summary: 'Instance id, public keys in force with their validity, API base URLs' } }, async () =>
    wellKnown(deps.wellKnown),
  );
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
