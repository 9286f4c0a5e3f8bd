import type { FastifyInstance } from 'fastify';
import type { Events } from '../../events/index.js';
import type { Authenticate } from '../signed.js';
import type { Registry } from '../../registry/index.js';
import { operatorAuth } from '../auth.js';
import { eventsAdminRoutes } from './events-admin.js';
import { eventsSignedRoutes } from './events-signed.js';

/**
 * The events module's routes: the signed API of publishers and subscribers,
 * and the admin API behind operator tokens, in separate scopes so that each
 * has its own authentication. What the workers tell members is logged here.
 */
export async function eventsRoutes(app: FastifyInstance, { events, registry, authenticate }: { events: Events; registry: Registry; authenticate: Authenticate }) {
  events.onNotice((notice) => app.log.warn({ member: notice.memberId, subscription: notice.subscriptionId, kind: notice.kind }, notice.detail));
  await app.register(async (scope) => eventsSignedRoutes(scope, { events, authenticate }));
  await app.register(async (scope) => {
    scope.addHook('onRequest', operatorAuth(registry));
    await eventsAdminRoutes(scope, { events, registry });
  });
}
