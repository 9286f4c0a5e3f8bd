import type { ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { freeLocalPort, spawnChild, stopChild, waitUntil } from '../../src/cli/cluster-processes.js';

export interface Pgbouncer {
  port: number;
  /** the URL of `database` through PgBouncer */
  url(database: string): string;
  stop(): Promise<void>;
}

/**
 * A real PgBouncer in transaction-pooling mode in front of a PostgreSQL
 * server, on a free port, configured in a temp dir (trust auth). Started as
 * root it runs as the `postgres` user.
 */
export async function startPgbouncer(server: { host: string; port: number }, options: { poolSize?: number } = {}): Promise<Pgbouncer> {
  const dir = mkdtempSync(join(tmpdir(), 'rabta-pgbouncer-'));
  const port = await freeLocalPort();
  const asRoot = userInfo().uid === 0;
  writeFileSync(join(dir, 'userlist.txt'), '"postgres" ""\n');
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${server.host} port=${server.port}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${options.poolSize ?? 20}`,
      'max_client_conn = 1000',
      'ignore_startup_parameters = extra_float_digits,options',
      'server_reset_query =',
      '',
    ].join('\n'),
  );
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    for (const file of ['', 'userlist.txt', 'pgbouncer.ini']) chownSync(join(dir, file), uid, gid);
    chmodSync(dir, 0o755);
  }
  let output = '';
  // PgBouncer refuses to run as root. Its own `user =` switch would clear the death signal (the kernel
  // drops it on a change of credentials), so runuser switches first and setpriv sets it afterwards.
  const [command, args] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', '/usr/bin/setpriv', '--pdeathsig=KILL', '--', '/usr/sbin/pgbouncer', join(dir, 'pgbouncer.ini')]]
    : ['/usr/sbin/pgbouncer', [join(dir, 'pgbouncer.ini')]];
  const child: ChildProcess = spawnChild(command, args, { stdio: ['ignore', 'pipe', 'pipe'], deathSignal: 'KILL' });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  await waitUntil(
    'pgbouncer answers',
    async () => {
      const client = new pg.Client({ connectionString: url('postgres'), connectionTimeoutMillis: 1000 });
      try {
        await client.connect();
        await client.query('select 1');
        return true;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    { timeoutMs: 20_000, abort: () => (child.exitCode !== null ? `pgbouncer exited (${child.exitCode}): ${output}` : undefined) },
  );
  return {
    port,
    url,
    async stop() {
      await stopChild(child, 'SIGINT', 5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
