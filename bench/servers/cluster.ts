import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { childOfBench, reportFatal } from '../lib/processes.js';
import type { BenchMessage } from '../lib/processes.js';

/**
 * The primary of a node:cluster: N workers serving one port (the primary
 * accepts and hands connections out round-robin, so 32 keep-alive
 * connections split evenly). Usage (forked by the bench): cluster.ts
 * gateway|proxy N. Relays the bench's messages to every worker.
 */

const role = process.argv[2];
const count = Number(process.argv[3]);
if ((role !== 'gateway' && role !== 'proxy') || !Number.isInteger(count) || count < 1) reportFatal(new Error('usage: cluster.ts gateway|proxy WORKERS'));

const profileDir = process.env.BENCH_PROFILE_DIR;
cluster.setupPrimary({
  exec: fileURLToPath(new URL(`./${role}-worker.ts`, import.meta.url)),
  execArgv: ['--import', 'tsx', ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])],
});

let stopping = false;
const workers: Worker[] = [];

childOfBench(async () => {
  stopping = true;
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.isDead()) return resolve();
          const kill = setTimeout(() => worker.process.kill('SIGKILL'), 10_000);
          worker.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          worker.send({ type: 'shutdown' });
        }),
    ),
  );
});

// A worker that dies while serving invalidates the run: say so and stop everything.
cluster.on('exit', (worker, code, signal) => {
  if (stopping) return;
  for (const other of workers) if (other !== worker && !other.isDead()) other.process.kill('SIGKILL');
  reportFatal(new Error(`${role} worker ${worker.process.pid} exited (${signal ?? code})`));
});

process.on('message', (m: BenchMessage) => {
  if (m?.type === 'counters-reset') for (const w of workers) w.send(m);
  else if (m?.type === 'counters-read') void readCounters().then((counters) => process.send?.({ type: 'counters', counters }));
});

function readCounters(): Promise<unknown[]> {
  return Promise.all(
    workers.map(
      (worker) =>
        new Promise<unknown>((resolve) => {
          const onMessage = (reply: BenchMessage) => {
            if (reply?.type !== 'counters') return;
            worker.off('message', onMessage);
            resolve(reply.counters);
          };
          worker.on('message', onMessage);
          worker.send({ type: 'counters-read' });
        }),
    ),
  );
}

if (role === 'gateway') {
  // As `rabta start --workers N` does: the font is cut once, before the workers start, not by each of them.
  const { loadConfig } = await import('../../src/config/index.js');
  const { prepareWebFont } = await import('../../src/platform/index.js');
  await prepareWebFont(loadConfig(process.env).dataDir);
}

const listening = Array.from({ length: count }, () => {
  const worker = cluster.fork();
  workers.push(worker);
  return new Promise<void>((resolve) => worker.once('listening', () => resolve()));
});
await Promise.all(listening);
process.send?.({ type: 'ready', pids: workers.map((w) => w.process.pid) });
