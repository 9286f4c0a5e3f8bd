import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { LEAF_KIND } from '../core/index.js';
import { databaseRecorder, exchangePlugin, searchExchanges } from '../exchange/index.js';
import {
  adminRoutes,
  analyticsRoutes,
  casesRoutes,
  citizenAdminRoutes,
  citizenRoutes,
  consentRoutes,
  createHttpServer,
  createMetrics,
  eventsRoutes,
  open311Routes,
  problemsRoutes,
  receiptRoutes,
  smsInboundRoutes,
  systemRoutes,
} from '../http/index.js';
import type { Metrics } from '../http/index.js';
import { ledgerRoutes } from '../ledger/index.js';
import { webRoutes } from '../web/index.js';
import { exchangeRecorder } from './recorders.js';
import { analyticsExchangeRecorder, analyticsMetrics } from './analytics.js';
import type { Platform } from './types.js';
import { webCapabilities } from './web.js';

export interface ServerOptions {
  logger?: FastifyBaseLogger;
}

/**
 * The whole server of an instance. Every route of every module is registered
 * here and only here, each with the capabilities it uses, in the order they
 * are served.
 */
export async function buildServer(platform: Platform, options: ServerOptions = {}): Promise<FastifyInstance> {
  const metrics = createMetrics(platform.jobs);
  const app = await createHttpServer(platform.config, { logger: options.logger, metrics });
  // A failed background job is logged by the server's logger, with its name (a server without one leaves the process warning).
  if (options.logger) {
    const undo = platform.jobs.logTo((job, error) => app.log.error({ err: error, job }, 'background job failed'));
    app.addHook('onClose', async () => undo());
  }
  for (const routes of moduleRoutes(platform, metrics)) await app.register(async (scope) => routes(scope));
  return app;
}

function moduleRoutes(platform: Platform, metrics: Metrics): Array<(app: FastifyInstance) => Promise<void>> {
  const { config, store, registry, consent, citizens, events, cases, ledger } = platform;
  const { authenticate } = platform;
  const exchangeReceipt = (id: string) => platform.receipt(LEAF_KIND.exchange, id);
  return [
    (app) =>
      systemRoutes(app, {
        store,
        metrics,
        metricsToken: platform.keyring.metricsToken,
        wellKnown: { instance: config.instance, publicUrl: config.publicUrl, keyring: platform.keyring, publicKeys: async () => (await platform.publicKeys?.()) ?? [] },
      }),
    problemsRoutes,
    (app) => adminRoutes(app, { registry }),
    exchangePlugin({
      db: store.tables(),
      batch: store.batch(),
      contended: store.contended(),
      registry,
      egress: platform.egress,
      keyring: platform.keyring,
      legalBasis: consent.legalBasis,
      // The tracker's rows join the exchange row and its ledger leaf in one transaction.
      recorder: consent.trackingRecorder(analyticsExchangeRecorder(exchangeRecorder(databaseRecorder, ledger), platform.analytics)),
      publicUrl: config.publicUrl,
      spoolDir: join(config.dataDir, 'spool'),
      upstreamTimeoutMs: config.upstreamTimeoutMs,
      now: platform.now,
      jobs: platform.jobs,
      observe: ({ authenticated, outcome, seconds }) => {
        if (authenticated) {
          metrics.exchanges.inc({ outcome });
          metrics.exchangeDuration.observe(seconds);
        } else {
          metrics.refusedBeforeAuth.inc({ reason: outcome });
        }
      },
    }),
    (app) => ledgerRoutes(app, ledger),
    (app) => receiptRoutes(app, { db: store.tables(), registry, authenticate, receipt: exchangeReceipt }),
    (app) => consentRoutes(app, { consent, authenticate }),
    (app) => citizenRoutes(app, { portal: citizens.portal, exchangeReceipt }),
    (app) => citizenAdminRoutes(app, { registry, citizens }),
    (app) => smsInboundRoutes(app, { smsGateway: platform.smsGateway }),
    (app) => eventsRoutes(app, { events, registry, authenticate }),
    (app) => open311Routes(app, { open311: cases.open311 }),
    (app) => casesRoutes(app, { cases, registry, authenticate }),
    async (app) => {
      analyticsMetrics(metrics.registry, platform.analytics, platform.now);
      await analyticsRoutes(app, { analytics: platform.analytics, registry, now: platform.now, monitoring: (query) => searchExchanges(store.db, query) });
    },
    // The portal, console and dashboard: pages over the same module calls as the API.
    (app) => webRoutes(app, webCapabilities(platform, app)),
  ];
}
