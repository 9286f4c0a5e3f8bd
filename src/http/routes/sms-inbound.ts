import type { FastifyInstance } from 'fastify';
import { RabtaError } from '../../core/index.js';
import type { HttpChannel } from '../../notify/index.js';

/**
 * Citizens' replies relayed by an HTTP SMS gateway. The gateway signs the raw
 * body with the shared secret, so the body is taken as bytes, unparsed.
 */
export async function smsInboundRoutes(app: FastifyInstance, { smsGateway }: { smsGateway: HttpChannel | undefined }) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_request, body, done) => done(null, body));
  app.post(
    '/sms/inbound',
    {
      schema: {
        tags: ['citizen'],
        summary: 'Inbound SMS and delivery receipts from the HTTP SMS gateway (signed: x-rabta-sms-timestamp, x-rabta-sms-signature)',
      },
    },
    async (request, reply) => {
      const gateway = smsGateway;
      if (!gateway) throw new RabtaError('not-found', 'this instance has no HTTP SMS gateway (RABTA_SMS_HTTP_URL)');
      await gateway.handleInbound(request.headers, (request.body as Buffer | undefined) ?? Buffer.alloc(0));
      return reply.status(204).send();
    },
  );
}
