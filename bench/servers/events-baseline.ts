import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { envelopeOf } from '../../src/events/index.js';
import { childOfBench, reportFatal } from '../lib/processes.js';
import type { BenchMessage } from '../lib/processes.js';
import { benchEvent, epochNow } from '../lib/webhooks.js';

/**
 * The events section's baseline, in a process of its own like the platform:
 * a bare loop that POSTs the same Standard Webhooks envelopes to the same
 * receivers, `concurrency` requests in flight (the delivery worker's), over an
 * undici Agent configured like the egress dispatcher. No database, no
 * signature, no egress policy: what is left is the HTTP cost itself.
 *
 * Message `run` {urls, topicId, count, concurrency} → `done` {firstAt, lastAt, posts, failed}.
 */

export interface BaselineRun {
  urls: string[];
  topicId: string;
  count: number;
  concurrency: number;
}

const agent = new Agent({ connections: 64, pipelining: 1, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 60_000 });

async function run(config: BaselineRun): Promise<BenchMessage> {
  // Every event goes to every receiver, as a publication goes to every subscription.
  const at = Date.now();
  const jobs = Array.from({ length: config.count }, (_, n) => {
    const body = envelopeOf({ topic_id: config.topicId, at, payload: JSON.stringify(benchEvent(n)) });
    return { id: randomUUID(), body };
  }).flatMap((job) => config.urls.map((url) => ({ ...job, url })));
  let next = 0;
  let failed = 0;
  const firstAt = epochNow();
  await Promise.all(
    Array.from({ length: config.concurrency }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++] as (typeof jobs)[number];
        const response = await request(job.url, {
          dispatcher: agent,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'Rabta-Webhooks/1', 'webhook-id': job.id, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) },
          body: job.body,
        });
        await response.body.dump();
        if (response.statusCode < 200 || response.statusCode >= 300) failed++;
      }
    }),
  );
  return { type: 'done', firstAt, lastAt: epochNow(), posts: jobs.length, failed };
}

childOfBench(() => agent.close());
process.on('message', (m: BenchMessage) => {
  if (m?.type === 'run') run(m as unknown as BaselineRun).then((done) => process.send?.(done), reportFatal);
});
process.send?.({ type: 'ready', pid: process.pid });
