import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MEMBER_CLASSES } from '../../core/index.js';
import type { Registry } from '../../registry/index.js';
import { actorOf } from '../auth.js';
import { bearer, Code, Name, problemResponses } from '../schemas.js';

const MemberParams = Type.Object({ class: Code, member: Code });

export async function memberRoutes(base: FastifyInstance, registry: Registry) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const memberId = (p: { class: string; member: string }) => `${registry.instance}/${p.class}/${p.member}`;

  app.post(
    '/members',
    {
      schema: {
        tags: ['registry'],
        summary: 'Admit a member institution (authority)',
        security: bearer,
        body: Type.Object(
          {
            memberClass: Type.Union(MEMBER_CLASSES.map((c) => Type.Literal(c))),
            code: Code,
            nameEn: Name,
            nameUr: Name,
            province: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { ...problemResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await registry.createMember(actorOf(request), request.body)),
  );

  app.get('/members', { schema: { tags: ['registry'], summary: 'List members', security: bearer } }, async () => registry.listMembers());

  app.get('/members/:class/:member', { schema: { tags: ['registry'], summary: 'One member', security: bearer, params: MemberParams } }, async (request) =>
    registry.getMember(memberId(request.params)),
  );

  app.post(
    '/members/:class/:member/subsystems',
    {
      schema: {
        tags: ['registry'],
        summary: 'Add a subsystem (an information system) to a member',
        security: bearer,
        params: MemberParams,
        body: Type.Object({ code: Code, name: Name }, { additionalProperties: false }),
      },
    },
    async (request, reply) =>
      reply.status(201).send(await registry.createSubsystem(actorOf(request), memberId(request.params), request.body)),
  );

  app.get('/members/:class/:member/subsystems', { schema: { tags: ['registry'], summary: 'A member’s subsystems', security: bearer, params: MemberParams } }, async (request) =>
    registry.listSubsystems(memberId(request.params)),
  );

  app.get('/subsystems', { schema: { tags: ['registry'], summary: 'All subsystems', security: bearer } }, async () => registry.listSubsystems());
}
