import { resolve } from 'node:path';
import type { Config } from '../config.ts';
import { openDatabase, type Database } from './database.ts';
import { lockDataDirectory } from './data-dir-lock.ts';

/** Where the embedded database, its lock file and the server's control socket live. */
export function embeddedDataDir(config: Config): string {
  return resolve(config.dataDir);
}

/**
 * The database the configuration names: a PostgreSQL server if DATABASE_URL is set, else
 * embedded PGlite. The embedded one is locked for this process first (data-dir-lock.ts):
 * a second process is refused with DataDirectoryInUse before a byte of it is read or
 * migrated; closing the database releases the lock.
 */
export async function openConfiguredDatabase(config: Config, purpose = 'frontdoor'): Promise<Database> {
  if (config.databaseUrl) return openDatabase({ kind: 'postgres', url: config.databaseUrl });
  const dataDir = embeddedDataDir(config);
  const lock = lockDataDirectory(dataDir, purpose);
  let db: Database;
  try {
    db = await openDatabase({ kind: 'pglite', dataDir: resolve(dataDir, 'pglite') });
  } catch (error) {
    lock.release();
    throw error;
  }
  return {
    ...db,
    kind: db.kind,
    query: db.query.bind(db),
    transaction: db.transaction.bind(db),
    async close() {
      try {
        await db.close();
      } finally {
        lock.release();
      }
    },
  };
}
