import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from '../../src/storage/database.ts';
import { withSideWrites } from '../../src/storage/statement.ts';
import { freshDatabase } from '../helpers/database.ts';

describe('withSideWrites', () => {
  let db: Database;
  before(async () => {
    db = await freshDatabase();
    await db.query('CREATE TABLE main_rows (id int PRIMARY KEY, label text)');
    await db.query('CREATE TABLE side_rows (id int PRIMARY KEY, label text)');
  });
  after(async () => db?.close());

  it('renumbers the side writes\' parameters after the main ones', () => {
    const combined = withSideWrites({ text: 'INSERT INTO m VALUES ($1, $2) RETURNING id', params: [1, 'a'] }, [
      { text: 'INSERT INTO s VALUES ($1, $2)', params: [2, 'b'] },
      { text: 'INSERT INTO s VALUES ($1, $1)', params: [3] },
    ]);
    assert.equal(combined.text, 'WITH side_write_0 AS (INSERT INTO s VALUES ($3, $4)),\nside_write_1 AS (INSERT INTO s VALUES ($5, $5))\nINSERT INTO m VALUES ($1, $2) RETURNING id');
    assert.deepEqual(combined.params, [1, 'a', 2, 'b', 3]);
  });

  it('writes everything in one statement, and nothing when one part fails', async () => {
    const write = (id: number, sideId: number) => {
      const { text, params } = withSideWrites({ text: 'INSERT INTO main_rows VALUES ($1, $2) RETURNING id', params: [id, 'main'] }, [
        { text: 'INSERT INTO side_rows VALUES ($1, $2)', params: [sideId, 'side'] },
      ]);
      return db.query<{ id: number }>(text, params);
    };
    assert.deepEqual(await write(1, 10), [{ id: 1 }]);
    assert.equal((await db.query('SELECT * FROM side_rows WHERE id = 10')).length, 1);
    await assert.rejects(write(2, 10), 'the side write collides');
    assert.equal((await db.query('SELECT * FROM main_rows WHERE id = 2')).length, 0, 'so the main write did not happen either');
  });
});
