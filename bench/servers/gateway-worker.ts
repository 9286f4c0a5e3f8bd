import { installCounters } from './counters.js';
import type { BenchMessage } from '../lib/processes.js';

/**
 * One gateway process of the cluster: the production composition
 * (createPlatform + buildServer), configured from the
 * environment exactly like `rabta start`, minus the request log (the bench
 * measures the exchange, not pino; see bench/README.md).
 */

// Counters patch better-sqlite3 and node:crypto, so they go in before the platform is loaded.
const counters = process.env.BENCH_COUNTERS === '1' ? installCounters() : undefined;

const { loadConfig } = await import('../../src/config/index.js');
const { buildServer, createPlatform } = await import('../../src/platform/index.js');

const config = loadConfig(process.env);
// The bench's setup migrated the file once; N workers racing to migrate is not what is measured.
const platform = await createPlatform(config, { migrate: false });
const app = await buildServer(platform);
await app.listen({ host: config.host, port: config.port });
if (counters) app.server.on('request', () => counters.countRequest());

process.on('message', (m: BenchMessage) => {
  if (m?.type === 'counters-reset') counters?.reset();
  else if (m?.type === 'counters-read') process.send?.({ type: 'counters', counters: counters?.read() ?? null });
  else if (m?.type === 'shutdown') {
    // A graceful exit, so that --cpu-prof writes its profile.
    void app
      .close()
      .then(() => platform.close())
      .finally(() => process.exit(0));
  }
});
