// How V8's WebAssembly compilers change PGlite's memory and CPU (issue 20, part 5; the choice is
// src/storage/database.ts, compileWebAssemblyWithBaselineOnly): PGlite on this thread, opened,
// then ITER (default 3,000) INSERTs and SELECTs by an index. `SET_FLAGS=--liftoff-only node
// bench/probes/pglite-flags-probe.ts DIR` against the same without SET_FLAGS, alternated, on a
// database an earlier run made; prints the CPU of the open and of the queries, and VmRSS after.
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
if (process.env.SET_FLAGS) v8.setFlagsFromString(process.env.SET_FLAGS);
const rss = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const c0 = cpu();
const db = await PGlite.create(process.argv[2]!, { extensions: { pg_trgm }, postgresqlconf: ['shared_buffers = 16MB', 'maintenance_work_mem = 16MB'] });
await db.query('SELECT count(*) FROM pg_class');
const open = cpu() - c0;
await db.query('CREATE TABLE IF NOT EXISTS t (id serial primary key, v text, at timestamptz default now())');
await db.query('CREATE INDEX IF NOT EXISTS t_v ON t (v)');
const c1 = cpu();
for (let i = 0; i < Number(process.env.ITER ?? 3000); i++) {
  await db.query('INSERT INTO t (v) VALUES ($1)', [`v${i}`]);
  await db.query('SELECT * FROM t WHERE v = $1', [`v${i}`]);
}
const work = cpu() - c1;
await new Promise((r) => setTimeout(r, 1500));
console.log(JSON.stringify({ flags: process.execArgv.join(' ') + (process.env.SET_FLAGS ?? ''), openCpuMs: Math.round(open), workCpuMs: Math.round(work), rssMb: rss() }));
await db.query('DELETE FROM t');
await db.close();
