import { childOfBench, reportFatal } from '../lib/processes.js';
import type { BenchMessage } from '../lib/processes.js';
import type { WorkerOptions } from '../../src/events/index.js';
import { benchEvent, epochNow } from '../lib/webhooks.js';
import type { PublishCommand } from '../lib/webhooks.js';
import type { AllTables } from '../../test/tables.js';

/**
 * The platform for the events section, in a process of its own so that the
 * delivery worker does not share a core with the receivers it posts to:
 * `createPlatform` configured from the environment like `rabta start`, its
 * background delivery worker running with the options in BENCH_EVENTS_WORKER
 * (JSON). No HTTP server: events are published through the events module
 * directly, on the bench's command over IPC, so what is measured is delivery,
 * not signed-request verification (the exchange section measures that).
 *
 * Messages: `publish-batches` {topicId, publisherId, purpose, count, chunk}
 * → `published` {ids, firstAt, lastAt}; `publish-one` {…, n} → `published-one`
 * {id, at}; `count` → `counts` {byStatus}. Times are epoch ms with sub-ms
 * precision (performance.timeOrigin + now), comparable with the bench's.
 */

// Counters patch better-sqlite3, so they go in before the platform is loaded.
const counters = process.env.BENCH_COUNTERS === '1' ? (await import('./counters.js')).installCounters() : undefined;
const { loadConfig } = await import('../../src/config/index.js');
const { createPlatform } = await import('../../src/platform/index.js');

try {
  const worker = JSON.parse(process.env.BENCH_EVENTS_WORKER ?? '{}') as WorkerOptions;
  // The bench's setup migrated the file; the ledger's sequencer runs, as in production.
  const platform = await createPlatform(loadConfig(process.env), { migrate: false, events: { worker } });
  platform.jobs.logTo((job, error) => process.stderr.write(`${job}: ${(error as Error).stack ?? String(error)}\n`));
  childOfBench(() => platform.close());

  const publishOne = async (c: PublishCommand, n: number) =>
    platform.events.publish({ publisherId: c.publisherId, topicId: c.topicId, purpose: c.purpose, body: Buffer.from(JSON.stringify(benchEvent(n))), view: await platform.registry.view() });

  process.on('message', (m: BenchMessage) => {
    const reply = async (): Promise<BenchMessage | undefined> => {
      if (m.type === 'publish-batches') {
        const c = m as unknown as PublishCommand & { count: number; chunk: number };
        const ids: string[] = [];
        const firstAt = epochNow();
        // One batch publication after another, as a publisher sending a quarter's credits would.
        for (let i = 0; i < c.count; i += c.chunk) {
          const events = Array.from({ length: Math.min(c.chunk, c.count - i) }, (_, j) => benchEvent(i + j));
          const published = await platform.events.publishBatch({ publisherId: c.publisherId, topicId: c.topicId, purpose: c.purpose, body: Buffer.from(JSON.stringify({ events })), view: await platform.registry.view() });
          ids.push(...published.ids);
        }
        return { type: 'published', ids, firstAt, lastAt: epochNow() };
      }
      if (m.type === 'publish-one') {
        const at = epochNow();
        const published = await publishOne(m as unknown as PublishCommand, Number(m.n));
        return { type: 'published-one', id: published.id, at };
      }
      if (m.type === 'counters-reset') {
        counters?.reset();
        return undefined;
      }
      if (m.type === 'counters-read') return { type: 'counters', counters: counters?.read() ?? null };
      if (m.type === 'count') {
        const rows = await platform.store.tables<AllTables>()
          .selectFrom('event_deliveries')
          .select(['status', (eb) => eb.fn.countAll().as('n')])
          .groupBy('status')
          .execute();
        return { type: 'counts', byStatus: Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) };
      }
      return undefined;
    };
    reply().then(
      (answer) => answer && process.send?.(answer),
      (error: unknown) => process.send?.({ type: 'error', message: (error as Error).stack ?? String(error) }),
    );
  });
  process.send?.({ type: 'ready', pid: process.pid });
} catch (error) {
  reportFatal(error);
}
