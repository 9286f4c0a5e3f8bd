import type { FastifyInstance } from 'fastify';
import { requestHasBody } from '../sdk/index.js';
import type { createPipeline } from './pipeline.js';

/**
 * `/x/*` as a thin adapter: the raw request goes to the pipeline untouched (no
 * body parsing here — the pipeline streams, limits and hashes it) and the
 * pipeline's reply goes out as it is.
 */
export async function exchangeRoutes(app: FastifyInstance, mediate: ReturnType<typeof createPipeline>) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: '/x/*',
    schema: {
      tags: ['exchange'],
      summary: 'Call another institution’s service through Rabta (RFC 9421-signed; see /.well-known/rabta.json)',
      description:
        'Path: /x/{instance}/{class}/{member}/{subsystem}/{service}/{path…}. Headers: Rabta-Client, optional Rabta-Purpose and Rabta-Subject, Signature-Input and Signature (tag rabta-request), Content-Digest when there is a body. The reply carries Rabta-Exchange-Id and a response signature (tag rabta-response).',
      hide: false,
    },
    handler: async (request, reply) => {
      const result = await mediate({ method: request.method, url: request.raw.url ?? request.url, headers: request.headers, body: request.raw });
      // A body the pipeline refused before reading it to the end (unauthenticated, unauthorised, over the limit) is not read now either.
      if (requestHasBody(request.headers) && !request.raw.readableEnded) reply.header('connection', 'close');
      return reply.status(result.status).headers(result.headers).send(Buffer.from(result.body.buffer, result.body.byteOffset, result.body.byteLength));
    },
  });
}
