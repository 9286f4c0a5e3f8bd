import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Registry } from '../../registry/index.js';
import { actorOf } from '../auth.js';
import { bearer, Id } from '../schemas.js';

export async function accessRoutes(base: FastifyInstance, registry: Registry) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/access',
    {
      schema: {
        tags: ['access'],
        summary: 'Grant a client subsystem a service for some purposes (the provider or the authority)',
        security: bearer,
        body: Type.Object(
          { service: Id, client: Id, purposes: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 50 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) =>
      reply.status(201).send(await registry.grantAccess(actorOf(request), { serviceId: request.body.service, clientId: request.body.client, purposes: request.body.purposes })),
  );

  app.get(
    '/access',
    {
      schema: {
        tags: ['access'],
        summary: 'List access rights',
        security: bearer,
        querystring: Type.Object(
          { service: Type.Optional(Id), client: Type.Optional(Id), member: Type.Optional(Type.String({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => registry.listAccess({ serviceId: request.query.service, clientId: request.query.client, memberId: request.query.member }),
  );

  app.delete(
    '/access/:id',
    { schema: { tags: ['access'], summary: 'Revoke an access right', security: bearer, params: Type.Object({ id: Type.String({ format: 'uuid' }) }) } },
    async (request, reply) => {
      await registry.revokeAccess(actorOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
}
