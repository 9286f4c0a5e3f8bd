import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Registry } from '../../registry/index.js';
import { actorOf } from '../auth.js';
import { bearer, Code, Name } from '../schemas.js';

const SubsystemParams = Type.Object({ class: Code, member: Code, subsystem: Code });
const ServiceParams = Type.Object({ class: Code, member: Code, subsystem: Code, service: Code });
const ServiceFields = {
  title: Name,
  upstreamUrl: Type.String({ maxLength: 2000 }),
  openapi: Type.Optional(Type.Union([Type.Object({ openapi: Type.String() }, { additionalProperties: true }), Type.Null()])),
  enabled: Type.Optional(Type.Boolean()),
  personal: Type.Optional(Type.Boolean()),
  subjectLocation: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  bodyLimit: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 * 1024 * 1024 * 1024 })),
  quotaPerMinute: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
};

/** Services and the purpose catalogue: what members offer, and for which purposes data may flow. */
export async function catalogueRoutes(base: FastifyInstance, registry: Registry) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const subsystemId = (p: { class: string; member: string; subsystem: string }) => `${registry.instance}/${p.class}/${p.member}/${p.subsystem}`;
  const serviceId = (p: { class: string; member: string; subsystem: string; service: string }) => `${subsystemId(p)}/${p.service}`;

  app.post(
    '/subsystems/:class/:member/:subsystem/services',
    {
      schema: {
        tags: ['services'],
        summary: 'Publish a service of a subsystem (its REST API, described by OpenAPI 3.1)',
        security: bearer,
        params: SubsystemParams,
        body: Type.Object({ code: Code, ...ServiceFields }, { additionalProperties: false }),
      },
    },
    async (request, reply) => reply.status(201).send(await registry.createService(actorOf(request), subsystemId(request.params), request.body)),
  );

  app.patch(
    '/services/:class/:member/:subsystem/:service',
    {
      schema: {
        tags: ['services'],
        summary: 'Change a service (enable/disable, upstream, limits)',
        security: bearer,
        params: ServiceParams,
        body: Type.Partial(Type.Object(ServiceFields, { additionalProperties: false })),
      },
    },
    async (request) => registry.updateService(actorOf(request), serviceId(request.params), request.body),
  );

  app.get(
    '/services',
    {
      schema: {
        tags: ['services'],
        summary: 'The service catalogue: every provider’s services',
        security: bearer,
        querystring: Type.Object({ member: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
      },
    },
    async (request) => registry.listServices(request.query.member ? { memberId: request.query.member } : {}),
  );

  app.get('/services/:class/:member/:subsystem/:service', { schema: { tags: ['services'], summary: 'One service', security: bearer, params: ServiceParams } }, async (request) =>
    registry.getService(serviceId(request.params)),
  );

  app.get(
    '/services/:class/:member/:subsystem/:service/openapi.json',
    { schema: { tags: ['services'], summary: 'A service’s OpenAPI 3.1 document', security: bearer, params: ServiceParams } },
    async (request) => registry.getServiceOpenapi(serviceId(request.params)),
  );

  app.post(
    '/purposes',
    {
      schema: {
        tags: ['purposes'],
        summary: 'Add a purpose to the catalogue with its legal basis (authority)',
        security: bearer,
        body: Type.Object(
          {
            code: Type.String({ pattern: '^[a-z][a-z0-9-]{1,63}$' }),
            nameEn: Name,
            nameUr: Name,
            legalBasis: Type.Union([Type.Literal('consent'), Type.Literal('statute')]),
            statute: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 500 }), Type.Null()])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => reply.status(201).send(await registry.createPurpose(actorOf(request), { ...request.body, statute: request.body.statute ?? null })),
  );

  app.get('/purposes', { schema: { tags: ['purposes'], summary: 'The purpose catalogue', security: bearer } }, async () => registry.listPurposes());
}
