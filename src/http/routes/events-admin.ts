import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { RabtaError } from '../../core/index.js';
import type { Events } from '../../events/index.js';
import type { Registry } from '../../registry/index.js';
import { actorOf } from '../auth.js';
import { bearer, Code, Id, Name } from '../schemas.js';
import { Delivery, Filter } from './events-schemas.js';

const TopicParams = Type.Object({ class: Code, member: Code, subsystem: Code, topic: Code });
const SubsystemParams = Type.Object({ class: Code, member: Code, subsystem: Code });
const UuidParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const DeliveryParams = Type.Object({ id: Type.String({ pattern: '^[1-9][0-9]{0,15}$' }) });
// Path and query values arrive as text; the server never coerces, so numbers are parsed here.
const Count = Type.String({ pattern: '^[0-9]{1,15}$' });
const Time = Type.String({ format: 'date-time' });
const TopicFields = {
  title: Name,
  schema: Type.Object({}, { additionalProperties: true, description: 'a JSON Schema (2020-12 unless $schema names draft-07); remote $refs are not fetched' }),
  personal: Type.Optional(Type.Boolean()),
  subjectPath: Type.Optional(Type.Union([Type.String({ maxLength: 200, description: 'where the subjects’ CNICs are: cnic, beneficiary.cnic, rows[].cnic' }), Type.Null()])),
  orderingKeyPath: Type.Optional(Type.Union([Type.String({ maxLength: 200, description: 'events with equal values here reach each subscriber in order' }), Type.Null()])),
  retentionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
};

/** The ids the admin paths name, below this instance. */
function idsOf(registry: Registry) {
  const subsystemId = (p: { class: string; member: string; subsystem: string }) => `${registry.instance}/${p.class}/${p.member}/${p.subsystem}`;
  return { subsystemId, topicId: (p: { class: string; member: string; subsystem: string; topic: string }) => `${subsystemId(p)}/${p.topic}` };
}

function time(value: string, name: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new RabtaError('bad-request', `${name} must be an RFC 3339 date-time`);
  return ms;
}

/**
 * The events admin API behind an operator token: a member declares topics and
 * grants them; subscribers' admins manage subscriptions; both search
 * deliveries, replay dead letters and read the notices they were sent.
 */
export async function eventsAdminRoutes(base: FastifyInstance, { events, registry }: { events: Events; registry: Registry }) {
  const ids = idsOf(registry);
  topicRoutes(base, events, ids);
  noticeRuleRoutes(base, events, ids);
  topicAccessRoutes(base, events);
  subscriptionRoutes(base, events);
  deliveryRoutes(base, events);
  noticeRoutes(base, events);
}

/** Topics: a member declares them with their schema and reads them back. */
function topicRoutes(base: FastifyInstance, events: Events, { subsystemId, topicId }: ReturnType<typeof idsOf>) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/admin/subsystems/:class/:member/:subsystem/topics',
    {
      schema: {
        tags: ['events'],
        summary: 'Declare a topic of a subsystem: an event type with a JSON Schema (its member or the authority)',
        security: bearer,
        params: SubsystemParams,
        body: Type.Object({ code: Code, ...TopicFields }, { additionalProperties: false }),
      },
    },
    async (request, reply) => reply.status(201).send(await events.createTopic(actorOf(request), subsystemId(request.params), request.body)),
  );

  app.patch(
    '/admin/topics/:class/:member/:subsystem/:topic',
    {
      schema: {
        tags: ['events'],
        summary: 'Change a topic (a new version; published events keep theirs)',
        security: bearer,
        params: TopicParams,
        body: Type.Partial(Type.Object(TopicFields, { additionalProperties: false })),
      },
    },
    async (request) => events.updateTopic(actorOf(request), topicId(request.params), request.body),
  );

  app.get(
    '/admin/topics',
    {
      schema: {
        tags: ['events'],
        summary: 'The topic catalogue',
        security: bearer,
        querystring: Type.Object({ member: Type.Optional(Type.String({ maxLength: 200 })), subsystem: Type.Optional(Id) }, { additionalProperties: false }),
      },
    },
    async (request) => events.listTopics({ ...(request.query.member ? { memberId: request.query.member } : {}), ...(request.query.subsystem ? { subsystemId: request.query.subsystem } : {}) }),
  );

  app.get(
    '/admin/topics/:class/:member/:subsystem/:topic',
    { schema: { tags: ['events'], summary: 'One topic, with its schema', security: bearer, params: TopicParams } },
    async (request) => events.getTopic(topicId(request.params)),
  );
}

