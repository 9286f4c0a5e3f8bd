import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../http/metrics.js';
import type { Platform } from '../platform/index.js';
import type { LegalBasisCheck } from './legal-basis.js';
import { statuteOnly } from './legal-basis.js';
import { forgetExpiredNonces } from './nonces.js';
import { createPipeline } from './pipeline.js';
import { forgetOldQuotaWindows } from './quota.js';
import { databaseRecorder, findExchange } from './record.js';
import type { ExchangeRecorder } from './record.js';
import { exchangeRoutes } from './routes.js';

export type { LegalBasisAnswer, LegalBasisCheck, LegalBasisQuestion } from './legal-basis.js';
export type { ExchangeRecord, ExchangeRecorder } from './record.js';
export type { ExchangeReply, ExchangeRequest } from './pipeline.js';
export { exchangeMigrations } from './migrations.js';
export { statuteOnly, findExchange };
export { authenticateSigned } from './authenticate.js';
export type { AuthenticateDeps, SignedCaller } from './authenticate.js';
export { subjectsOf } from './subjects.js';
export { exchangeCountsByMembers } from './counts.js';

export interface ExchangeOptions {
  legalBasis?: LegalBasisCheck;
  recorder?: ExchangeRecorder;
}

/** The gateway as a route plugin, with housekeeping of nonces and quota windows. */
export function exchangePlugin(options: ExchangeOptions = {}) {
  return async (app: FastifyInstance, { platform, metrics }: { platform: Platform; metrics: Metrics }) => {
    const mediate = createPipeline({
      batch: platform.store.batch(),
      registry: platform.registry,
      egress: platform.egress,
      keyring: platform.keyring,
      legalBasis: options.legalBasis ?? statuteOnly,
      recorder: options.recorder ?? databaseRecorder,
      publicUrl: platform.config.publicUrl,
      spoolDir: join(platform.config.dataDir, 'spool'),
      upstreamTimeoutMs: platform.config.upstreamTimeoutMs,
      now: platform.now,
      observe: ({ authenticated, outcome, seconds }) => {
        if (authenticated) {
          metrics.exchanges.inc({ outcome });
          metrics.exchangeDuration.observe(seconds);
        } else {
          metrics.refusedBeforeAuth.inc({ reason: outcome });
        }
      },
      onInternalError: (error) => app.log.error({ err: error }, 'exchange failed inside Rabta'),
    });
    const sweep = setInterval(() => {
      const now = platform.now();
      void forgetExpiredNonces(platform.store.tables(), now).catch(() => undefined);
      void forgetOldQuotaWindows(platform.store.tables(), now).catch(() => undefined);
    }, 30_000);
    sweep.unref();
    app.addHook('onClose', async () => clearInterval(sweep));
    await exchangeRoutes(app, mediate);
  };
}
