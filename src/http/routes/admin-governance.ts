import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Registry } from '../../registry/index.js';
import { actorOf } from '../auth.js';
import { bearer, Id, Name } from '../schemas.js';

/** Operators, witnesses and the registry journal. */
export async function governanceRoutes(base: FastifyInstance, registry: Registry) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/operators',
    {
      schema: {
        tags: ['operators'],
        summary: 'Create an operator and its API token (authority); the token is shown only in this answer',
        security: bearer,
        body: Type.Object(
          {
            name: Name,
            role: Type.Union([Type.Literal('authority-admin'), Type.Literal('member-admin')]),
            member: Type.Optional(Id),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) =>
      reply.status(201).send(await registry.createOperator(actorOf(request), { name: request.body.name, role: request.body.role, memberId: request.body.member ?? null })),
  );

  app.get('/operators', { schema: { tags: ['operators'], summary: 'List operators (authority)', security: bearer } }, async (request) => registry.listOperators(actorOf(request)));

  app.get('/whoami', { schema: { tags: ['operators'], summary: 'The operator behind this token', security: bearer } }, async (request) => actorOf(request));

  app.post(
    '/witnesses',
    {
      schema: {
        tags: ['witnesses'],
        summary: 'Register a member’s witness (C2SP tlog-witness) with its cosignature vkey',
        security: bearer,
        body: Type.Object({ member: Id, vkey: Type.String({ maxLength: 400 }), url: Type.String({ maxLength: 2000 }) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => reply.status(201).send(await registry.addWitness(actorOf(request), { memberId: request.body.member, vkey: request.body.vkey, url: request.body.url })),
  );

  app.get('/witnesses', { schema: { tags: ['witnesses'], summary: 'List witnesses', security: bearer } }, async () => registry.listWitnesses());

  app.get(
    '/changes',
    {
      schema: {
        tags: ['registry'],
        summary: 'The registry change journal (who changed what, when)',
        security: bearer,
        // Query values arrive as text; body types are never coerced, so these are parsed here.
        querystring: Type.Object({ after: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })), limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })) }, { additionalProperties: false }),
      },
    },
    async (request) => registry.listChanges({ after: Number(request.query.after ?? 0), limit: Number(request.query.limit ?? 100) }),
  );
}
