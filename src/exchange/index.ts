import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { statuteOnly } from '../core/index.js';
import type { ExchangeRecorder, Jobs, LegalBasisCheck } from '../core/index.js';

import { forgetExpiredNonces } from './nonces.js';
import { createPipeline } from './pipeline.js';
import type { PipelineDeps } from './pipeline.js';
import { forgetOldQuotaWindows } from './quota.js';
import { databaseRecorder, findExchange } from './record.js';
import { exchangeRoutes } from './routes.js';
import type { ExchangeTables } from './tables.js';

export type { ExchangeReply, ExchangeRequest } from './pipeline.js';
export { exchangeMigrations } from './migrations.js';
export { databaseRecorder, findExchange };
export { authenticateSigned, checkContentDigest, signedAuthenticator } from './authenticate.js';
export type { AuthenticateDeps, SignedCaller, SignedRequestHead } from './authenticate.js';
export { exchangeCountsByMembers, exchangeErrorsBetween, exchangeGroups } from './counts.js';
export type { ExchangeGroup, ExchangeGroupQuery } from '../core/index.js';
export { searchExchanges } from './monitoring.js';
export type { ExchangeMetadata, MonitoringQuery } from './monitoring.js';

export interface ExchangeDeps extends Omit<PipelineDeps, 'legalBasis' | 'recorder' | 'onInternalError'> {
  db: Kysely<ExchangeTables>;
  /** the consent module's check; without one, only statute purposes pass */
  legalBasis?: LegalBasisCheck | undefined;
  /** the exchange's row by default; the platform chains the tracker and the ledger leaf to it */
  recorder?: ExchangeRecorder<ExchangeTables> | undefined;
  /** runs the housekeeping, failures logged and counted by name */
  jobs: Jobs;
}

/** The gateway as a route plugin, with housekeeping of nonces and quota windows. */
export function exchangePlugin(deps: ExchangeDeps) {
  return async (app: FastifyInstance) => {
    const mediate = createPipeline({
      ...deps,
      legalBasis: deps.legalBasis ?? statuteOnly,
      recorder: deps.recorder ?? databaseRecorder,
      onInternalError: (error) => app.log.error({ err: error }, 'exchange failed inside Rabta'),
    });
    // Spent nonces and old quota windows, forgotten on every node (the deletes are idempotent).
    const sweep = deps.jobs.every('exchange-forget', 30_000, async () => {
      const now = deps.now();
      await Promise.all([forgetExpiredNonces(deps.db, now), forgetOldQuotaWindows(deps.db, now)]);
    });
    app.addHook('onClose', () => sweep.stop());
    await exchangeRoutes(app, mediate);
  };
}
