import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Citizens } from '../../citizens/index.js';
import type { Registry } from '../../registry/index.js';
import { actorOf, operatorAuth } from '../auth.js';
import { bearer } from '../schemas.js';

/** The citizen registry's admin side: the authority registers which phone answers for a CNIC. */
export async function citizenAdminRoutes(base: FastifyInstance, { registry, citizens }: { registry: Registry; citizens: Pick<Citizens, 'registerCitizen'> }) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', operatorAuth(registry));
  app.post(
    '/admin/citizens',
    {
      schema: {
        tags: ['citizens'],
        summary: 'Register a citizen’s mobile number and language (authority); registering again updates them',
        description: 'Only the keyed hash and the masked CNIC are stored. One number may serve several CNICs (a household).',
        security: bearer,
        body: Type.Object(
          {
            cnic: Type.String({ maxLength: 32, description: 'NNNNN-NNNNNNN-N' }),
            mobile: Type.String({ maxLength: 32, description: 'E.164, e.g. +923001234567 (local forms are accepted)' }),
            language: Type.Union([Type.Literal('ur'), Type.Literal('en')]),
          },
          { additionalProperties: false },
        ),
        response: {
          '2xx': Type.Object({ cnic: Type.String(), mobile: Type.String(), language: Type.String(), createdAt: Type.String(), updatedAt: Type.String() }),
        },
      },
    },
    async (request, reply) => {
      const { citizen, created } = await citizens.registerCitizen(actorOf(request), request.body);
      return reply.status(created ? 201 : 200).send(citizen);
    },
  );
}