/** A topic’s notice rule: what the subjects of its events are told by SMS. */
function noticeRuleRoutes(base: FastifyInstance, events: Events, { topicId }: ReturnType<typeof idsOf>) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const NoticeRule = Type.Object(
    {
      // The real limit is on the SMS as rendered (2 parts, the institution's name and the fee warning included); this only bounds the body.
      ur: Type.String({ minLength: 1, maxLength: 1000, description: 'the Urdu text; {field.path} is replaced by that field of the event. The SMS it makes — the institution first, the values at their longest, the fee warning — must fit in 2 UCS-2 parts' }),
      en: Type.String({ minLength: 1, maxLength: 1000, description: 'the English text, with the same placeholders; its SMS must fit in 2 parts' }),
      status: Type.Optional(Type.Boolean({ description: 'the latest such notice answers the citizen’s STATUS / حالت text' })),
    },
    { additionalProperties: false },
  );
  app.put(
    '/admin/topics/:class/:member/:subsystem/:topic/notice-rule',
    {
      schema: {
        tags: ['events'],
        summary: 'Tell each subject of a personal topic’s events by SMS, with a template in Urdu and English (the topic’s member or the authority)',
        security: bearer,
        params: TopicParams,
        body: NoticeRule,
      },
    },
    async (request) => events.setNoticeRule(actorOf(request), topicId(request.params), request.body),
  );
  app.get(
    '/admin/topics/:class/:member/:subsystem/:topic/notice-rule',
    { schema: { tags: ['events'], summary: 'A topic’s citizen notification rule', security: bearer, params: TopicParams } },
    async (request) => events.getNoticeRule(topicId(request.params)),
  );
  app.delete(
    '/admin/topics/:class/:member/:subsystem/:topic/notice-rule',
    { schema: { tags: ['events'], summary: 'Stop notifying citizens of a topic’s events', security: bearer, params: TopicParams } },
    async (request, reply) => {
      await events.deleteNoticeRule(actorOf(request), topicId(request.params));
      return reply.status(204).send();
    },
  );
}

