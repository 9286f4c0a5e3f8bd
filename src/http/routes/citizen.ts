import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { CitizenPortal, CitizenSession } from '../../citizens/index.js';
import { RabtaError } from '../../core/index.js';
import { bearerToken } from '../auth.js';
import { bearer } from '../schemas.js';
import { ConsentStatusSchema } from './consents.js';

const Time = Type.String({ format: 'date-time' });
const Name = Type.Object({ id: Type.String(), nameEn: Type.String(), nameUr: Type.String() });
const PurposeName = Type.Object({
  code: Type.String(),
  nameEn: Type.String(),
  nameUr: Type.String(),
  legalBasis: Type.Union([Type.Literal('consent'), Type.Literal('statute'), Type.Null()]),
  statute: Type.Union([Type.String(), Type.Null()]),
});

const ConsentForCitizen = Type.Object({
  id: Type.String(),
  status: ConsentStatusSchema,
  statusAt: Time,
  consumer: Type.Object({ subsystem: Type.String(), institution: Name }),
  provider: Name,
  services: Type.Array(Type.String()),
  purpose: PurposeName,
  dataLifeDays: Type.Integer(),
  frequency: Type.Object({ count: Type.Integer(), per: Type.String() }),
  validFrom: Time,
  validUntil: Time,
  requestedAt: Time,
  replyCode: Type.Union([Type.String(), Type.Null()], { description: 'answer by SMS with HAAN/NAHI/WAPIS and this code' }),
  artefact: Type.String({ description: 'the signed artefact (compact JWS)' }),
  history: Type.Array(Type.Object({ from: Type.Union([Type.String(), Type.Null()]), to: Type.String(), at: Time, actor: Type.String() })),
});

const AccessEntry = Type.Object({
  at: Time,
  exchangeId: Type.String(),
  institution: Name,
  subsystem: Type.String(),
  service: Type.String(),
  provider: Name,
  purpose: Type.Union([PurposeName, Type.Null()]),
  legalBasis: Type.Union([Type.String(), Type.Null()]),
  statute: Type.Union([Type.String(), Type.Null()]),
  consentId: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.String({ description: 'ok, upstream-error, or the problem code the call was refused with' }),
  outcomeText: Type.Object({ en: Type.String(), ur: Type.String() }, { description: 'the outcome in words a citizen reads, e.g. "Habib Bank Limited refused the request; it was sent again and accepted"' }),
  allowed: Type.Boolean({ description: 'whether the call passed the legal-basis check and was forwarded' }),
  kind: Type.Union([Type.Literal('exchange'), Type.Literal('event')], { description: 'exchange: a call about me; event: an institution published an event about me (its topic is in service)' }),
  recipients: Type.Array(Name, { description: 'for an event, the institutions it went to' }),
});

const Notification = Type.Object({
  id: Type.String(),
  at: Time,
  template: Type.String(),
  language: Type.String(),
  params: Type.Record(Type.String(), Type.Unknown()),
  status: Type.String(),
});

const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$', description: '1–100, default 50' })),
    cursor: Type.Optional(Type.String({ maxLength: 300, description: 'the `next` of the previous page' })),
  },
  { additionalProperties: false },
);

const pageOf = (query: { limit?: string; cursor?: string }) => ({ limit: Math.min(Number(query.limit ?? 50), 100), ...(query.cursor === undefined ? {} : { cursor: query.cursor }) });

/**
 * The citizen portal's API: sign in with CNIC and a code sent by SMS, then see
 * and answer one's own consents, one's data tracker and the messages sent.
 * Everything after sign-in is scoped to the session's subject hash.
 */
