import { standaloneJobs } from '../core/index.js';
import type { Actor, PeriodicJob } from '../core/index.js';
import * as access from './access.js';
import * as deliveries from './deliveries.js';
import type { EventsDeps, EventsNotice } from './deps.js';
import { listNotices } from './notices.js';
import { createPublisher } from './publish.js';
import type { PublishBatchInput, PublishInput } from './publish.js';
import * as noticeRules from './notice-rules.js';
import { ackEvents, pullEvents } from './pull.js';
import { sweepRetention } from './retention.js';
import { createValidatorCache } from './schemas.js';
import * as subscriptions from './subscriptions.js';
import * as topics from './topics.js';
import { createDeliveryWorker } from './worker.js';
import type { DeliveryWorker, WorkerOptions } from './worker.js';

export { eventsMigrations } from './migrations.js';
export type { EventsTables } from './tables.js';
export type { EventsDeps, EventsNotice } from './deps.js';
export type { Topic, TopicInput, TopicUpdate } from './topics.js';
export type { TopicAccess } from './access.js';
export type { CreatedSubscription, DeliveryInput, Subscription, SubscriptionInput } from './subscriptions.js';
export type { Filter, FilterValue } from './fields.js';
export type { Published, PublishBatchInput, PublishedBatch, PublishInput } from './publish.js';
export { MAX_BATCH_EVENTS } from './publish.js';
export type { NoticeRule, NoticeRuleInput } from './notice-rules.js';
export type { PulledEvent, PullPage } from './pull.js';
export type { Delivery, DeliveryAttempt, DeliveryQuery } from './deliveries.js';
export type { Notice } from './notices.js';
export type { DeliveryWorker, WorkerOptions } from './worker.js';
export { DEFAULT_SCHEDULE_MS } from './schedule.js';
export { envelopeOf } from './delivery.js';
export { subsystemActor } from './subscriptions.js';
export { pullPageJson } from './pull.js';

export interface EventsOptions {
  /** the background delivery worker's options, or false to run none in this process */
  worker?: WorkerOptions | false;
  /** how often the retention sweep runs (default 60 s); one node at a time */
  sweepIntervalMs?: number;
}

/**
 * Events between institutions: topics with schemas, access rights on them,
 * publishing into an outbox, webhook and pull subscriptions, delivery workers
 * with retries, dead letters and replay.
 */
