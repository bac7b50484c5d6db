import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabase, type Database } from '../../src/storage/database.ts';

// The embedded database's thread runs with a small young generation and a 256 MB old
// generation ceiling (src/storage/database.ts: what it keeps is ~14 MB; the limits make V8
// collect each query's garbage instead of keeping it resident). The ceiling must be a ceiling,
// not a budget: a result far larger than any list the code asks for, and many queries in a
// row, still come back whole, and the thread keeps answering afterwards.
describe('embedded database thread under its heap limits', () => {
  let db: Database;
  before(async () => {
    db = await openDatabase({ kind: 'pglite' });
  });
  after(async () => {
    await db.close();
  });

  it('returns 200,000 rows of 200 bytes in one result', async () => {
    const rows = await db.query<{ n: number; pad: string }>(`SELECT n, repeat('x', 200) AS pad FROM generate_series(1, 200000) AS n`);
    assert.equal(rows.length, 200_000);
    assert.equal(rows[199_999]!.n, 200_000);
    assert.equal(rows[0]!.pad.length, 200);
  });

  it('keeps answering through 20,000 queries, each leaving its garbage behind', async () => {
    let sum = 0;
    for (let i = 0; i < 20_000; i++) {
      const [row] = await db.query<{ v: number; text: string }>('SELECT $1::int AS v, repeat($2, 50) AS text', [i, 'abcdefgh']);
      sum += row!.v;
      assert.equal(row!.text.length, 400);
    }
    assert.equal(sum, (20_000 * 19_999) / 2);
    const [alive] = await db.query<{ ok: number }>('SELECT 1 AS ok');
    assert.equal(alive!.ok, 1);
  });
});
