import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../platform/index.js';
import type { Metrics } from '../http/metrics.js';
import { statuteOnly } from '../core/index.js';
import type { ExchangeRecorder, LegalBasisCheck } from '../core/index.js';
import type { Database } from '../store/index.js';
import { forgetExpiredNonces } from './nonces.js';
import { createPipeline } from './pipeline.js';
import { forgetOldQuotaWindows } from './quota.js';
import { databaseRecorder, findExchange } from './record.js';
import { exchangeRoutes } from './routes.js';

export type { ExchangeReply, ExchangeRequest } from './pipeline.js';
export { exchangeMigrations } from './migrations.js';
export { databaseRecorder, findExchange };
export { authenticateSigned } from './authenticate.js';
export type { AuthenticateDeps, SignedCaller } from './authenticate.js';
export { exchangeCountsByMembers } from './counts.js';
export { receiptRoutes } from './receipts.js';

export interface ExchangeOptions {
  legalBasis?: LegalBasisCheck;
  recorder?: ExchangeRecorder<Database>;
}

/** The gateway as a route plugin, with housekeeping of nonces and quota windows. */
export function exchangePlugin(options: ExchangeOptions = {}) {
  return async (app: FastifyInstance, { platform, metrics }: { platform: Platform; metrics: Metrics }) => {
    const mediate = createPipeline({
      batch: platform.store.batch,
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
      void forgetExpiredNonces(platform.store.db, now).catch(() => undefined);
      void forgetOldQuotaWindows(platform.store.db, now).catch(() => undefined);
    }, 30_000);
    sweep.unref();
    app.addHook('onClose', async () => clearInterval(sweep));
    await exchangeRoutes(app, mediate);
  };
}
