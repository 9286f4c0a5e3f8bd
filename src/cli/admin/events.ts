import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { api, collect, pathOf, show, withClientOptions } from './client.js';
import type { ClientOptions, Output } from './client.js';

const TOPIC_COLUMNS = ['id', 'title', 'version', 'personal', 'subjectPath', 'orderingKeyPath', 'retentionDays'];
const SUBSCRIPTION_COLUMNS = ['id', 'topic', 'subscriber', 'delivery', 'status', 'lastSuccessAt'];
const DELIVERY_COLUMNS = ['id', 'event', 'subscription', 'status', 'attempts', 'lastStatus', 'lastError'];

/** `field=value` pairs of a filter; numbers, true, false and null keep their JSON type. */
function parseFilter(pairs: string[]): Record<string, unknown> | undefined {
  if (pairs.length === 0) return undefined;
  const filter: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`--filter takes field=value, not "${pair}"`);
    const raw = pair.slice(at + 1);
    let value: unknown = raw;
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (parsed === null || typeof parsed === 'number' || typeof parsed === 'boolean') value = parsed;
    } catch {
      // a plain string
    }
    filter[pair.slice(0, at)] = value;
  }
  return filter;
}

/** Topics, their subscribers and citizen notices, subscriptions and deliveries: the events admin API from the shell. */
export function eventsCommands(program: Command, output: Output): void {
  const topic = program.command('topic').description('event topics members publish');
  withClientOptions(topic.command('add <subsystemId> <code>'))
    .description('declare a topic of a subsystem: an event type with a JSON Schema')
    .requiredOption('--title <title>', 'what an event says')
    .requiredOption('--schema <file>', 'JSON Schema of the events (JSON)')
    .option('--personal', 'events concern persons (needs --subject-path)')
    .option('--subject-path <path>', 'where the CNICs are: cnic, beneficiary.cnic, rows[].cnic')
    .option('--ordering-key <path>', 'events with the same value here reach each subscriber in order')
    .option('--retention-days <n>', 'how long events are kept for delivery and replay')
    .action(async (subsystemId: string, code: string, o: ClientOptions & { title: string; schema: string; personal?: boolean; subjectPath?: string; orderingKey?: string; retentionDays?: string }) => {
      const body = {
        code,
        title: o.title,
        schema: JSON.parse(readFileSync(o.schema, 'utf8')) as unknown,
        ...(o.personal ? { personal: true } : {}),
        ...(o.subjectPath ? { subjectPath: o.subjectPath } : {}),
        ...(o.orderingKey ? { orderingKeyPath: o.orderingKey } : {}),
        ...(o.retentionDays ? { retentionDays: Number(o.retentionDays) } : {}),
      };
      show(o, output, await api(o, output, 'POST', `/admin/subsystems/${pathOf(subsystemId, 4, 'a subsystem id')}/topics`, body), TOPIC_COLUMNS);
    });
  withClientOptions(topic.command('list'))
    .description('the topic catalogue')
    .option('--member <memberId>', 'only this member’s topics')
    .action(async (o: ClientOptions & { member?: string }) => {
      show(o, output, await api(o, output, 'GET', `/admin/topics${o.member ? `?member=${encodeURIComponent(o.member)}` : ''}`), TOPIC_COLUMNS);
    });
  withClientOptions(topic.command('grant'))
    .description('let a subscriber subsystem receive a topic for some purposes')
    .requiredOption('--topic <topicId>', 'e.g. PK/BANK/HBL/disbursement/payment.credited')
    .requiredOption('--subscriber <subsystemId>', 'e.g. PK/GOV/BISP/payments')
    .requiredOption('--purpose <code>', 'a purpose (repeat for more)', collect, [])
    .action(async (o: ClientOptions & { topic: string; subscriber: string; purpose: string[] }) => {
      show(o, output, await api(o, output, 'POST', '/admin/topic-access', { topic: o.topic, subscriber: o.subscriber, purposes: o.purpose }));
    });
  withClientOptions(topic.command('notify <topicId>'))
    .description('tell each subject of a personal topic’s events by SMS; {field.path} is filled from the event')
    .requiredOption('--ur <text>', 'the Urdu text')
    .requiredOption('--en <text>', 'the English text')
    .option('--status', 'the latest such notice answers the citizen’s STATUS / حالت text')
    .action(async (topicId: string, o: ClientOptions & { ur: string; en: string; status?: boolean }) => {
      show(o, output, await api(o, output, 'PUT', `/admin/topics/${pathOf(topicId, 5, 'a topic id')}/notice-rule`, { ur: o.ur, en: o.en, status: o.status ?? false }));
    });

  const subscription = program.command('subscription').description('who receives which topic, by webhook or pull');
  withClientOptions(subscription.command('add'))
    .description('subscribe a subsystem of your member (a webhook’s secret is printed this once)')
    .requiredOption('--topic <topicId>', 'the topic')
    .requiredOption('--client <subsystemId>', 'the subscribing subsystem')
    .option('--webhook <url>', 'deliver by Standard Webhooks POST to this URL')
    .option('--pull', 'the subsystem pulls with a cursor')
    .option('--filter <field=value>', 'deliver only events with this field value (repeat for more)', collect, [])
    .action(async (o: ClientOptions & { topic: string; client: string; webhook?: string; pull?: boolean; filter: string[] }) => {
      if (Boolean(o.webhook) === Boolean(o.pull)) throw new Error('say either --webhook <url> or --pull');
      const filter = parseFilter(o.filter);
      const body = { topic: o.topic, client: o.client, delivery: o.webhook ? { webhook: o.webhook } : { pull: true }, ...(filter ? { filter } : {}) };
      show(o, output, await api(o, output, 'POST', '/admin/subscriptions', body));
    });
  withClientOptions(subscription.command('list'))
    .description('subscriptions your member publishes or receives')
    .option('--topic <topicId>', 'only this topic’s')
    .action(async (o: ClientOptions & { topic?: string }) => {
      show(o, output, await api(o, output, 'GET', `/admin/subscriptions${o.topic ? `?topic=${encodeURIComponent(o.topic)}` : ''}`), SUBSCRIPTION_COLUMNS);
    });
  withClientOptions(subscription.command('enable <id>'))
    .description('enable a subscription that was disabled after failing')
    .action(async (id: string, o: ClientOptions) => show(o, output, await api(o, output, 'POST', `/admin/subscriptions/${encodeURIComponent(id)}/enable`)));

  const delivery = program.command('delivery').description('webhook deliveries: search them, replay dead letters');
  withClientOptions(delivery.command('list'))
    .description('deliveries by event, subscription, topic or status')
    .option('--event <id>', 'one event’s')
    .option('--subscription <id>', 'one subscription’s')
    .option('--topic <topicId>', 'one topic’s')
    .option('--status <status>', 'pending, delivered, dead or cancelled')
    .action(async (o: ClientOptions & { event?: string; subscription?: string; topic?: string; status?: string }) => {
      const query = new URLSearchParams();
      for (const name of ['event', 'subscription', 'topic', 'status'] as const) if (o[name]) query.set(name, o[name] as string);
      const page = await api<{ deliveries: unknown[] }>(o, output, 'GET', `/admin/deliveries${query.size ? `?${query}` : ''}`);
      show(o, output, page.deliveries, DELIVERY_COLUMNS);
    });
  withClientOptions(delivery.command('replay [id]'))
    .description('replay one dead letter, or every dead letter in a time range')
    .option('--from <time>', 'RFC 3339 start of the range')
    .option('--to <time>', 'RFC 3339 end of the range')
    .option('--subscription <id>', 'only this subscription’s dead letters')
    .action(async (id: string | undefined, o: ClientOptions & { from?: string; to?: string; subscription?: string }) => {
      if (id !== undefined) return show(o, output, await api(o, output, 'POST', `/admin/deliveries/${encodeURIComponent(id)}/replay`));
      if (!o.from || !o.to) throw new Error('say a delivery id, or --from and --to');
      show(o, output, await api(o, output, 'POST', '/admin/deliveries/replay', { from: o.from, to: o.to, ...(o.subscription ? { subscription: o.subscription } : {}) }));
    });
}
