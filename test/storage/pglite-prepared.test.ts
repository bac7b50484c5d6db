import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { PLAN_WITH_VALUES } from '../../src/storage/plan-hints.ts';
import { PreparedStatements } from '../../src/storage/pglite-prepared.ts';

// The embedded database's queries run as named prepared statements (planned once). What must
// hold: the rows are exactly what PGlite's own query gives, for every type we store; errors
// keep their SQLSTATE and leave the connection usable; a table changed under a prepared
// `SELECT *` is prepared again; past the cap, texts go the unprepared way.
describe('PreparedStatements (PGlite)', () => {
  let db: PGlite;
  let prepared: PreparedStatements;
  const run = (text: string, params: unknown[] = []) => prepared.query(text, params, { inTransaction: false, unprepared: () => db.query(text, params) });

  before(async () => {
    db = await PGlite.create();
    prepared = new PreparedStatements(db);
    await db.exec(`CREATE TABLE things (id int PRIMARY KEY, name text, at timestamptz, raw bytea, doc json, tags text[], big bigint, ok boolean, ids uuid[]);`);
  });
  after(async () => {
    await db.close();
  });

  it('gives the same rows as PGlite\'s query, for every type we store', async () => {
    const insert = 'INSERT INTO things VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *';
    const values = [1, 'Ada', new Date('2026-11-30T12:00:00.123Z'), new Uint8Array([0, 1, 254, 255]), { nested: [1, 'two'] }, ['a', 'b c'], 9007199254740991, true, ['6f1a3a4e-2b1c-4c1a-9d1e-0a1b2c3d4e5f']];
    const inserted = await run(insert, values);
    assert.equal(inserted.length, 1);
    const select = 'SELECT *, id * 2 AS twice, NULL::text AS nothing FROM things WHERE id = $1';
    assert.deepEqual(await run(select, [1]), (await db.query(select, [1])).rows);
    assert.deepEqual(await run(select, [1]), (await db.query(select, [1])).rows, 'the second run, from the prepared statement');
    assert.deepEqual(await run(select, [2]), []);
    assert.deepEqual(await run('SELECT $1::text IS NULL AS missing', [null]), [{ missing: true }]);
  });

  it('keeps SQLSTATE and constraint of an error, and answers the next query', async () => {
    await assert.rejects(run('INSERT INTO things (id, name) VALUES ($1, $2)', [1, 'again']), (error: { code?: string; constraint?: string }) => {
      assert.equal(error.code, '23505');
      assert.equal(error.constraint, 'things_pkey');
      return true;
    });
    await assert.rejects(run('SELECT nope FROM things'), (error: { code?: string }) => error.code === '42703');
    assert.deepEqual(await run('SELECT count(*)::int AS n FROM things'), [{ n: 1 }]);
  });

  it('prepares again a SELECT * whose table changed since', async () => {
    const select = 'SELECT * FROM things WHERE id = $1';
    assert.equal(Object.keys((await run(select, [1]))[0]!).includes('extra'), false);
    await db.exec('ALTER TABLE things ADD COLUMN extra text DEFAULT \'x\'');
    assert.equal(prepared.reprepared, 0);
    assert.equal(((await run(select, [1]))[0] as { extra?: string }).extra, 'x');
    assert.equal(prepared.reprepared, 1, 'PostgreSQL refused the old plan (0A000), and the statement was prepared again');
  });

  it('runs inside a transaction, whose rollback undoes its writes', async () => {
    await db.transaction(async (tx) => {
      const inTx = (text: string, params: unknown[]) => prepared.query(text, params, { inTransaction: true, unprepared: () => tx.query(text, params) });
      await inTx('INSERT INTO things (id, name) VALUES ($1, $2)', [5, 'Tx']);
      assert.deepEqual(await inTx('SELECT name FROM things WHERE id = $1', [5]), [{ name: 'Tx' }]);
      await tx.rollback();
    });
    assert.deepEqual(await run('SELECT name FROM things WHERE id = $1', [5]), []);
  });

  it('past its cap, runs new texts unprepared', async () => {
    const capped = new PreparedStatements(db, { maxPrepared: 1 });
    let unprepared = 0;
    const query = (text: string) => capped.query(text, [], { inTransaction: false, unprepared: () => ((unprepared += 1), db.query(text)) });
    assert.deepEqual(await query('SELECT 1 AS one'), [{ one: 1 }]);
    assert.deepEqual(await query('SELECT 2 AS two'), [{ two: 2 }]);
    assert.deepEqual(await query('SELECT 1 AS one'), [{ one: 1 }]);
    assert.equal(capped.size, 1);
    assert.equal(unprepared, 1);
  });

  it('plans a text marked PLAN_WITH_VALUES each time with its values, never prepared', async () => {
    const fresh = new PreparedStatements(db);
    let unprepared = 0;
    const text = `${PLAN_WITH_VALUES}SELECT $1::int + 1 AS n`;
    for (let i = 0; i < 7; i++) {
      const rows = await fresh.query(text, [i], { inTransaction: false, unprepared: () => ((unprepared += 1), db.query(text, [i])) });
      assert.deepEqual(rows, [{ n: i + 1 }]);
    }
    assert.equal(fresh.size, 0);
    assert.equal(unprepared, 7);
  });
});
