import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Registry } from '../../registry/index.js';
import { actorOf } from '../auth.js';
import { bearer, Code } from '../schemas.js';

const SubsystemParams = Type.Object({ class: Code, member: Code, subsystem: Code });
const KeyParams = Type.Object({ keyId: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }) });
const Jwk = Type.Object({ kty: Type.String(), crv: Type.String(), x: Type.String() }, { additionalProperties: true });
const Time = Type.String({ format: 'date-time' });

export async function keyRoutes(base: FastifyInstance, registry: Registry) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const subsystemId = (p: { class: string; member: string; subsystem: string }) => `${registry.instance}/${p.class}/${p.member}/${p.subsystem}`;

  app.post(
    '/subsystems/:class/:member/:subsystem/keys',
    {
      schema: {
        tags: ['keys'],
        summary: 'Register a subsystem’s public signing key (member); it is used once the authority approves it',
        security: bearer,
        params: SubsystemParams,
        body: Type.Object(
          {
            jwk: Jwk,
            notBefore: Type.Optional(Time),
            notAfter: Type.Optional(Type.Union([Time, Type.Null()])),
            replaces: Type.Optional(Type.Union([Type.String(), Type.Null()])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => reply.status(201).send(await registry.registerKey(actorOf(request), subsystemId(request.params), request.body)),
  );

  app.get('/subsystems/:class/:member/:subsystem/keys', { schema: { tags: ['keys'], summary: 'A subsystem’s keys', security: bearer, params: SubsystemParams } }, async (request) =>
    registry.listKeys(subsystemId(request.params)),
  );

  app.get('/keys/:keyId', { schema: { tags: ['keys'], summary: 'One key', security: bearer, params: KeyParams } }, async (request) => registry.getKey(request.params.keyId));

  app.post(
    '/keys/:keyId/approve',
    {
      schema: {
        tags: ['keys'],
        summary: 'Approve a registered key (authority); a key it replaces stays valid for the overlap',
        security: bearer,
        params: KeyParams,
        body: Type.Optional(Type.Object({ overlapSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 90 * 24 * 3600 })) }, { additionalProperties: false })),
      },
    },
    async (request) => {
      const overlap = request.body?.overlapSeconds;
      return registry.approveKey(actorOf(request), request.params.keyId, overlap === undefined ? undefined : overlap * 1000);
    },
  );

  app.post(
    '/keys/:keyId/revoke',
    {
      schema: {
        tags: ['keys'],
        summary: 'Revoke a key at once (member or authority)',
        security: bearer,
        params: KeyParams,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }),
      },
    },
    async (request) => registry.revokeKey(actorOf(request), request.params.keyId, request.body.reason),
  );
}
