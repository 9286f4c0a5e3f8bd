import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { RabtaError } from '../../core/index.js';
import { MAX_BATCH_EVENTS, pullPageJson, subsystemActor } from '../../events/index.js';
import type { Events } from '../../events/index.js';
import { headerValue } from '../../sdk/index.js';
import { Code, Id } from '../schemas.js';
import { signedScope } from '../signed.js';
import type { Authenticate, SignedScope } from '../signed.js';
import { Delivery, Filter } from './events-schemas.js';

/** A full batch of modest events; the schema check bounds what each may hold. */
const BATCH_BODY_LIMIT = 32 * 1024 * 1024;

const signed =
  'An RFC 9421-signed request (tag rabta-request) by the subsystem named in Rabta-Client, covering Content-Digest when there is a body — as for /x calls.';

/**
 * The institutions' side of events, with signed calls as on the exchange: a
 * publisher publishes to its topic; a subscriber manages its subscriptions and
 * pulls. The signature is checked before the body is read, the body kept raw
 * until its Content-Digest is checked (see signedScope).
 */
export async function eventsSignedRoutes(base: FastifyInstance, { events, authenticate }: { events: Events; authenticate: Authenticate }) {
  const scope = signedScope(base, authenticate);
  publicationRoutes(base, events, scope);
  subscriberRoutes(base, events, scope);
}

/** What a publication call says: who, to which topic, the body as signed, its key and purpose. */
function publicationOf({ callerOf, rawOf }: SignedScope, request: FastifyRequest, p: Record<'instance' | 'class' | 'member' | 'subsystem' | 'topic', string>) {
  const caller = callerOf(request);
  return {
    publisherId: caller.clientId,
    topicId: `${p.instance}/${p.class}/${p.member}/${p.subsystem}/${p.topic}`,
    body: rawOf(request),
    idempotencyKey: headerValue(request.headers, 'idempotency-key'),
    purpose: headerValue(request.headers, 'rabta-purpose'),
    view: caller.view,
  };
}

/** A publisher publishes to its own topic, one event or a batch. */
function publicationRoutes(base: FastifyInstance, events: Events, scope: SignedScope) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const publication = (request: FastifyRequest, p: Parameters<typeof publicationOf>[2]) => publicationOf(scope, request, p);
  app.post(
    '/events/:instance/:class/:member/:subsystem/:topic',
    {
      config: { rawBody: true },
      schema: {
        tags: ['events'],
        summary: 'Publish an event to one of your topics (the topic’s subsystem, signed)',
        description: `${signed} The JSON body must satisfy the topic's schema (422 event-invalid lists why not). A personal topic needs Rabta-Purpose, whose legal basis must hold for every subject. Idempotency-Key makes a retry safe: the same key and body answer 200 with the original event id and deliver nothing again.`,
        params: Type.Object({ instance: Code, class: Code, member: Code, subsystem: Code, topic: Code }),
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 300 })), 'rabta-purpose': Type.Optional(Type.String({ maxLength: 64 })) }),
        response: { '2xx': Type.Object({ id: Type.String({ description: 'the event id, a UUIDv7; also the webhook-id of its deliveries' }) }) },
      },
    },
    async (request, reply) => {
      const published = await events.publish(publication(request, request.params));
      return reply.status(published.created ? 201 : 200).send({ id: published.id });
    },
  );

  app.post(
    '/events/:instance/:class/:member/:subsystem/:topic/batch',
    {
      config: { rawBody: true },
      bodyLimit: BATCH_BODY_LIMIT,
      schema: {
        tags: ['events'],
        summary: `Publish up to ${MAX_BATCH_EVENTS} events of one topic at once, all or none (the topic’s subsystem, signed)`,
        description: `${signed} The body is {"events": [ … ]}; every event must satisfy the topic's schema, else nothing is published and the 422 event-invalid problem lists the rows at fault (\`rows\`: row index and reasons, the first 100). One Rabta-Purpose covers the batch. An Idempotency-Key makes the whole batch safe to retry.`,
        params: Type.Object({ instance: Code, class: Code, member: Code, subsystem: Code, topic: Code }),
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 300 })), 'rabta-purpose': Type.Optional(Type.String({ maxLength: 64 })) }),
        response: { '2xx': Type.Object({ events: Type.Array(Type.Object({ id: Type.String() })), created: Type.Boolean({ description: 'false when an earlier batch with the same Idempotency-Key is returned' }) }) },
      },
    },
    async (request, reply) => {
      const published = await events.publishBatch(publication(request, request.params));
      return reply.status(published.created ? 201 : 200).send({ events: published.ids.map((id) => ({ id })), created: published.created });
    },
  );
}

