import cluster from 'node:cluster';
import { pathToFileURL } from 'node:url';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createLogger } from '../http/index.js';
import { buildServer, createPlatform, prepareWebFont } from '../platform/index.js';
import type { Platform } from '../platform/index.js';
import { configOrExit } from './config.js';
import { DEFAULT_PORT } from '../config/index.js';

interface DemoModule {
  startDemoSmsc(env: Record<string, string | undefined>): Promise<DemoSmsc>;
  startDemo(platform: Platform, options: { smscPort?: number }): Promise<DemoHandle>;
}

/** The demo's SMSC, as the CLI sees it: something to close and to hand to a scenario. */
interface DemoSmsc {
  port: number;
  close(): Promise<void>;
}

async function loadDemo(): Promise<DemoModule> {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return (await import(pathToFileURL(join(root, 'examples', 'demo', 'index.ts')).href)) as DemoModule;
}

export interface DemoHandle {
  /** what a newcomer can do next, printed after start */
  banner: string;
  /** runs a demo story and resolves to its report, whose `lines` say what each party saw */
  runScenario(name: string, smsc: DemoSmsc): Promise<{ lines: string[] }>;
  stop(): Promise<void>;
}

/**
 * Serves the instance. With `demo`, the demo federation in examples/ is loaded
 * by path at run time: simulated institutions are never imported by src/.
 */
export async function startServer(options: { demo: boolean; workers?: number; scenario?: string }): Promise<void> {
  const workers = options.workers ?? 1;
  if (options.scenario && !options.demo) throw new Error('--scenario runs on the demo federation: add --demo (npm start does)');
  if (workers > 1 && cluster.isPrimary) {
    if (options.demo) throw new Error('--workers is for a real instance; the demo runs in one process');
    return startCluster(workers);
  }
  const env = { ...process.env };
  if (options.demo) {
    env.RABTA_EGRESS_ALLOW ??= 'loopback';
    // The sandbox keeps its terminal for the banner and the SMSC; set RABTA_LOG_LEVEL=info to see every request.
    env.RABTA_LOG_LEVEL ??= 'warn';
    // Case deadlines pass while one watches: a working day of 20 s, swept every second (either can be set).
    env.RABTA_CASES_WORKING_DAY_MS ??= '20000';
    env.RABTA_CASES_SWEEP_MS ??= '1000';
    // A demo's log origin and registry hold its port, so a demo on another port keeps its own data:
    // two demos side by side differ by PORT alone.
    if (!env.RABTA_DATA_DIR && env.PORT && env.PORT !== String(DEFAULT_PORT)) env.RABTA_DATA_DIR = join('data', `demo-${env.PORT}`);
  }
  const demoModule = options.demo ? await loadDemo() : undefined;
  // The demo's SMSC runs before the instance, which reaches it like any SMSC (RABTA_SMPP_URL).
  const smsc = await demoModule?.startDemoSmsc(env);
  const config = configOrExit(env);
  const logger = createLogger(config.logLevel);
  // A start that takes long says where it waits (a node that never answers /readyz is otherwise silent).
  let phase = 'opening the database and migrating it';
  const startedAt = Date.now();
  const slowStart = setInterval(() => logger.warn({ phase, seconds: Math.round((Date.now() - startedAt) / 1000) }, `still starting: ${phase}`), 30_000);
  let app: Awaited<ReturnType<typeof buildServer>>;
  let platform: Platform;
  try {
    platform = await createPlatform(config, { migrate: !cluster.isWorker });
    phase = 'building the HTTP server';
    app = await buildServer(platform, { logger });
    phase = `listening on ${config.host}:${config.port}`;
    try {
      await app.listen({ host: config.host, port: config.port });
    } catch (error) {
      await platform.close();
      await smsc?.close();
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new Error(`Rabta could not listen on ${config.host}:${config.port}: ${code}${code === 'EADDRINUSE' ? ' (another program, perhaps another Rabta, uses it: set PORT)' : ''}`, { cause: error });
    }
  } finally {
    clearInterval(slowStart);
  }
  let demo: DemoHandle | undefined;
  if (demoModule) {
    demo = await demoModule.startDemo(platform, smsc ? { smscPort: smsc.port } : {});
    process.stdout.write(demo.banner);
    await publishOpenData(platform);
    if (options.scenario && smsc) {
      process.stdout.write(`\nScenario "${options.scenario}":\n`);
      try {
        // What each party saw was printed as it happened; it is not printed a second time.
        const report = await demo.runScenario(options.scenario, smsc);
        process.stdout.write(`\nThe scenario ran to its end (${report.lines.length} lines above). The instance keeps running; Ctrl-C stops it.\n`);
        await publishOpenData(platform);
      } catch (error) {
        process.stderr.write(`\nthe scenario failed: ${(error as Error).message}\n`);
        process.exitCode = 1;
      }
    }
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

/** The demo publishes its figures as open data once its traffic has run: the release's digest goes into the log. */
async function publishOpenData(platform: Platform): Promise<void> {
  try {
    const release = await platform.analytics.publish();
    const url = `${platform.config.publicUrl}/open-data/releases/${release.version}/datapackage.json`;
    process.stdout.write(`\nOpen data: release ${release.version} at ${url}\n  check it against the log: rabta open-data verify ${url}\n`);
  } catch (error) {
    process.stderr.write(`\nno open-data release: ${(error as Error).message}\n`);
  }
}

/**
 * Several processes serving one port (node:cluster), to use every core. They
 * share the database and its locks (lease rows), so one sequencer runs at a
 * time and nonces are spent once. The primary migrates and cuts the web font
 * before forking, so workers never race on migrations nor each cut the font.
 */
async function startCluster(workers: number): Promise<void> {
  const config = configOrExit(process.env);
  const platform = await createPlatform(config, { background: false });
  await platform.close();
  await prepareWebFont(config.dataDir);
  const started = new Map<number, number>();
  const fork = () => {
    const worker = cluster.fork();
    started.set(worker.id, Date.now());
  };
  for (let i = 0; i < workers; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (signal === 'SIGTERM' || signal === 'SIGINT' || code === 0) return;
    // A worker that dies at once would die again: stop rather than spin.
    if (Date.now() - (started.get(worker.id) ?? 0) < 10_000) {
      process.stderr.write(`worker ${worker.process.pid} failed at start (${signal ?? code}); stopping\n`);
      for (const other of Object.values(cluster.workers ?? {})) other?.kill('SIGTERM');
      process.exit(1);
    }
    process.stderr.write(`worker ${worker.process.pid} died (${signal ?? code}); starting another\n`);
    fork();
  });
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
