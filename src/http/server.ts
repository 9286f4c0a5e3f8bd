import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Platform } from '../platform/index.js';
import { clientErrorHandler } from './client-errors.js';
import { createMetrics } from './metrics.js';
import type { Metrics } from './metrics.js';
import { sendProblem } from './problem-reply.js';
import { Problem } from './schemas.js';
import { adminRoutes } from './routes/admin.js';
import { problemsRoutes } from './routes/problems.js';
import { systemRoutes } from './routes/system.js';

export type Server = FastifyInstance;

export interface ServerOptions {
  logger?: FastifyBaseLogger;
  /** extra route plugins that other modules contribute (exchange, ledger, …) */
  plugins?: Array<(app: FastifyInstance, deps: { platform: Platform; metrics: Metrics }) => Promise<void>>;
}

/** Composes every module's routes behind one error format and one OpenAPI document. */
export async function buildServer(platform: Platform, options: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: 1024 * 1024,
    // Fastify's 10 s per plugin fails a start on a loaded machine (swagger-ui reads its assets); only a real hang should.
    pluginTimeout: 120_000,
    trustProxy: false,
    // No connection may stay open forever: a slow head, a trickled body and an idle socket each end.
    requestTimeout: platform.config.requestTimeoutMs,
    keepAliveTimeout: platform.config.keepAliveTimeoutMs,
    connectionTimeout: platform.config.connectionTimeoutMs,
    http: {
      headersTimeout: platform.config.headersTimeoutMs,
      // Node looks for expired requests this often (default 30 s): a short timeout needs a closer look.
      connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(platform.config.headersTimeoutMs / 4))),
    },
    // What the HTTP parser refuses (431, bad framing, unknown method, 408) is a problem+json too.
    clientErrorHandler,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    // Request ids show up in logs and in Rabta-Exchange-Id for exchanges.
    genReqId: () => crypto.randomUUID(),
    // Errors the router raises before any handler (bad URL, over-long parameter) are problems too.
    frameworkErrors: (error, request, reply) => {
      sendProblem(request, reply, error);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // A listening server emits 'error' when accept() fails (EMFILE under a connection flood); unheard, it would end the process.
  app.server.on('error', (error) => app.log.error({ err: error }, 'the HTTP server could not accept a connection'));
  const metrics = createMetrics(platform.jobs);
  // A failed background job is logged by the server's logger, with its name (a server without one leaves the process warning).
  if (options.logger) {
    const undo = platform.jobs.logTo((job, error) => app.log.error({ err: error, job }, 'background job failed'));
    app.addHook('onClose', async () => undo());
  }
  app.addSchema(Problem);
  app.setErrorHandler((error, request, reply) => sendProblem(request, reply, error));
  app.setNotFoundHandler((request, reply) => sendProblem(request, reply, Object.assign(new Error(`no route ${request.method} ${request.url.split('?')[0]}`), { code: 'FST_ERR_NOT_FOUND' })));
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequests.inc({ route: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Rabta',
        version: '0.1.0',
        description: 'Inter-institutional exchange, registry and transparency log. Errors are RFC 9457 problem+json.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: platform.config.publicUrl }],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(async (scope) => systemRoutes(scope, { platform, metrics }));
  await app.register(problemsRoutes);
  await app.register(async (scope) => adminRoutes(scope, { platform }));
  for (const plugin of options.plugins ?? []) await app.register(async (scope) => plugin(scope, { platform, metrics }));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
