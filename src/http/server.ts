import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../config/index.js';
import { clientErrorHandler } from './client-errors.js';
import type { Metrics } from './metrics.js';
import { sendProblem } from './problem-reply.js';
import { Problem } from './schemas.js';

export type Server = FastifyInstance;

export interface HttpServerOptions {
  logger?: FastifyBaseLogger | undefined;
  /** counts every request by route and status */
  metrics: Metrics;
}

/**
 * The server every module's routes are served by: one error format (RFC 9457),
 * one OpenAPI document, timeouts on every connection, request metrics. It
 * serves no module's routes itself; the platform registers them, all in one
 * place (`buildServer` in src/platform/server.ts).
 */
export async function createHttpServer(config: Pick<Config, 'publicUrl' | 'requestTimeoutMs' | 'keepAliveTimeoutMs' | 'connectionTimeoutMs' | 'headersTimeoutMs'>, options: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: 1024 * 1024,
    // Fastify's 10 s per plugin fails a start on a loaded machine (swagger-ui reads its assets); only a real hang should.
    pluginTimeout: 120_000,
    trustProxy: false,
    // No connection may stay open forever: a slow head, a trickled body and an idle socket each end.
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    connectionTimeout: config.connectionTimeoutMs,
    http: {
      headersTimeout: config.headersTimeoutMs,
      // Node looks for expired requests this often (default 30 s): a short timeout needs a closer look.
      connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(config.headersTimeoutMs / 4))),
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
  const metrics = options.metrics;
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
      servers: [{ url: config.publicUrl }],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
