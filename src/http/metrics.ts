import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Jobs } from '../core/index.js';

/** One metrics registry per server, so tests can build several side by side. */
export function createMetrics(jobs?: Pick<Jobs, 'failures'>) {
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
    jobFailures: new Counter({
      name: 'rabta_background_job_failures_total',
      help: 'Runs of background jobs (sequencer, sweeps, delivery worker, notice sender) that failed, by job name',
      labelNames: ['job'] as const,
      registers: [registry],
      // Counted where the jobs run; read when scraped.
      collect() {
        this.reset();
        for (const [job, count] of jobs?.failures() ?? []) this.labels({ job }).inc(count);
      },
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
