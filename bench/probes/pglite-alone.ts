// The floor of the memory goal (issue 20, part 5): the resident memory of Node with PGlite open
// and nothing else, at Frontdoor's settings (src/storage/pglite-worker.ts), on a database an
// earlier run created. `node bench/probes/pglite-alone.ts DIR` (run it twice: the first run
// creates the database, which costs 300-400 MB more; the figure is the second's).
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { readFileSync } from 'node:fs';

const rss = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024);
const dir = process.argv[2];
if (!dir) throw new Error('usage: node bench/probes/pglite-alone.ts DIR');
const before = rss();
const db = await PGlite.create(dir, { extensions: { pg_trgm }, postgresqlconf: ['shared_buffers = 16MB', 'maintenance_work_mem = 16MB'] });
await db.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
await db.query('SELECT count(*) FROM pg_class');
await new Promise((resolve) => setTimeout(resolve, 2000));
console.log(JSON.stringify({ nodeAloneMb: before, withPgliteOpenMb: rss() }));
await db.close();
