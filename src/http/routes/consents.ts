import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { RabtaError } from '../../core/index.js';
import type { Consent } from '../../consent/index.js';
import { Id } from '../schemas.js';
import { signedScope } from '../signed.js';
import type { Authenticate } from '../signed.js';

const Time = Type.String({ format: 'date-time' });

export const ConsentStatusSchema = Type.Union([Type.Literal('REQUESTED'), Type.Literal('ACTIVE'), Type.Literal('REVOKED'), Type.Literal('EXPIRED'), Type.Literal('REJECTED')], {
  description: 'REQUESTED → ACTIVE → REVOKED | EXPIRED; REQUESTED → REJECTED | EXPIRED',
});
const Frequency = Type.Object({ count: Type.Integer({ minimum: 1, maximum: 100_000 }), per: Type.Union([Type.Literal('day'), Type.Literal('month')]) }, { additionalProperties: false });

export const ConsentForConsumerSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: ConsentStatusSchema,
    statusAt: Time,
    consumer: Type.String(),
    provider: Type.String(),
    services: Type.Array(Type.String()),
    purpose: Type.String(),
    dataLifeDays: Type.Integer(),
    frequency: Frequency,
    validFrom: Time,
    validUntil: Time,
    requestedAt: Time,
    artefact: Type.String({ description: 'compact JWS (EdDSA) signed with the instance consent key; kid in the header, key in /.well-known/rabta.json' }),
  },
  { description: 'A consent request as its consumer sees it. The same whether or not the CNIC is registered.' },
);

const signedDescription =
  'An RFC 9421-signed request (tag rabta-request) by the consumer subsystem named in Rabta-Client, covering Content-Digest when there is a body — as for /x calls.';

/**
 * The consumer's side of consent: a subsystem asks a citizen for consent and
 * follows its request's status, with signed calls as on the exchange: the
 * signature before the body, the body's Content-Digest before its shape (see signedScope).
 */
export async function consentRoutes(base: FastifyInstance, { consent, authenticate }: { consent: Pick<Consent, 'requestConsent' | 'consentForConsumer' | 'consentsOfConsumer'>; authenticate: Authenticate }) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const signed = signedScope(app, authenticate);
  const callerOf = (request: FastifyRequest): string => signed.callerOf(request).clientId;

  app.post(
    '/consents',
    {
      schema: {
        tags: ['consent'],
        summary: 'Ask a citizen for consent (consumer subsystem, signed); the citizen answers by SMS or in the portal',
        description: `${signedDescription} The citizen gets an SMS in their language naming the institution and purpose; the answer here is the same whether or not the CNIC is registered.`,
        body: Type.Object(
          {
            cnic: Type.String({ maxLength: 32, description: 'the citizen, NNNNN-NNNNNNN-N' }),
            services: Type.Array(Id, { minItems: 1, maxItems: 20, description: 'service ids, all of one provider member' }),
            purpose: Type.String({ maxLength: 64 }),
            validFrom: Type.Optional(Time),
            validUntil: Time,
            dataLifeDays: Type.Integer({ minimum: 1, maximum: 3650 }),
            frequency: Frequency,
          },
          { additionalProperties: false },
        ),
        response: { 201: ConsentForConsumerSchema },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const validUntil = Date.parse(body.validUntil);
      const validFrom = body.validFrom === undefined ? undefined : Date.parse(body.validFrom);
      if (Number.isNaN(validUntil) || (validFrom !== undefined && Number.isNaN(validFrom))) throw new RabtaError('bad-request', 'validFrom and validUntil are RFC 3339 date-times');
      const requested = await consent.requestConsent(callerOf(request), {
        cnic: body.cnic,
        services: body.services,
        purpose: body.purpose,
        validUntil,
        ...(validFrom === undefined ? {} : { validFrom }),
        dataLifeDays: body.dataLifeDays,
        frequency: body.frequency,
      });
      return reply.status(201).header('location', `/consents/${requested.id}`).send(requested);
    },
  );

  app.get(
    '/consents/:id',
    {
      schema: {
        tags: ['consent'],
        summary: 'The status of a consent request (its consumer only, signed)',
        description: signedDescription,
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: ConsentForConsumerSchema },
      },
    },
    async (request) => consent.consentForConsumer(callerOf(request), request.params.id),
  );

  app.get(
    '/consents',
    {
      schema: {
        tags: ['consent'],
        summary: 'The consent requests this subsystem made, newest first (signed)',
        description: signedDescription,
        querystring: Type.Object({ status: Type.Optional(ConsentStatusSchema), limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$', description: '1–500, default 100' })) }, { additionalProperties: false }),
        response: { 200: Type.Array(ConsentForConsumerSchema) },
      },
    },
    async (request) => consent.consentsOfConsumer(callerOf(request), { limit: Math.min(Number(request.query.limit ?? 100), 500), ...(request.query.status ? { status: request.query.status } : {}) }),
  );
}
