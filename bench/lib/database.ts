import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { newKeysFile, writeKeysFile } from '../../src/keyring/index.js';
import { MIGRATIONS } from '../../src/platform/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { isAlive, removeStaleDataDirs, trackDir } from './processes.js';

/**
 * The database a section runs on (`--database sqlite|postgres`): a fresh one
 * every time, so no section measures what another left behind. On SQLite the
 * file is in the section's fresh data dir; on PostgreSQL it is a database
 * created on the server (DATABASE_URL, else 127.0.0.1:5432 as user postgres)
 * and dropped when the section ends. Its name carries the bench's pid, so a
 * bench killed before it could drop it has it dropped by the next run.
 */

export type DatabaseKind = 'sqlite' | 'postgres';

export interface BenchDatabase {
  kind: DatabaseKind;
  /** the section's fresh data dir: the SQLite file, or on PostgreSQL the shared keys file */
  dataDir: string;
  /** the fresh database's URL (PostgreSQL only) */
  url: string | undefined;
  /**
   * The environment of `rabta start` on this database, for loadConfig and the
   * platform's child processes: this process's, without the shell's own
   * instance (DATABASE_URL, keys, public URL, data dir), then RABTA_DATA_DIR
   * and on PostgreSQL DATABASE_URL with RABTA_KEYS_FILE (every process must
   * share the instance's keys), on SQLite RABTA_SQLITE_SYNCHRONOUS; then `extra`.
   */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** for the report and the JSON: the database and its durability setting */
  durability: string;
  /** a store on this database, migrated, for sections that measure a module in-process */
  openStore(options?: { sqliteSynchronous?: 'FULL' | 'NORMAL' }): Promise<Store>;
  /** drops the PostgreSQL database (the data dir goes with the bench's other temporary dirs) */
  drop(): Promise<void>;
}

/** The server the bench makes its databases on. */
export function postgresServerUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** SQLite's durability setting for the run: FULL (an fsync per commit) unless RABTA_SQLITE_SYNCHRONOUS=NORMAL. */
export const sqliteSynchronous = (): 'FULL' | 'NORMAL' => (process.env.RABTA_SQLITE_SYNCHRONOUS === 'NORMAL' ? 'NORMAL' : 'FULL');

const INHERITED = ['DATABASE_URL', 'RABTA_KEYS_FILE', 'RABTA_PUBLIC_URL', 'RABTA_INSTANCE', 'RABTA_DATA_DIR', 'RABTA_SQLITE_SYNCHRONOUS'];

/** A fresh database of `kind` for one section, with its data dir (`rabta-bench-<label>-…` in the temp dir). */
export async function benchDatabase(kind: DatabaseKind, label: string): Promise<BenchDatabase> {
  removeStaleDataDirs();
  const dataDir = trackDir(mkdtempSync(join(tmpdir(), `rabta-bench-${label}-`)));
  writeFileSync(join(dataDir, 'bench.pid'), String(process.pid));
  const synchronous = sqliteSynchronous();
  let url: string | undefined;
  let durability = `sqlite WAL synchronous=${synchronous}`;
  let drop: () => Promise<void> = async () => undefined;
  const variables: Record<string, string> = { RABTA_DATA_DIR: dataDir };
  if (kind === 'postgres') {
    const database = await freshDatabase(postgresServerUrl());
    url = database.url;
    drop = database.drop;
    durability = `postgresql ${database.version.split(' ')[0]} synchronous_commit=${database.synchronousCommit}`;
    const keysFile = join(dataDir, 'keys.json');
    writeKeysFile(keysFile, await newKeysFile());
    Object.assign(variables, { DATABASE_URL: url, RABTA_KEYS_FILE: keysFile });
  } else {
    variables.RABTA_SQLITE_SYNCHRONOUS = synchronous;
  }
  return {
    kind,
    dataDir,
    url,
    durability,
    env(extra = {}) {
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const name of INHERITED) delete env[name];
      return { ...env, ...variables, ...extra };
    },
    async openStore(options = {}) {
      const store = openStore({ databaseUrl: url, dataDir, sqliteSynchronous: options.sqliteSynchronous ?? synchronous, migrations: MIGRATIONS });
      await store.migrate();
      return store;
    },
    drop,
  };
}

const PREFIX = 'rabta_bench_';

/**
 * A new database on the PostgreSQL server at `serverUrl`, named after this
 * bench's pid; first drops those a dead bench left (a running bench's, of
 * another shell, are left alone).
 */
export async function freshDatabase(serverUrl: string): Promise<{ url: string; version: string; synchronousCommit: string; drop(): Promise<void> }> {
  const name = `${PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  const { version, synchronousCommit } = await onServer(serverUrl, async (admin) => {
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${PREFIX}%`]);
    for (const { datname } of rows) {
      const pid = Number(/^rabta_bench_(\d+)_[0-9a-f]+$/.exec(datname)?.[1]);
      if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
    await admin.query(`CREATE DATABASE ${name}`);
    const setting = async (key: string) => (await admin.query<{ value: string }>(`SELECT current_setting($1) AS value`, [key])).rows[0]?.value ?? 'unknown';
    return { version: await setting('server_version'), synchronousCommit: await setting('synchronous_commit') };
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    version,
    synchronousCommit,
    drop: () => onServer(serverUrl, async (admin) => void (await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}

async function onServer<T>(serverUrl: string, fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 10_000 });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}
