/**
 * http: the server and every route of the HTTP API. Each route function takes
 * the capabilities it uses (a module's interface, never the whole platform);
 * the platform registers them all in one place (src/platform/server.ts).
 */
export { createHttpServer } from './server.js';
export type { HttpServerOptions, Server } from './server.js';
export { createMetrics } from './metrics.js';
export type { Metrics } from './metrics.js';
export { createLogger } from './logger.js';
export type { WellKnownKey, WellKnownSource } from './well-known.js';
export { systemRoutes } from './routes/system.js';
export type { SystemDeps } from './routes/system.js';
export { adminRoutes } from './routes/admin.js';
export { consentRoutes } from './routes/consents.js';
export { citizenRoutes } from './routes/citizen.js';
export { citizenAdminRoutes } from './routes/citizen-admin.js';
export { smsInboundRoutes } from './routes/sms-inbound.js';
export { eventsRoutes } from './routes/events.js';
export { open311Routes } from './routes/open311.js';
export { casesRoutes } from './routes/cases.js';
export { analyticsRoutes } from './routes/analytics.js';
export { problemsRoutes } from './routes/problems.js';
export { receiptRoutes } from './routes/receipts.js';
export type { ReceiptDeps } from './routes/receipts.js';
export type { Authenticate } from './signed.js';