/** A subscriber manages its own subscriptions and pulls; another's subscription is as good as absent. */
function subscriberRoutes(base: FastifyInstance, events: Events, { callerOf }: SignedScope) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const own = async (request: FastifyRequest, id: string) => {
    const client = callerOf(request).clientId;
    const subscription = await events.getSubscription(subsystemActor(client), id).catch(() => undefined);
    if (!subscription || subscription.subscriber !== client) throw new RabtaError('not-found', `subscription ${id} does not exist`, { extensions: { id } });
    return subscription;
  };

  app.post(
    '/subscriptions',
    {
      schema: {
        tags: ['events'],
        summary: 'Subscribe to a topic you have an access right on (subscriber subsystem, signed)',
        description: `${signed} A webhook subscription's reply carries its Standard Webhooks secret (whsec_…) this once; verify every delivery with it.`,
        body: Type.Object({ topic: Id, delivery: Delivery, filter: Type.Optional(Filter) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const client = callerOf(request).clientId;
      const subscription = await events.createSubscription(subsystemActor(client), {
        topicId: request.body.topic,
        subscriberId: client,
        delivery: request.body.delivery,
        filter: request.body.filter ?? null,
      });
      return reply.status(201).header('location', `/subscriptions/${subscription.id}`).send(subscription);
    },
  );

  app.get(
    '/subscriptions',
    { schema: { tags: ['events'], summary: 'Your subscriptions (signed)', description: signed } },
    async (request) => events.listSubscriptions({ subscriberId: callerOf(request).clientId }),
  );

  const SubscriptionParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

  app.get(
    '/subscriptions/:id',
    { schema: { tags: ['events'], summary: 'One of your subscriptions (signed)', description: signed, params: SubscriptionParams } },
    async (request) => own(request, request.params.id),
  );

  app.delete(
    '/subscriptions/:id',
    { schema: { tags: ['events'], summary: 'Unsubscribe (signed); what was still waiting is cancelled', description: signed, params: SubscriptionParams } },
    async (request, reply) => {
      await own(request, request.params.id);
      await events.deleteSubscription(subsystemActor(callerOf(request).clientId), request.params.id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/subscriptions/:id/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Pull events after a cursor (pull subscription, signed)',
        description: `${signed} Without "after", reading continues after the last acknowledged cursor. Each event carries its cursor; "next" is the cursor after the last one returned.`,
        params: SubscriptionParams,
        querystring: Type.Object(
          { after: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })), limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const page = await events.pull(callerOf(request).clientId, request.params.id, {
        ...(request.query.after === undefined ? {} : { after: request.query.after }),
        ...(request.query.limit === undefined ? {} : { limit: Number(request.query.limit) }),
      });
      // Spliced by hand: each event's data goes out exactly as it was published.
      return reply.type('application/json').send(pullPageJson(page));
    },
  );

  app.post(
    '/subscriptions/:id/ack',
    {
      schema: {
        tags: ['events'],
        summary: 'Acknowledge every event up to and including a cursor (pull subscription, signed)',
        description: signed,
        params: SubscriptionParams,
        body: Type.Object({ cursor: Type.String({ pattern: '^[0-9]{1,15}$' }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ cursor: Type.String() }) },
      },
    },
    async (request) => events.ack(callerOf(request).clientId, request.params.id, request.body.cursor),
  );
}
