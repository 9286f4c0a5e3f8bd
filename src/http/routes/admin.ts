import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/index.js';
import { operatorAuth } from '../auth.js';
import { accessRoutes } from './admin-access.js';
import { catalogueRoutes } from './admin-catalogue.js';
import { keyRoutes } from './admin-keys.js';
import { memberRoutes } from './admin-members.js';
import { governanceRoutes } from './admin-governance.js';

/** The admin API: thin translations of HTTP into registry calls, all behind an operator token. */
export async function adminRoutes(app: FastifyInstance, { platform }: { platform: Platform }) {
  app.addHook('onRequest', operatorAuth(platform.registry));
  await app.register(async (scope) => memberRoutes(scope, platform.registry), { prefix: '/admin' });
  await app.register(async (scope) => keyRoutes(scope, platform.registry), { prefix: '/admin' });
  await app.register(async (scope) => catalogueRoutes(scope, platform.registry), { prefix: '/admin' });
  await app.register(async (scope) => accessRoutes(scope, platform.registry), { prefix: '/admin' });
  await app.register(async (scope) => governanceRoutes(scope, platform.registry), { prefix: '/admin' });
}
