import pg from 'pg';
import type { TestProject } from 'vitest/node';

/**
 * Decides once per run whether the PostgreSQL cases run. Without a server they
 * are reported as NOT RUN (fine on a laptop); under CI a missing server fails.
 */
export const POSTGRES_URL = process.env.RABTA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | null;
  }
}

let available = false;

export default async function setup(project: TestProject) {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    available = true;
  } catch (error) {
    if (process.env.CI === 'true') {
      throw new Error(`CI=true but PostgreSQL is not reachable at ${POSTGRES_URL}: ${(error as Error).message}`);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  project.provide('postgresUrl', available ? POSTGRES_URL : null);
  return () => {
    if (!available) {
      console.log(`\nPostgreSQL cases: NOT RUN (no server at ${POSTGRES_URL}; they run under CI)\n`);
    } else {
      console.log('\nPostgreSQL cases: run against the real server\n');
    }
  };
}
