import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_PORT, loadConfig } from '../config/index.js';
import { newKeysFile, writeKeysFile } from '../keyring/index.js';
import { createPlatform } from '../platform/index.js';
import type { Platform } from '../platform/index.js';
import { ensureDatabase } from '../store/index.js';
import { startHaproxy } from './cluster-haproxy.js';
import { answers200, freeLocalPort, prefixOutput, spawnChild, stopChild, waitUntil } from './cluster-processes.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The database the cluster uses on the default server when DATABASE_URL is not set. */
export const CLUSTER_DATABASE = 'rabta_cluster';
const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ClusterOptions {
  nodes: number;
  /** the environment the deployment is configured from (PORT, RABTA_PUBLIC_URL, RABTA_DATA_DIR, DATABASE_URL, RABTA_KEYS_FILE…) */
  env: Record<string, string | undefined>;
  /** seed and run the demo federation once, beside the nodes */
  demo: boolean;
  /** extra environment for every node (tests shorten leases) */
  nodeEnv?: Record<string, string>;
  /** start a node again when it dies unexpectedly (the command does; failure tests do not) */
  restartNodes?: boolean;
  /** how long a node may take to answer /readyz at start (default 180 s: a loaded machine compiles slowly) */
  readyTimeoutMs?: number;
  /** where the children's output and the command's own lines go */
  write?: (line: string) => void;
}

export interface ClusterNode {
  name: string;
  port: number;
  url: string;
  process: ChildProcess;
  /** set once the node was stopped or killed on purpose */
  stopped: boolean;
}

/** The demo federation's handle, as the cluster holds it (examples/demo is loaded by path). */
interface DemoHandle {
  banner: string;
  keyFiles: string[];
  upstreamUrl: string;
  runScenario(name: string, smsc: unknown): Promise<{ lines: string[] }>;
  stop(): Promise<void>;
}
interface DemoModule {
  startDemoSmsc(env: Record<string, string | undefined>, port?: number): Promise<{ close(): Promise<void> }>;
  startDemo(platform: Platform): Promise<DemoHandle>;
}

export interface Cluster {
  /** HAProxy's address: the instance's public URL */
  url: string;
  databaseUrl: string;
  keysFile: string;
  dataDir: string;
  haproxyConfigFile: string;
  nodes: ClusterNode[];
  haproxy: ChildProcess;
  demo?: DemoHandle & { platform: Platform; smsc: { close(): Promise<void> } };
  /** kills a node (SIGKILL by default) and lets HAProxy and the others carry on */
  kill(node: ClusterNode, signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The scale-out deployment on one machine: N `rabta start` nodes (child
 * processes on free ports) on one PostgreSQL database and one keys file,
 * HAProxy in front on PORT, and — with the demo — the demo federation seeded
 * once by this process, which also runs its side services (SMSC, upstreams,
 * witness) once for all nodes.
 */
export async function startClusterDeployment(options: ClusterOptions): Promise<Cluster> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const env = options.env;
  const dataDir = resolve(env.RABTA_DATA_DIR ?? 'data');
  const clusterDir = join(dataDir, 'cluster');
  mkdirSync(clusterDir, { recursive: true });
  const port = Number(env.PORT ?? DEFAULT_PORT);
  const publicUrl = (env.RABTA_PUBLIC_URL ?? `http://127.0.0.1:${port}`).replace(/\/+$/, '');
  const databaseUrl = env.DATABASE_URL || (await ensureClusterDatabase(DEFAULT_SERVER, CLUSTER_DATABASE));
  const keysFile = resolve(env.RABTA_KEYS_FILE ?? join(clusterDir, 'keys.json'));
  if (!existsSync(keysFile)) {
    writeKeysFile(keysFile, await newKeysFile());
    write(`wrote the cluster's keys file ${keysFile} (every node shares it)`);
  }
  const shared: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    RABTA_KEYS_FILE: keysFile,
    RABTA_PUBLIC_URL: publicUrl,
    RABTA_LOG_LEVEL: env.RABTA_LOG_LEVEL ?? 'warn',
    ...(options.demo ? { RABTA_EGRESS_ALLOW: env.RABTA_EGRESS_ALLOW ?? 'loopback' } : {}),
  };

  const children: ChildProcess[] = [];
  // However this process ends, its children end with it (SIGKILL of this process: their death signal).
  const onExit = () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', onExit);

