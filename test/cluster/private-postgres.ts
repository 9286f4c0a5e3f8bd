import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freeLocalPort, waitUntil } from '../../src/cli/cluster-processes.js';

const BIN = process.env.RABTA_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PrivatePostgres {
  port: number;
  url(database?: string): string;
  /** stops the server (fast: open connections are cut, as when a server goes down) */
  stop(): void;
  start(): Promise<void>;
  destroy(): void;
}

/**
 * A PostgreSQL server of our own for a test that stops and starts it: the
 * shared one at 5432 serves every other suite. initdb refuses to run as root,
 * so as root it runs as `postgres`, in a temp dir that user owns.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'rabta-pg-'));
  const dataDir = join(dir, 'data');
  const port = await freeLocalPort();
  const asRoot = userInfo().uid === 0;
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  const run = (tool: string, args: string[]) => {
    const command = asRoot ? ['runuser', ['-u', 'postgres', '--', join(BIN, tool), ...args]] as const : [join(BIN, tool), args] as const;
    return execFileSync(command[0], [...command[1]], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir }).toString();
  };
  run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c shared_buffers=32MB`;
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const answers = async () => {
    const client = new pg.Client({ connectionString: url(), connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const start = async () => {
    run('pg_ctl', ['-D', dataDir, '-l', join(dir, 'log'), '-o', options, '-w', 'start']);
    await waitUntil('the private PostgreSQL answers', answers, { timeoutMs: 30_000 });
  };
  await start();
  return {
    port,
    url,
    stop: () => void run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']),
    start,
    destroy() {
      try {
        run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
