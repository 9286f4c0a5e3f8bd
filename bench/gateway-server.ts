import cluster from 'node:cluster';
import { loadConfig } from '../src/config/index.js';
import { buildServer } from '../src/http/server.js';
import { createPlatform } from '../src/platform/index.js';
import { platformPlugins } from '../src/platform/plugins.js';

/**
 * The gateway under load: `workers` processes serving one port (node:cluster),
 * sharing one SQLite file (or PostgreSQL). The primary migrates first, so
 * workers never race on migrations. Prints "ready" when every worker listens.
 */
const workers = Number(process.env.BENCH_WORKERS ?? 2);
const config = loadConfig(process.env);

if (cluster.isPrimary) {
  const platform = await createPlatform(config);
  await platform.close();
  let listening = 0;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('message', (_worker, message) => {
    if (message === 'listening' && ++listening === workers) process.stdout.write('ready\n');
  });
  cluster.on('exit', (_worker, code) => {
    if (code !== 0) process.exit(code ?? 1);
  });
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    process.exit(0);
  });
} else {
  const platform = await createPlatform(config, { migrate: false });
  const app = await buildServer(platform, { plugins: platformPlugins(platform) });
  await app.listen({ host: '127.0.0.1', port: config.port });
  process.send?.('listening');
  process.on('SIGTERM', () => {
    void app.close().then(() => platform.close()).then(() => process.exit(0));
  });
}
