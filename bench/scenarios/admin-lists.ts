import { mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCursor } from '../../src/core/list-cursor.ts';
import { pruneExpired } from '../../src/core/retention.ts';
import { openDatabase, type Database } from '../../src/storage/database.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { createApiKey } from '../lib/admin.ts';
import { startFrontdoor } from '../lib/processes.ts';
import type { Row } from '../lib/report.ts';
import { createScratchDatabase } from '../lib/scratch-database.ts';
import { RARE_ACTION, seedScale, type ScaleSizes } from '../lib/seed-scale.ts';
import { quantile, timedRequest } from '../lib/timed-request.ts';

// The admin API at scale (issue 20): each list, search and filter timed over HTTP (the
// microsecond driver, one request at a time) on a database of about 1,000 people and on one of
// the full size, seeded through SQL (bench/lib/seed-scale.ts). BENCH_SCALE sets the full size
// as a fraction of 1,000,000 people, 1,000,000 sessions, 1,000,000 SSO traces and 10,000,000
// audit events: 0.1 by default on PostgreSQL, 0.02 on PGlite (which is one process's memory),
// BENCH_SCALE=1 for the whole million. Goal at full size: p50 under 50 ms, p99 under 200 ms,
// p50 within 2x of the 1k figure. Then retention: a tenth of the audit events and SSO traces
// made old, and pruned in batches, timed per batch (the longest is how long a batch holds its locks).

const REQUESTS = Number(process.env.BENCH_LIST_REQUESTS ?? 40);
const SMALL: ScaleSizes = { people: 1_000, sessions: 1_000, traces: 1_000, audit: 10_000 };

function fullSizes(kind: 'pglite' | 'postgres'): ScaleSizes {
  const scale = Number(process.env.BENCH_SCALE ?? (kind === 'postgres' ? 0.1 : 0.02));
  const of = (n: number) => Math.max(1_000, Math.round(n * scale));
  return { people: of(1_000_000), sessions: of(1_000_000), traces: of(1_000_000), audit: of(10_000_000) };
}

type Case = { name: string; path: string };

async function casesFor(db: Database, sizes: ScaleSizes): Promise<Case[]> {
  const ts = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  const [deep] = await db.query<{ at: string; id: string }>(
    `SELECT ${ts('created_at')} AS at, id::text FROM people WHERE audience = 'users' ORDER BY created_at, id OFFSET $1 LIMIT 1`,
    [Math.floor(sizes.people * 0.9)],
  );
  const [session] = await db.query<{ person_id: string }>('SELECT person_id FROM sessions WHERE revoked_at IS NULL ORDER BY created_at DESC LIMIT 1');
  const [target] = await db.query<{ target_id: string }>("SELECT target_id FROM audit_events WHERE target_id IS NOT NULL ORDER BY id DESC LIMIT 1");
  const [oldest] = await db.query<{ id: string }>('SELECT (min(id) + 100)::text AS id FROM audit_events');
  const rareEmail = `person${Math.floor(sizes.people * 0.7) + 1}@`;
  return [
    { name: 'users, first page', path: '/api/v1/users' },
    { name: 'users, a page 90% in', path: `/api/v1/users?after=${deep ? encodeCursor([deep.at, deep.id]) : ''}` },
    { name: 'agents, first page', path: '/api/v1/agents' },
    { name: 'users, search a rare email', path: `/api/v1/users?query=${encodeURIComponent(rareEmail)}` },
    { name: 'users, search a common string', path: '/api/v1/users?query=example.com' },
    { name: 'users, search a surname', path: '/api/v1/users?query=Tanaka' },
    { name: 'sessions, live, newest', path: '/api/v1/sessions' },
    { name: 'sessions of one person', path: `/api/v1/sessions?personId=${session!.person_id}` },
    { name: 'SSO traces, newest', path: '/api/v1/sso-traces' },
    { name: 'SSO traces, failures', path: '/api/v1/sso-traces?outcome=failure' },
    { name: 'audit, newest', path: '/api/v1/audit' },
    { name: 'audit, oldest page', path: `/api/v1/audit?before=${oldest!.id}` },
    { name: 'audit, by actor', path: `/api/v1/audit?actorId=${target!.target_id}` },
    { name: 'audit, by target', path: `/api/v1/audit?targetId=${target!.target_id}` },
    { name: 'audit, a rare action', path: `/api/v1/audit?action=${RARE_ACTION}` },
    { name: 'audit, a rare prefix', path: '/api/v1/audit?action=breakglass.*' },
    { name: 'audit, a common prefix', path: '/api/v1/audit?action=signin.*' },
    { name: 'audit, failures of users', path: '/api/v1/audit?outcome=failure&audience=users' },
  ];
}

type Timing = { p50Ms: number; p99Ms: number };

