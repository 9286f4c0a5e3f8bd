import { Migrator } from 'kysely';
import type { Kysely, Migration, MigrationResultSet } from 'kysely';
import type { StoreDialect } from './dialect.js';

/** What a migration may need to know about the database it runs on. */
export interface MigrationContext {
  binaryType: StoreDialect['binaryType'];
  /** `.$call(ctx.autoIncrementKey('id'))` on a table being created */
  autoIncrementKey: StoreDialect['autoIncrementKey'];
  columnsOf: StoreDialect['columnsOf'];
  /** the instance's subject secret, for a migration that turns values kept in clear into keyed hashes */
  subjectSecret?: Buffer | undefined;
}

/**
 * Each module owns its tables and ships its migrations; names start with a
 * sortable number so modules interleave in the order they were written.
 */
export type ModuleMigrations = (context: MigrationContext) => Record<string, Migration>;

export async function migrateToLatest(
  // Kysely<any> is what the Migrator itself takes: migrations predate the schema type.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  dialect: StoreDialect,
  modules: ModuleMigrations[],
  keys: { subjectSecret?: Buffer | undefined } = {},
): Promise<string[]> {
  const context: MigrationContext = { binaryType: dialect.binaryType, autoIncrementKey: dialect.autoIncrementKey, columnsOf: dialect.columnsOf, subjectSecret: keys.subjectSecret };
  const all: Record<string, Migration> = {};
  for (const module of modules) {
    for (const [name, migration] of Object.entries(module(context))) {
      if (name in all) throw new Error(`two migrations are named ${name}`);
      all[name] = migration;
    }
  }
  // Modules number their migrations independently (cases' 0012 and citizens' 0012 came from two branches), so a
  // database may meet a migration named before one it already ran: run it rather than call the history corrupt.
  const migrator = new Migrator({ db, provider: { getMigrations: async () => all }, allowUnorderedMigrations: true });
  const { error, results }: MigrationResultSet = await dialect.withMigrationLock(() => migrator.migrateToLatest());
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
