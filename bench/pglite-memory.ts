import { PGlite } from '@electric-sql/pglite';

// Measures the resident memory of an embedded PGlite opened with the options in argv[2]
// (JSON), after a small workload: used to pick the settings Frontdoor opens it with.
const options = JSON.parse(process.argv[2] ?? '{}');
const rss = () => Math.round(process.memoryUsage().rss / 2 ** 20);
const before = rss();
const db = await PGlite.create(options);
await db.query('CREATE TABLE IF NOT EXISTS t (id serial primary key, v text)');
for (let i = 0; i < 2000; i++) await db.query('INSERT INTO t (v) VALUES ($1)', [`value ${i}`.repeat(10)]);
await db.query('SELECT count(*) FROM t');
process.stdout.write(JSON.stringify({ options, rssBeforeMB: before, rssAfterMB: rss() }) + '\n');
await db.close();
