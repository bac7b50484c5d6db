import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, quoteIdentifier, type Database } from '../../src/storage/database.ts';
import { migrate } from '../../src/storage/migrate.ts';

/**
 * A migrated, empty database of its own for one test file: in-memory PGlite by default, or
 * a fresh schema on the PostgreSQL server named by DATABASE_URL (how .ci/run runs the suite
 * a second time). Closing it drops the schema.
 */
export async function freshDatabase(): Promise<Database> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const db = await openDatabase({ kind: 'pglite' });
    await migrate(db);
    return db;
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
  await admin.end();
  const db = await openDatabase({ kind: 'postgres', url, schema, maxConnections: 20 });
  await migrate(db);
  const close = db.close.bind(db);
  return Object.assign(db, {
    async close() {
      await close();
      const dropper = new pg.Client({ connectionString: url });
      await dropper.connect();
      await dropper.query(`DROP SCHEMA ${quoteIdentifier(schema)} CASCADE`);
      await dropper.end();
    },
  });
}
