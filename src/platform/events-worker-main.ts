import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { createPlatform } from './index.js';
import type { WorkerOptions } from '../events/index.js';

/**
 * A delivery worker as a process of its own, against the configured database
 * (the same environment as `rabta start`): `node --import tsx
 * src/platform/events-worker-main.ts [--loops N] [--batch N] [--poll-ms N]
 * [--timeout-ms N] [--lease-ms N] [--schedule 0,5000,…]`. It serves no HTTP; any number of
 * them share the queue on PostgreSQL. It prints `ready <worker id>` once
 * claiming, and stops cleanly on SIGTERM or SIGINT, letting attempts in
 * flight finish.
 */
const { values } = parseArgs({
  options: {
    loops: { type: 'string' },
    batch: { type: 'string' },
    'poll-ms': { type: 'string' },
    'timeout-ms': { type: 'string' },
    'lease-ms': { type: 'string' },
    schedule: { type: 'string' },
  },
});
const number = (value: string | undefined): number | undefined => (value === undefined ? undefined : Number(value));
const options: WorkerOptions = {
  ...(values.loops ? { loops: number(values.loops) } : {}),
  ...(values.batch ? { batchSize: number(values.batch) } : {}),
  ...(values['poll-ms'] ? { pollMs: number(values['poll-ms']) } : {}),
  ...(values['timeout-ms'] ? { timeoutMs: number(values['timeout-ms']) } : {}),
  ...(values['lease-ms'] ? { leaseMs: number(values['lease-ms']) } : {}),
  ...(values.schedule ? { schedule: values.schedule.split(',').map(Number) } : {}),
};

const platform = await createPlatform(loadConfig(), { migrate: false, background: false, events: { worker: false } });
platform.jobs.logTo((job, error) => console.error(`${job}:`, error));
platform.events.onNotice((notice) => console.error(`notice for ${notice.memberId}: ${notice.detail}`));
const worker = platform.events.startWorker(options);
console.log(`ready ${worker.id}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await platform.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
