import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropDatabase, ensureDatabase } from './postgres/databases.js';

/**
 * Test support: every suite loops over the dialects that this run can reach
 * (as Kysely's own tests do), each case on a fresh database.
 */
export interface TestDatabase {
  dialect: 'sqlite' | 'postgres';
  /** set for PostgreSQL */
  databaseUrl: string | undefined;
  /** a fresh directory: the SQLite file and data live here */
  dataDir: string;
  drop(): Promise<void>;
}

export function testDialects(postgresUrl: string | null): Array<'sqlite' | 'postgres'> {
  return postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];
}

export async function freshDatabase(dialect: 'sqlite' | 'postgres', postgresUrl: string | null): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rabta-test-'));
  if (dialect === 'sqlite') {
    return { dialect, databaseUrl: undefined, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  if (!postgresUrl) throw new Error('no PostgreSQL server for this run');
  const name = `rabta_test_${randomBytes(6).toString('hex')}`;
  const databaseUrl = await ensureDatabase(postgresUrl, name);
  return {
    dialect,
    databaseUrl,
    dataDir,
    async drop() {
      rmSync(dataDir, { recursive: true, force: true });
      await dropDatabase(postgresUrl, name);
    },
  };
}
