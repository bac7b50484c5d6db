import { resolve } from 'node:path';
import type { Config } from '../config.ts';
import { openDatabase, type Database } from './database.ts';

/** The database the configuration names: a PostgreSQL server if DATABASE_URL is set, else embedded PGlite. */
export function openConfiguredDatabase(config: Config): Promise<Database> {
  return config.databaseUrl
    ? openDatabase({ kind: 'postgres', url: config.databaseUrl })
    : openDatabase({ kind: 'pglite', dataDir: resolve(config.dataDir, 'pglite') });
}
