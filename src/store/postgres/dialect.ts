import { createHash } from 'node:crypto';
import pg from 'pg';
import { PostgresDialect } from 'kysely';
import type { StoreDialect } from '../dialect.js';

export interface PostgresOptions {
  url: string;
  poolSize?: number;
}

// int8 columns hold millisecond timestamps and counters, all below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Locks are session-level advisory locks, held on a dedicated pooled client. */
export function postgresDialect(options: PostgresOptions): StoreDialect {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
  // An idle client that loses its server must not crash the process.
  pool.on('error', () => undefined);
  return {
    name: 'postgres',
    binaryType: 'bytea',
    supportsSkipLocked: true,
    createKyselyDialect: () => new PostgresDialect({ pool }),
    async tryWithLock(name, fn) {
      const client = await pool.connect();
      try {
        const key = advisoryKey(name);
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [key]);
        if (!rows[0]?.ok) return undefined;
        try {
          return await fn();
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [key]);
        }
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

function advisoryKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}
