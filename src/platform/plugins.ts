import { exchangePlugin } from '../exchange/index.js';
import { receiptRoutes } from '../exchange/receipts.js';
import { databaseRecorder } from '../exchange/record.js';
import { citizenAdminRoutes } from '../http/routes/citizen-admin.js';
import { citizenRoutes } from '../http/routes/citizen.js';
import { consentRoutes } from '../http/routes/consents.js';
import { eventsRoutes } from '../http/routes/events.js';
import { smsInboundRoutes } from '../http/routes/sms-inbound.js';
import { open311Routes } from '../http/routes/open311.js';
import { casesRoutes } from '../http/routes/cases.js';
import { authenticateSigned } from '../exchange/index.js';
import type { ServerOptions } from '../http/server.js';
import { ledgerRoutes } from '../ledger/routes.js';
import type { Platform } from './index.js';
import { exchangeRecorder } from './recorders.js';
import { webCapabilities } from './web.js';
import { webRoutes } from '../web/index.js';

/** Route plugins of the modules beyond the registry, in the order they are served. */
export function platformPlugins(platform: Platform): NonNullable<ServerOptions['plugins']> {
  return [
    exchangePlugin({
      legalBasis: platform.consent.legalBasis,
      // The tracker's rows join the exchange row and its ledger leaf in one transaction.
      recorder: platform.consent.trackingRecorder(exchangeRecorder(databaseRecorder, platform.ledger)),
    }),
    (app) => ledgerRoutes(app, platform.ledger),
    (app) => receiptRoutes(app, platform),
    consentRoutes,
    citizenRoutes,
    citizenAdminRoutes,
    smsInboundRoutes,
    eventsRoutes,
    (app) => open311Routes(app, { open311: platform.cases.open311 }),
    (app) =>
      casesRoutes(app, {
        cases: platform.cases,
        registry: platform.registry,
        authenticate: (request) => authenticateSigned({ batch: platform.store.batch(), registry: platform.registry, publicUrl: platform.config.publicUrl, now: platform.now }, request),
      }),
    // The portal, console and dashboard: pages over the same module calls as the API.
    (app) => webRoutes(app, webCapabilities(platform, app)),
  ];
}