export function createEvents(deps: EventsDeps, options: EventsOptions = {}) {
  const validators = createValidatorCache();
  const listeners: Array<(notice: EventsNotice) => void> = [];
  const notice = (n: EventsNotice) => listeners.forEach((listener) => listener(n));
  const jobs = deps.jobs ?? standaloneJobs;
  const workers = new Set<DeliveryWorker>();
  const poke = () => workers.forEach((w) => w.poke());
  const publisher = createPublisher(deps, validators, poke);
  let background: DeliveryWorker | undefined;
  let sweeper: PeriodicJob | undefined;

  /** A delivery worker with its own options (the background one, a worker process, the benchmark); stop it when done. */
  function startWorker(workerOptions: WorkerOptions = {}): DeliveryWorker {
    const worker = createDeliveryWorker({ ...deps, notice, onError: (error) => jobs.failed('events-delivery', error) }, workerOptions);
    workers.add(worker);
    worker.start();
    return {
      id: worker.id,
      start: () => worker.start(),
      poke: () => worker.poke(),
      runOnce: () => worker.runOnce(),
      async stop() {
        workers.delete(worker);
        await worker.stop();
      },
    };
  }

  return {
    createTopic: (actor: Actor, subsystemId: string, input: topics.TopicInput) => topics.createTopic(deps, actor, subsystemId, input),
    updateTopic: (actor: Actor, topicId: string, input: topics.TopicUpdate) => topics.updateTopic(deps, actor, topicId, input),
    listTopics: (filter?: { memberId?: string; subsystemId?: string }) => topics.listTopics(deps, filter),
    getTopic: (topicId: string) => topics.getTopic(deps, topicId),

    grantTopicAccess: (actor: Actor, input: { topicId: string; subscriberId: string; purposes: string[] }) => access.grantTopicAccess(deps, actor, input),
    /** the purposes a subscriber may receive a topic for (undefined: no such topic or no access right) */
    topicPurposes: (topicId: string, subscriberId: string) => access.topicPurposes(deps, topicId, subscriberId),
    topicExists: async (topicId: string) => (await topics.findTopicRow(deps, topicId)) !== undefined,
    revokeTopicAccess: (actor: Actor, id: string) => access.revokeTopicAccess(deps, actor, id),
    listTopicAccess: (filter?: { topicId?: string; subscriberId?: string; memberId?: string }) => access.listTopicAccess(deps, filter),

    createSubscription: (actor: Actor, input: subscriptions.SubscriptionInput) => subscriptions.createSubscription(deps, actor, input),
    listSubscriptions: (filter?: { topicId?: string; subscriberId?: string; memberId?: string }) => subscriptions.listSubscriptions(deps, filter),
    getSubscription: (actor: Actor, id: string) => subscriptions.getSubscription(deps, actor, id),
    deleteSubscription: (actor: Actor, id: string) => subscriptions.deleteSubscription(deps, actor, id),
    enableSubscription: (actor: Actor, id: string) => subscriptions.enableSubscription(deps, actor, id),

    /** a signed publication by `input.publisherId` (see publish.ts) */
    publish: (input: PublishInput) => publisher.publish(input),
    /** many events of one topic in one signed call: all or none */
    publishBatch: (input: PublishBatchInput) => publisher.publishBatch(input),

    setNoticeRule: (actor: Actor, topicId: string, input: noticeRules.NoticeRuleInput) => noticeRules.setNoticeRule(deps, actor, topicId, input),
    getNoticeRule: (topicId: string) => noticeRules.getNoticeRule(deps, topicId),
    deleteNoticeRule: (actor: Actor, topicId: string) => noticeRules.deleteNoticeRule(deps, actor, topicId),
    pull: (clientId: string, subscriptionId: string, page: { after?: string; limit?: number }) => pullEvents(deps, clientId, subscriptionId, page),
    ack: (clientId: string, subscriptionId: string, cursor: string) => ackEvents(deps, clientId, subscriptionId, cursor),

    searchDeliveries: (actor: Actor, query: deliveries.DeliveryQuery) => deliveries.searchDeliveries(deps, actor, query),
    getDelivery: (actor: Actor, id: number) => deliveries.getDelivery(deps, actor, id),
    async replayDelivery(actor: Actor, id: number) {
      const replayed = await deliveries.replayDelivery(deps, actor, id);
      poke();
      return replayed;
    },
    async replayDeliveries(actor: Actor, range: { from: number; to: number; subscriptionId?: string; topicId?: string }) {
      const replayed = await deliveries.replayDeliveries(deps, actor, range);
      poke();
      return replayed;
    },
    listNotices: (actor: Actor, options?: { memberId?: string; before?: number; limit?: number }) => listNotices(deps, actor, options),

    /** who hears that a member's subscription was disabled (the platform logs it) */
    onNotice(listener: (notice: EventsNotice) => void) {
      listeners.push(listener);
    },
    startWorker,
    sweepRetention: () => sweepRetention(deps),

    /** background work: the delivery worker (unless options.worker is false) and the retention sweep */
    start() {
      if (options.worker !== false && !background) background = startWorker(options.worker ?? {});
      sweeper ??= jobs.every('events-retention', options.sweepIntervalMs ?? 60_000, () => deps.dialect.tryWithLock('events-retention', () => sweepRetention(deps)));
    },
    /** stops every worker started here, letting attempts in flight finish */
    async stop() {
      await sweeper?.stop();
      sweeper = undefined;
      await Promise.all([...workers].map((w) => w.stop()));
      workers.clear();
      background = undefined;
    },
  };
}

export type Events = ReturnType<typeof createEvents>;
export { eventCountsByTopic } from './counts.js';
export { deadLettersBetween, publishedBetween } from './series.js';
