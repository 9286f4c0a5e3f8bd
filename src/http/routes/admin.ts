import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry/index.js';
import { operatorAuth } from '../auth.js';
import { accessRoutes } from './admin-access.js';
import { catalogueRoutes } from './admin-catalogue.js';
import { keyRoutes } from './admin-keys.js';
import { memberRoutes } from './admin-members.js';
import { governanceRoutes } from './admin-governance.js';

/** The admin API: thin translations of HTTP into registry calls, all behind an operator token. */
export async function adminRoutes(app: FastifyInstance, { registry }: { registry: Registry }) {
  app.addHook('onRequest', operatorAuth(registry));
  await app.register(async (scope) => memberRoutes(scope, registry), { prefix: '/admin' });
  await app.register(async (scope) => keyRoutes(scope, registry), { prefix: '/admin' });
  await app.register(async (scope) => catalogueRoutes(scope, registry), { prefix: '/admin' });
  await app.register(async (scope) => accessRoutes(scope, registry), { prefix: '/admin' });
  await app.register(async (scope) => governanceRoutes(scope, registry), { prefix: '/admin' });
}