/** Access rights on topics, granted by the publisher’s member or the authority. */
function topicAccessRoutes(base: FastifyInstance, events: Events) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/admin/topic-access',
    {
      schema: {
        tags: ['events'],
        summary: 'Grant a subscriber subsystem a topic for some purposes (the publisher’s member or the authority)',
        security: bearer,
        body: Type.Object({ topic: Id, subscriber: Id, purposes: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 50 }) }, { additionalProperties: false }),
      },
    },
    async (request, reply) =>
      reply.status(201).send(await events.grantTopicAccess(actorOf(request), { topicId: request.body.topic, subscriberId: request.body.subscriber, purposes: request.body.purposes })),
  );

  app.get(
    '/admin/topic-access',
    {
      schema: {
        tags: ['events'],
        summary: 'List topic access rights',
        security: bearer,
        querystring: Type.Object({ topic: Type.Optional(Id), subscriber: Type.Optional(Id), member: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
      },
    },
    async (request) =>
      events.listTopicAccess({
        ...(request.query.topic ? { topicId: request.query.topic } : {}),
        ...(request.query.subscriber ? { subscriberId: request.query.subscriber } : {}),
        ...(request.query.member ? { memberId: request.query.member } : {}),
      }),
  );

  app.delete(
    '/admin/topic-access/:id',
    { schema: { tags: ['events'], summary: 'Revoke a topic access right; what still waited for that subscriber is cancelled', security: bearer, params: UuidParams } },
    async (request, reply) => {
      await events.revokeTopicAccess(actorOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
}

/** Subscriptions, managed by the subscriber’s member admin. */
function subscriptionRoutes(base: FastifyInstance, events: Events) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/admin/subscriptions',
    {
      schema: {
        tags: ['events'],
        summary: 'Subscribe a subsystem of your member to a topic it has an access right on',
        description: 'A webhook subscription’s reply carries its Standard Webhooks secret (whsec_…) this once.',
        security: bearer,
        body: Type.Object({ topic: Id, client: Id, delivery: Delivery, filter: Type.Optional(Filter) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const subscription = await events.createSubscription(actorOf(request), {
        topicId: request.body.topic,
        subscriberId: request.body.client,
        delivery: request.body.delivery,
        filter: request.body.filter ?? null,
      });
      return reply.status(201).send(subscription);
    },
  );

  app.get(
    '/admin/subscriptions',
    {
      schema: {
        tags: ['events'],
        summary: 'List subscriptions (a member admin sees those its member publishes or receives)',
        security: bearer,
        querystring: Type.Object({ topic: Type.Optional(Id), client: Type.Optional(Id), member: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const member = actor.role === 'member-admin' ? (actor.memberId ?? '-') : request.query.member;
      return events.listSubscriptions({
        ...(request.query.topic ? { topicId: request.query.topic } : {}),
        ...(request.query.client ? { subscriberId: request.query.client } : {}),
        ...(member ? { memberId: member } : {}),
      });
    },
  );

  app.get(
    '/admin/subscriptions/:id',
    { schema: { tags: ['events'], summary: 'One subscription', security: bearer, params: UuidParams } },
    async (request) => events.getSubscription(actorOf(request), request.params.id),
  );

  app.delete(
    '/admin/subscriptions/:id',
    { schema: { tags: ['events'], summary: 'Delete a subscription; what was still waiting is cancelled', security: bearer, params: UuidParams } },
    async (request, reply) => {
      await events.deleteSubscription(actorOf(request), request.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/admin/subscriptions/:id/enable',
    { schema: { tags: ['events'], summary: 'Enable a subscription that was disabled for failing', security: bearer, params: UuidParams } },
    async (request) => events.enableSubscription(actorOf(request), request.params.id),
  );
}

/** Deliveries: search, one with its attempts, replay of dead letters. */
function deliveryRoutes(base: FastifyInstance, events: Events) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/admin/deliveries',
    {
      schema: {
        tags: ['events'],
        summary: 'Search deliveries by event, subscription, topic and status (pages by id: pass the answer’s next as after)',
        security: bearer,
        querystring: Type.Object(
          {
            event: Type.Optional(Type.String({ maxLength: 64 })),
            subscription: Type.Optional(Type.String({ format: 'uuid' })),
            topic: Type.Optional(Id),
            status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead'), Type.Literal('cancelled')])),
            after: Type.Optional(Count),
            limit: Type.Optional(Count),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const q = request.query;
      return events.searchDeliveries(actorOf(request), {
        ...(q.event ? { eventId: q.event } : {}),
        ...(q.subscription ? { subscriptionId: q.subscription } : {}),
        ...(q.topic ? { topicId: q.topic } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.after === undefined ? {} : { after: Number(q.after) }),
        ...(q.limit === undefined ? {} : { limit: Number(q.limit) }),
      });
    },
  );

  app.get(
    '/admin/deliveries/:id',
    { schema: { tags: ['events'], summary: 'One delivery with every attempt', security: bearer, params: DeliveryParams } },
    async (request) => events.getDelivery(actorOf(request), Number(request.params.id)),
  );

  app.post(
    '/admin/deliveries/:id/replay',
    { schema: { tags: ['events'], summary: 'Replay one dead letter: a fresh round of attempts', security: bearer, params: DeliveryParams } },
    async (request) => events.replayDelivery(actorOf(request), Number(request.params.id)),
  );

  app.post(
    '/admin/deliveries/replay',
    {
      schema: {
        tags: ['events'],
        summary: 'Replay every dead letter of events published in [from, to), of a subscription or topic',
        security: bearer,
        body: Type.Object({ from: Time, to: Time, subscription: Type.Optional(Type.String({ format: 'uuid' })), topic: Type.Optional(Id) }, { additionalProperties: false }),
      },
    },
    async (request) =>
      events.replayDeliveries(actorOf(request), {
        from: time(request.body.from, 'from'),
        to: time(request.body.to, 'to'),
        ...(request.body.subscription ? { subscriptionId: request.body.subscription } : {}),
        ...(request.body.topic ? { topicId: request.body.topic } : {}),
      }),
  );
}

/** What members were told about their subscriptions. */
function noticeRoutes(base: FastifyInstance, events: Events) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/admin/events/notices',
    {
      schema: {
        tags: ['events'],
        summary: 'What members were told about their subscriptions (e.g. one was disabled), newest first',
        security: bearer,
        querystring: Type.Object(
          { member: Type.Optional(Type.String({ maxLength: 200 })), before: Type.Optional(Count), limit: Type.Optional(Count) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) =>
      events.listNotices(actorOf(request), {
        ...(request.query.member ? { memberId: request.query.member } : {}),
        ...(request.query.before === undefined ? {} : { before: Number(request.query.before) }),
        ...(request.query.limit === undefined ? {} : { limit: Number(request.query.limit) }),
      }),
  );
}
