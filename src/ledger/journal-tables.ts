import type { Generated } from 'kysely';

export interface RegistryChangeRow {
  seq: Generated<number>;
  at: number;
  actor: string;
  action: string;
  target: string;
  details: string;
}

export interface JournalTables {
  registry_changes: RegistryChangeRow;
}
