import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One metrics registry per server, so tests can build several side by side. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'rabta_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    exchanges: new Counter({
      name: 'rabta_exchanges_total',
      help: 'Mediated exchanges by outcome (ok, upstream-error or a problem code)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    refusedBeforeAuth: new Counter({
      name: 'rabta_exchange_refused_unauthenticated_total',
      help: 'Exchange requests refused before the client was authenticated (not recorded in the database)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    exchangeDuration: new Histogram({
      name: 'rabta_exchange_duration_seconds',
      help: 'Time from request to reply for mediated exchanges',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
