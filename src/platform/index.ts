import { join } from 'node:path';
import type { Config } from '../config/index.js';
import { loadOrCreateKeyring } from '../keyring/index.js';
import type { Keyring } from '../keyring/index.js';
import { journalMigrations, journalRecorder } from '../ledger/journal.js';
import { createRegistry, registryMigrations } from '../registry/index.js';
import type { Registry } from '../registry/index.js';
import { openStore } from '../store/index.js';
import type { ModuleMigrations, Store } from '../store/index.js';
import { exchangeMigrations } from '../exchange/migrations.js';
import type { WellKnownKey } from '../http/well-known.js';
import { createEgress, egressPolicy } from '../egress/index.js';
import type { Egress } from '../egress/index.js';

/** Every module's migrations, in the order the modules depend on each other. */
export const MIGRATIONS: ModuleMigrations[] = [registryMigrations, journalMigrations, exchangeMigrations];

/**
 * The composition root: builds each module with the capabilities it needs.
 * Nothing else wires modules together.
 */
export interface Platform {
  config: Config;
  store: Store;
  keyring: Keyring;
  registry: Registry;
  egress: Egress;
  now: () => number;
  /** public keys other modules publish in /.well-known/rabta.json (log and witness vkeys) */
  publicKeys?: () => WellKnownKey[];
  close(): Promise<void>;
}

export interface PlatformOptions {
  keyring?: Keyring;
  now?: () => number;
  migrate?: boolean;
}

export async function createPlatform(config: Config, options: PlatformOptions = {}): Promise<Platform> {
  const keyring =
    options.keyring ??
    (await loadOrCreateKeyring(config.keysFile ?? join(config.dataDir, 'keys.json'), { create: config.keysFile === undefined }));
  const store = openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    sqliteSynchronous: config.sqliteSynchronous,
    migrations: MIGRATIONS,
  });
  if (options.migrate !== false) await store.migrate();
  const now = options.now ?? Date.now;
  const registry = createRegistry({ db: store.db, recorder: journalRecorder, instance: config.instance, now }, { defaultBodyLimit: config.bodyLimitDefault });
  const egress = createEgress(egressPolicy(config.egressAllow), { timeoutMs: config.upstreamTimeoutMs });
  return {
    config,
    store,
    keyring,
    registry,
    egress,
    now,
    async close() {
      await egress.close();
      await store.close();
    },
  };
}
