import type { FastifyInstance } from 'fastify';
import type { Events } from '../../events/index.js';
import type { AuthenticateDeps } from '../../exchange/index.js';
import type { Registry } from '../../registry/index.js';
import { operatorAuth } from '../auth.js';
import { eventsAdminRoutes } from './events-admin.js';
import { eventsSignedRoutes } from './events-signed.js';

/**
 * The events module's routes: the signed API of publishers and subscribers,
 * and the admin API behind operator tokens, in separate scopes so that each
 * has its own authentication. What the workers tell members is logged here.
 */
export async function eventsRoutes(app: FastifyInstance, { events, registry, auth }: { events: Events; registry: Registry; auth: AuthenticateDeps }) {
  events.onNotice((notice) => app.log.warn({ member: notice.memberId, subscription: notice.subscriptionId, kind: notice.kind }, notice.detail));
  events.onError((error) => app.log.error({ err: error }, 'event delivery worker failed'));
  await app.register(async (scope) => eventsSignedRoutes(scope, { events, auth }));
  await app.register(async (scope) => {
    scope.addHook('onRequest', operatorAuth(registry));
    await eventsAdminRoutes(scope, { events, registry });
  });
}
