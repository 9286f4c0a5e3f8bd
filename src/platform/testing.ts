import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../config/index.js';
import type { Config } from '../config/index.js';
import { SYSTEM_ACTOR } from '../core/index.js';
import { freshDatabase } from '../store/testing.js';
import type { TestDatabase } from '../store/testing.js';
import { buildServer, createPlatform } from './index.js';
import type { Platform, PlatformOptions, ServerOptions } from './index.js';

export interface TestInstance {
  platform: Platform;
  app: FastifyInstance;
  database: TestDatabase;
  /** an authority admin token */
  token: string;
  close(): Promise<void>;
}

/** A whole instance on a fresh database of the given dialect, served by an in-process Fastify. */
export async function startTestInstance(
  dialect: 'sqlite' | 'postgres',
  postgresUrl: string | null,
  options: { env?: Record<string, string>; platform?: PlatformOptions; server?: ServerOptions; configure?: (config: Config) => Config } = {},
): Promise<TestInstance> {
  const database = await freshDatabase(dialect, postgresUrl);
  const base = loadConfig({
    RABTA_DATA_DIR: database.dataDir,
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl, RABTA_KEYS_FILE: `${database.dataDir}/keys.json` } : {}),
    RABTA_EGRESS_ALLOW: 'loopback',
    RABTA_SQLITE_SYNCHRONOUS: 'NORMAL',
    ...options.env,
  });
  const config = options.configure ? options.configure(base) : base;
  if (config.keysFile) {
    const { writeKeysFile, newKeysFile } = await import('../keyring/index.js');
    writeKeysFile(config.keysFile, await newKeysFile());
  }
  const platform = await createPlatform(config, options.platform);
  const app = await buildServer(platform, options.server);
  await app.ready();
  const { token } = await platform.registry.createOperator(SYSTEM_ACTOR, { name: 'test authority', role: 'authority-admin' });
  return {
    platform,
    app,
    database,
    token,
    // Idempotent: a test's afterEach may meet an instance an earlier test already closed.
    close: once(async () => {
      await app.close();
      await platform.close();
      await database.drop();
    }),
  };
}

/** A free TCP port on 127.0.0.1, for an instance in its own process: it signs with its public URL, so the port is known before it starts. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Runs `fn` the first time and hands every later caller the same promise. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}
