import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics.js';
import type { Platform } from '../../platform/index.js';
import { operatorAuth } from '../auth.js';
import { eventsAdminRoutes } from './events-admin.js';
import { eventsSignedRoutes } from './events-signed.js';

/**
 * The events module's routes: the signed API of publishers and subscribers,
 * and the admin API behind operator tokens, in separate scopes so that each
 * has its own authentication. What the workers tell members is logged here.
 */
export async function eventsRoutes(app: FastifyInstance, { platform }: { platform: Platform; metrics: Metrics }) {
  platform.events.onNotice((notice) => app.log.warn({ member: notice.memberId, subscription: notice.subscriptionId, kind: notice.kind }, notice.detail));
  await app.register(async (scope) => eventsSignedRoutes(scope, { platform }));
  await app.register(async (scope) => {
    scope.addHook('onRequest', operatorAuth(platform.registry));
    await eventsAdminRoutes(scope, { events: platform.events, registry: platform.registry });
  });
}