  let demo: Cluster['demo'];
  let nodes: ClusterNode[] = [];
  let haproxy: ChildProcess | undefined;
  let stopping = false;
  try {
    // Migrate (and seed) once, from here, before any node starts: nodes never race on migrations.
    const parentEnv: Record<string, string | undefined> = { ...env, ...shared, RABTA_DATA_DIR: dataDir, PORT: String(port) };
    if (options.demo) {
      const demoModule = (await import(pathToFileURL(join(ROOT, 'examples', 'demo', 'index.ts')).href)) as DemoModule;
      // Side-service ports follow PORT, so a restarted cluster finds its witness where the registry says it is.
      const sidePort = (name: string, offset: number) => env[name] ?? String(port + offset);
      // The witnesses take +11 and +12 (NADRA's, then HBL's on the next port), so the SMSC is at +13.
      const smsc = await demoModule.startDemoSmsc(parentEnv, Number(sidePort('RABTA_DEMO_SMSC_PORT', 13)));
      shared.RABTA_SMPP_URL = parentEnv.RABTA_SMPP_URL as string;
      const platform = await createPlatform(loadConfig(parentEnv), { background: false });
      // The demo reads its side services' ports from the environment.
      const ports = { RABTA_DEMO_UPSTREAM_PORT: sidePort('RABTA_DEMO_UPSTREAM_PORT', 10), RABTA_DEMO_WITNESS_PORT: sidePort('RABTA_DEMO_WITNESS_PORT', 11) };
      const saved = { RABTA_DEMO_UPSTREAM_PORT: process.env.RABTA_DEMO_UPSTREAM_PORT, RABTA_DEMO_WITNESS_PORT: process.env.RABTA_DEMO_WITNESS_PORT };
      Object.assign(process.env, ports);
      try {
        demo = { ...(await demoModule.startDemo(platform)), platform, smsc };
      } finally {
        for (const [name, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        }
      }
    } else {
      const platform = await createPlatform(loadConfig(parentEnv), { background: false });
      await platform.close();
    }

    const startNode = (node: Omit<ClusterNode, 'process' | 'stopped'>): ClusterNode => {
      const nodeDir = join(clusterDir, node.name);
      mkdirSync(nodeDir, { recursive: true });
      const child = spawnChild(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'start'], {
        cwd: ROOT,
        env: { ...process.env, ...env, ...shared, ...options.nodeEnv, PORT: String(node.port), RABTA_HOST: '127.0.0.1', RABTA_DATA_DIR: nodeDir, RABTA_WORKERS: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
        deathSignal: 'TERM',
      });
      children.push(child);
      prefixOutput(child, `[${node.name}]`, write);
      const started: ClusterNode = { ...node, process: child, stopped: false };
      child.once('exit', (code, signal) => {
        if (stopping || started.stopped) return;
        write(`${node.name} (pid ${child.pid}) exited (${signal ?? code})`);
        if (options.restartNodes) {
          write(`starting ${node.name} again`);
          const index = nodes.indexOf(started);
          if (index >= 0) nodes[index] = startNode(node);
        }
      });
      return started;
    };

    const ports: number[] = [];
    for (let i = 0; i < options.nodes; i++) ports.push(await freeLocalPort());
    const ready = (node: ClusterNode) =>
      waitUntil(`${node.name} ready at ${node.url}/readyz`, () => answers200(`${node.url}/readyz`), {
        timeoutMs: options.readyTimeoutMs ?? 180_000,
        abort: () => (node.process.exitCode !== null || node.process.signalCode !== null ? `it exited (${node.process.signalCode ?? node.process.exitCode})` : undefined),
      });
    const specs = ports.map((nodePort, i) => ({ name: `node-${i + 1}`, port: nodePort, url: `http://127.0.0.1:${nodePort}` }));
    // As on real machines (README, "Scale-out"): the first node migrates the database alone, then the rest start on it.
    const first = startNode(specs[0] as (typeof specs)[number]);
    nodes = [first];
    await ready(first);
    nodes.push(...specs.slice(1).map((spec) => startNode(spec)));
    await Promise.all(nodes.slice(1).map(ready));

    const haproxyConfigFile = join(clusterDir, 'haproxy.cfg');
    haproxy = startHaproxy(haproxyConfigFile, { host: env.RABTA_HOST ?? '127.0.0.1', port, nodes: nodes.map((n) => ({ name: n.name, port: n.port })) });
    children.push(haproxy);
    prefixOutput(haproxy, '[haproxy]', write);
    const proxy = haproxy;
    const localUrl = `http://127.0.0.1:${port}`;
    await waitUntil(`HAProxy at ${localUrl}`, () => answers200(`${localUrl}/readyz`), {
      timeoutMs: 30_000,
      abort: () => (proxy.exitCode !== null ? `haproxy exited (${proxy.exitCode}); see ${haproxyConfigFile}` : undefined),
    });

    const cluster: Cluster = {
      url: publicUrl,
      databaseUrl,
      keysFile,
      dataDir,
      haproxyConfigFile,
      get nodes() {
        return nodes;
      },
      haproxy: proxy,
      ...(demo ? { demo } : {}),
      async kill(node, signal = 'SIGKILL') {
        node.stopped = true;
        await stopChild(node.process, signal);
      },
      async stop() {
        if (stopping) return;
        stopping = true;
        await stopChild(proxy, 'SIGTERM', 5000);
        await Promise.all(nodes.map((node) => stopChild(node.process, 'SIGTERM', 10_000)));
        if (demo) {
          await demo.stop();
          await demo.platform.close();
          await demo.smsc.close();
        }
        process.off('exit', onExit);
      },
    };
    return cluster;
  } catch (error) {
    stopping = true;
    onExit();
    process.off('exit', onExit);
    if (demo) {
      await demo.stop().catch(() => undefined);
      await demo.platform.close().catch(() => undefined);
      await demo.smsc.close().catch(() => undefined);
    }
    throw error;
  }
}

/** Creates the cluster's database on the default server if it is not there yet; returns its URL. */
export const ensureClusterDatabase = (serverUrl: string, name: string): Promise<string> => ensureDatabase(serverUrl, name);
