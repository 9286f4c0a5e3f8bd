import type { FastifyInstance } from 'fastify';
import type { WebCapabilities } from './capabilities.js';
import { webFrame } from './http/frame.js';
import { portalRoutes } from './portal/routes.js';
import { consoleRoutes } from './console/routes.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { subsetFontFile } from './font.js';

export type { WebCapabilities, PublicFigures, DashboardAnalytics } from './capabilities.js';

/**
 * The three faces of Rabta, served by the instance itself: the citizen
 * portal at `/`, the operator console at `/console`, the dashboard at
 * `/dashboard`. One encapsulated Fastify scope, so the form parser, the
 * security headers and the HTML error pages apply to the web only.
 */
export async function webRoutes(app: FastifyInstance, caps: WebCapabilities): Promise<void> {
  const frame = webFrame(app, caps);
  portalRoutes(app, caps, frame);
  consoleRoutes(app, caps, frame);
  dashboardRoutes(app, caps, frame);
}

/**
 * Cuts the portal's Urdu font into `dataDir`/web now unless it is there: a
 * primary does it once before its workers start, so they find it instead of
 * each cutting it at once.
 */
export async function prepareWebFont(dataDir: string): Promise<void> {
  await subsetFontFile(dataDir).bytes();
}
