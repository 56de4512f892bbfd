// The explicit, ordered list of migrations (a directory scan breaks once code is bundled).
import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './20261127_001_initial.js';

export const migrations: Record<string, Migration> = {
  '20261127_001_initial': m001,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