/** Seeds a database of `sizes`, serves it, times every case; then prunes a tenth of it. */
async function measureAt(kind: 'pglite' | 'postgres', serverUrl: string | undefined, sizes: ScaleSizes, prune: boolean) {
  const dataDir = kind === 'pglite' ? await mkdtemp(join(tmpdir(), 'frontdoor-bench-lists-')) : undefined;
  const scratch = kind === 'postgres' ? await createScratchDatabase(serverUrl!) : undefined;
  const env: Record<string, string> = scratch ? { DATABASE_URL: scratch.url } : { FRONTDOOR_DATA_DIR: dataDir! };
  const open = () => (scratch ? openDatabase({ kind: 'postgres', url: scratch.url }) : openDatabase({ kind: 'pglite', dataDir: join(dataDir!, 'pglite') }));
  try {
    const seedStarted = performance.now();
    let db = await open();
    await migrate(db);
    await seedScale(db, sizes);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const cases = await casesFor(db, sizes);
    await db.close();
    const key = await createApiKey(env);
    const frontdoor = await startFrontdoor({ ...env, AUDIT_RETENTION_DAYS: '0', SSO_TRACE_RETENTION_DAYS: '0' });
    const timings = new Map<string, Timing>();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const headers = { authorization: `Bearer ${key}` };
    try {
      // Every case a few times first: the server's code compiled, its statements prepared.
      for (let i = 0; i < 5; i++) for (const c of cases) await timedRequest(agent, `${frontdoor.url}${c.path}`, headers, 200);
      for (const c of cases) {
        const url = `${frontdoor.url}${c.path}`;
        const ms: number[] = [];
        for (let i = 0; i < REQUESTS; i++) {
          const { ms: took, ok } = await timedRequest(agent, url, headers, 200);
          if (!ok) throw new Error(`${c.name}: ${c.path} did not answer 200`);
          ms.push(took);
        }
        ms.sort((a, b) => a - b);
        timings.set(c.name, { p50Ms: quantile(ms, 0.5), p99Ms: quantile(ms, 0.99) });
      }
    } finally {
      agent.destroy();
      await frontdoor.stop();
    }
    let pruning: { rows: number; seconds: number; batches: number; longestBatchMs: number } | undefined;
    if (prune) {
      // A tenth of each table made 400 days old, then pruned at the defaults (365 and 30 days).
      db = await open();
      await db.query(`UPDATE audit_events SET at = now() - interval '400 days' WHERE id <= (SELECT min(id) + $1 FROM audit_events)`, [Math.floor(sizes.audit / 10)]);
      await db.query(`UPDATE sso_traces SET started_at = now() - interval '400 days' WHERE id IN (SELECT id FROM sso_traces ORDER BY started_at LIMIT $1)`, [Math.floor(sizes.traces / 10)]);
      await db.query('ANALYZE audit_events');
      await db.query('ANALYZE sso_traces');
      let longest = 0;
      const started = performance.now();
      const report = await pruneExpired(db, { auditDays: 365, traceDays: 30 }, new Date(), (_kind, _rows, ms) => {
        longest = Math.max(longest, ms);
      });
      pruning = { rows: report.audit + report.traces, seconds: (performance.now() - started) / 1000, batches: report.batches, longestBatchMs: longest };
      await db.close();
    }
    return { timings, seedSeconds, pruning };
  } finally {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    await scratch?.drop();
  }
}

export async function adminLists(kind: 'pglite' | 'postgres', serverUrl?: string): Promise<Row[]> {
  const full = fullSizes(kind);
  const small = await measureAt(kind, serverUrl, SMALL, false);
  const big = await measureAt(kind, serverUrl, full, true);
  const size = `${full.people.toLocaleString('en')} people, ${full.sessions.toLocaleString('en')} sessions, ${full.audit.toLocaleString('en')} audit events`;
  const rows: Row[] = [{ scenario: `admin lists: seeding ${size} through SQL`, figure: 'time', value: big.seedSeconds, unit: 's' }];
  for (const [name, at] of big.timings) {
    const base = small.timings.get(name)!;
    const ratio = at.p50Ms / base.p50Ms;
    rows.push({
      scenario: `admin list: ${name}`, figure: 'p50 / p99 latency at full size', value: at.p50Ms, unit: `ms / ${at.p99Ms.toFixed(1)} ms`,
      floor: { name: 'p50 at 1k people', value: base.p50Ms }, ratio, goal: 'p50 < 50 ms, p99 < 200 ms, ≤ 2× 1k',
      met: at.p50Ms < 50 && at.p99Ms < 200 && ratio <= 2,
    });
  }
  if (big.pruning) {
    rows.push({ scenario: `retention: pruning a tenth of the audit events and SSO traces (${big.pruning.rows.toLocaleString('en')} rows, ${big.pruning.batches} batches)`, figure: 'rows/s', value: big.pruning.rows / big.pruning.seconds, unit: '/s' });
    rows.push({ scenario: 'retention: one batch of 5,000 rows (how long its locks are held)', figure: 'longest batch', value: big.pruning.longestBatchMs, unit: 'ms', goal: '< 1 s', met: big.pruning.longestBatchMs < 1000 });
  }
  return rows;
}