export async function citizenRoutes(base: FastifyInstance, { portal, exchangeReceipt }: { portal: CitizenPortal; exchangeReceipt: (id: string) => Promise<object | undefined> }) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/citizen/otp',
    {
      schema: {
        tags: ['citizen'],
        summary: 'Send a sign-in code by SMS to the mobile registered for a CNIC',
        description: 'Always the same 202 answer, whether or not the CNIC is registered. Throttled per CNIC and per client address (429 with Retry-After); codes already sent keep working.',
        body: Type.Object({ cnic: Type.String({ maxLength: 32 }) }, { additionalProperties: false }),
        response: { 202: Type.Object({ status: Type.Literal('accepted'), message: Type.String(), expiresInSeconds: Type.Integer() }) },
      },
    },
    async (request, reply) => {
      await portal.requestOtp({ cnic: request.body.cnic, address: request.ip });
      return reply.status(202).send({
        status: 'accepted' as const,
        message: 'If this CNIC is registered, a sign-in code is on its way to the registered mobile number.',
        expiresInSeconds: 300,
      });
    },
  );

  app.post(
    '/citizen/session',
    {
      schema: {
        tags: ['citizen'],
        summary: 'Exchange a sign-in code for a session token (15 minutes)',
        description: 'Each code works once, for 5 minutes, and allows 3 attempts; wrong codes never lock the CNIC. Every failure answers 401 otp-invalid, whatever the reason. Throttled per CNIC and per client address (429 with Retry-After).',
        body: Type.Object({ cnic: Type.String({ maxLength: 32 }), code: Type.String({ maxLength: 12 }) }, { additionalProperties: false }),
        response: { 201: Type.Object({ token: Type.String(), tokenType: Type.Literal('Bearer'), expiresAt: Time, cnic: Type.String({ description: 'masked' }) }) },
      },
    },
    async (request, reply) => {
      const session = await portal.signIn({ ...request.body, address: request.ip });
      return reply.status(201).send({ token: session.token, tokenType: 'Bearer' as const, expiresAt: new Date(session.expiresAt).toISOString(), cnic: session.cnic });
    },
  );

  await app.register(async (scoped) => {
    const api = scoped.withTypeProvider<TypeBoxTypeProvider>();
    const sessions = new WeakMap<FastifyRequest, CitizenSession>();
    api.addHook('onRequest', async (request) => {
      const token = bearerToken(request.headers);
      if (!token) throw new RabtaError('unauthorized', 'sign in: send Authorization: Bearer <citizen session token>');
      sessions.set(request, await portal.session(token));
    });
    const sessionOf = (request: FastifyRequest): CitizenSession => {
      const session = sessions.get(request);
      if (!session) throw new RabtaError('unauthorized');
      return session;
    };

    api.get('/citizen/me', { schema: { tags: ['citizen'], summary: 'Who is signed in (masked CNIC)', security: bearer, response: { 200: Type.Object({ cnic: Type.String(), expiresAt: Time }) } } }, async (request) => {
      const session = sessionOf(request);
      return { cnic: session.cnic, expiresAt: new Date(session.expiresAt).toISOString() };
    });

    api.get(
      '/citizen/consents',
      { schema: { tags: ['citizen'], summary: 'My consents and consent requests, newest first', security: bearer, response: { 200: Type.Array(ConsentForCitizen) } } },
      async (request) => portal.consents(sessionOf(request)),
    );

    for (const action of ['approve', 'reject', 'revoke'] as const) {
      api.post(
        `/citizen/consents/:id/${action}`,
        {
          schema: {
            tags: ['citizen'],
            summary: { approve: 'Approve a consent request', reject: 'Refuse a consent request', revoke: 'Withdraw a consent (it holds from the next call)' }[action],
            description: 'Only one’s own consents (another’s is 404); a consent in another state is 409.',
            security: bearer,
            params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
            response: { 200: ConsentForCitizen },
          },
        },
        async (request) => portal.act(sessionOf(request), request.params.id, action),
      );
    }

    api.get(
      '/citizen/access',
      {
        schema: {
          tags: ['citizen'],
          summary: 'My data tracker: every access to my data through Rabta, newest first',
          security: bearer,
          querystring: PageQuery,
          response: { 200: Type.Object({ items: Type.Array(AccessEntry), next: Type.Union([Type.String(), Type.Null()]) }) },
        },
      },
      async (request) => portal.access(sessionOf(request), pageOf(request.query)),
    );

    const StoppedInstitutions = Type.Object({ stopped: Type.Array(Type.String({ description: 'a member id, e.g. PK/GOV/BISP' }), { maxItems: 200 }) }, { additionalProperties: false });
    api.get(
      '/citizen/notice-settings',
      {
        schema: {
          tags: ['citizen'],
          summary: 'The institutions whose SMS notices I stopped (also by SMS: BAND <code>, SHURU <code>)',
          security: bearer,
          response: { 200: StoppedInstitutions },
        },
      },
      async (request) => ({ stopped: await portal.stoppedInstitutions(sessionOf(request)) }),
    );
    api.put(
      '/citizen/notice-settings',
      {
        schema: {
          tags: ['citizen'],
          summary: 'Stop (or resume) SMS notices per institution; STATUS still answers from stopped notices',
          security: bearer,
          body: StoppedInstitutions,
          response: { 200: StoppedInstitutions },
        },
      },
      async (request) => ({ stopped: await portal.setStoppedInstitutions(sessionOf(request), request.body.stopped) }),
    );

    api.get(
      '/citizen/receipts/exchanges/:id',
      {
        schema: {
          tags: ['citizen'],
          summary: 'The receipt of an exchange that concerned me: its record, salt and a C2SP tlog-proof that it is in the public log',
          security: bearer,
          params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        },
      },
      async (request) => {
        if (!(await portal.concernedBy(sessionOf(request), request.params.id))) throw new RabtaError('not-found', 'no exchange of yours with this id');
        const receipt = await exchangeReceipt(request.params.id);
        if (!receipt) throw new RabtaError('unavailable', 'the exchange is not in the log yet; try again in a moment');
        return receipt;
      },
    );

    api.get(
      '/citizen/notifications',
      {
        schema: {
          tags: ['citizen'],
          summary: 'Messages sent to me, newest first (sign-in codes are never kept)',
          security: bearer,
          querystring: PageQuery,
          response: { 200: Type.Object({ items: Type.Array(Notification), next: Type.Union([Type.String(), Type.Null()]) }) },
        },
      },
      async (request) => portal.notifications(sessionOf(request), pageOf(request.query)),
    );
  });
}
