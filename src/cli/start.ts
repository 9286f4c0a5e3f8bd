import { pathToFileURL } from 'node:url';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createLogger } from '../http/logger.js';
import { buildServer } from '../http/server.js';
import { createPlatform } from '../platform/index.js';
import type { Platform } from '../platform/index.js';
import { configOrExit } from './local.js';
import { platformPlugins } from '../platform/plugins.js';

interface DemoModule {
  startDemoSmsc(env: Record<string, string | undefined>): Promise<{ close(): Promise<void> }>;
  startDemo(platform: Platform): Promise<DemoHandle>;
}

async function loadDemo(): Promise<DemoModule> {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return (await import(pathToFileURL(join(root, 'examples', 'demo', 'index.ts')).href)) as DemoModule;
}

export interface DemoHandle {
  /** what a newcomer can do next, printed after start */
  banner: string;
  stop(): Promise<void>;
}

/**
 * Serves the instance. With `demo`, the demo federation in examples/ is loaded
 * by path at run time: simulated institutions are never imported by src/.
 */
export async function startServer(options: { demo: boolean }): Promise<void> {
  const env = { ...process.env };
  if (options.demo) {
    env.RABTA_EGRESS_ALLOW ??= 'loopback';
    // The sandbox keeps its terminal for the banner and the SMSC; set RABTA_LOG_LEVEL=info to see every request.
    env.RABTA_LOG_LEVEL ??= 'warn';
  }
  const demoModule = options.demo ? await loadDemo() : undefined;
  // The demo's SMSC runs before the instance, which reaches it like any SMSC (RABTA_SMPP_URL).
  const smsc = await demoModule?.startDemoSmsc(env);
  const config = configOrExit(env);
  const logger = createLogger(config.logLevel);
  const platform = await createPlatform(config);
  const app = await buildServer(platform, { logger, plugins: platformPlugins(platform) });
  await app.listen({ host: config.host, port: config.port });
  let demo: DemoHandle | undefined;
  if (demoModule) {
    demo = await demoModule.startDemo(platform);
    process.stdout.write(demo.banner);
  } else {
    logger.info({ url: config.publicUrl, database: platform.store.dialect.name }, 'rabta is serving');
  }
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await app.close();
    await demo?.stop();
    await platform.close();
    await smsc?.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}
