// Counts the database queries and the CPU time of one returning JWT sign-in and one password
// sign-in, in process (Fastify inject, no sockets): the figures that say where time goes.
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { buildServer } from '../../src/http/server.ts';
import { createServices } from '../../src/core/services.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase, type Database } from '../../src/storage/database.ts';
import { migrate } from '../../src/storage/migrate.ts';

const url = process.env.DATABASE_URL;
const raw = await openDatabase(url ? { kind: 'postgres', url } : { kind: 'pglite' });
await migrate(raw);
const log: string[] = [];
let counting = false;
const spent = new Map<string, { n: number; ms: number }>();
const wrap = (q: { query: Database['query'] }) => ({
  query: async (text: string, params?: readonly unknown[]) => {
    const key = text.replace(/\s+/g, ' ').slice(0, 90);
    if (counting) log.push(key);
    const t = performance.now();
    try { return await q.query(text, params) as any; } finally {
      const entry = spent.get(key) ?? { n: 0, ms: 0 }; entry.n++; entry.ms += performance.now() - t; spent.set(key, entry);
    }
  },
});
const db: Database = {
  ...raw, kind: raw.kind, close: () => raw.close(), ...wrap(raw),
  transaction: (work) => raw.transaction((tx) => { if (counting) log.push('-- BEGIN'); return work(wrap(tx) as any); }),
} as Database;
const services = await createServices(db, loadConfig({ PUBLIC_URL: 'http://localhost:8080', LOG_LEVEL: 'silent' }));
const app = await buildServer(services, { logger: false });
const secret = 'x'.repeat(48);
await services.apps.create({ audience: 'users', type: 'jwt', slug: 'probe', config: { remoteLoginUrl: 'https://example.com/sso', sharedSecret: secret } } as any, { type: 'system' } as any);
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = (person: number) => {
  const header = b64({ alg: 'HS256', typ: 'JWT' });
  const payload = b64({ iat: Math.floor(Date.now() / 1000), jti: randomUUID(), email: `p${person}@example.com`, name: `P ${person}`, external_id: `p${person}` });
  return `${header}.${payload}.${createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url')}`;
};
const jwtSignIn = async (person: number) => {
  const r = await app.inject({ method: 'POST', url: '/sso/probe/jwt', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `jwt=${token(person)}` });
  if (r.statusCode !== 303) throw new Error(`${r.statusCode} ${r.body.slice(0, 300)}`);
};
for (let i = 0; i < 50; i++) await jwtSignIn(i);
counting = true;
await jwtSignIn(1);
counting = false;
console.log(`JWT returning sign-in: ${log.length} queries`);
for (const line of log) console.log('  ', line);
const N = Number(process.env.N ?? 400);
spent.clear();
// On PostgreSQL, the CPU of the server processes serving this database too (their /proc
// figures, in clock ticks of 10 ms): a sign-in's cost is both sides'.
const backendCpuMs = async () => {
  if (!url) return 0;
  const pids = await raw.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
  let ticks = 0;
  for (const { pid } of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch { /* ended */ }
  }
  return ticks * 10;
};
const backendBefore = await backendCpuMs();
const before = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < N; i++) await jwtSignIn(i % 50);
const cpu = process.cpuUsage(before);
const backend = (await backendCpuMs()) - backendBefore;
console.log(`JWT: ${(((cpu.user + cpu.system) / 1000) / N).toFixed(3)} ms CPU per sign-in${url ? ` (+ ${(backend / N).toFixed(3)} ms of PostgreSQL's)` : ''}, ${((performance.now() - t0) / N).toFixed(3)} ms wall`);
if (url) {
  // The issue's floor, in process: one INSERT of a row per "request" on the same database,
  // through the same pool, counted the same way (this process's CPU and the backends').
  await raw.query('CREATE TABLE IF NOT EXISTS probe_floor (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), body text)');
  const floorBackend = await backendCpuMs();
  const floorBefore = process.cpuUsage();
  for (let i = 0; i < N; i++) await raw.query('INSERT INTO probe_floor (body) VALUES ($1)', [`request ${i}`]);
  const floorCpu = process.cpuUsage(floorBefore);
  const floorDb = (await backendCpuMs()) - floorBackend;
  const floorMs = ((floorCpu.user + floorCpu.system) / 1000 + floorDb) / N;
  const jwtMs = ((cpu.user + cpu.system) / 1000 + backend) / N;
  console.log(`bare INSERT of a row: ${((floorCpu.user + floorCpu.system) / 1000 / N).toFixed(3)} ms CPU (+ ${(floorDb / N).toFixed(3)} ms of PostgreSQL's); JWT sign-in per CPU-second of both sides, as a fraction of it: ${(floorMs / jwtMs).toFixed(2)}`);
}
for (const [key, { n, ms }] of [...spent].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) console.log(`${((ms / n) * 1000).toFixed(0).padStart(6)} µs × ${n}  ${key}`);
// A returning password sign-in (the core call; the form's CSRF check is no query).
await services.registration.register({ name: 'Probe', email: 'probe@example.com', password: 'correct horse battery staple', ip: '127.0.0.1' } as any);
const passwordSignIn = () => services.passwordSignIn.signIn({ audience: 'users', email: 'probe@example.com', password: 'correct horse battery staple', ip: '127.0.0.1' });
await passwordSignIn();
log.length = 0;
counting = true;
await passwordSignIn();
counting = false;
console.log(`password returning sign-in: ${log.length} queries`);
for (const line of log) console.log('  ', line);
if (process.env.EXPLAIN) {
  const [identity] = await raw.query<{ app_id: string; subject: string }>('SELECT app_id, subject FROM identities LIMIT 1');
  const people = services.people as any;
  void people;
  const plan = await raw.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, TIMING ON) ${process.env.EXPLAIN}`, [identity!.app_id, identity!.subject, 'p1@example.com', 'iss']);
  for (const row of plan) console.log(row['QUERY PLAN']);
}
await app.close();
await raw.close();
