import type { Database, Queryable } from '../storage/database.ts';
import { startRepeatingJob } from './repeating-job.ts';

// Audit events and SSO traces grow with every sign-in; kept forever, a busy helpdesk has tens
// of millions of rows that no list shows and every backup copies. Rows older than the
// configured age are deleted in small batches, each its own short transaction: a DELETE takes
// row locks only (sign-ins keep inserting beside it), and a batch of a few thousand rows holds
// them for milliseconds, where one DELETE of millions would hold them, and bloat the WAL, for
// minutes. Every node runs it; a transaction-scoped advisory lock lets one at a time prune,
// the others find the lock taken and leave the work to it.

export type RetentionPolicy = {
  /** Audit events older than this many days are deleted; 0 keeps them forever. */
  auditDays: number;
  /** SSO traces older than this many days are deleted; 0 keeps them forever. */
  traceDays: number;
  /** Rows per DELETE (default 5,000). */
  batchSize?: number;
};

export type PruneReport = { audit: number; traces: number; batches: number; skipped: boolean };

const PRUNE_LOCK_KEY = 7_411_994;
const DAY_MS = 86_400_000;
/** How often each node prunes. */
export const PRUNE_INTERVAL_MS = 60 * 60_000;

// Each batch is the next range of the index on the time column (audit_events_at,
// sso_traces_started: (time DESC, id DESC), read backwards), in (time, id) order, starting past
// the last row the batch before deleted. Measured on PostgreSQL 15 with EXPLAIN (ANALYZE,
// BUFFERS), 3,000,000 audit events of which the oldest 1,000,000 were due (docs/BENCHMARKS.md,
// "Retention"): without an order, `WHERE at < $1 LIMIT n` was planned as a sequential scan
// (a third of the rows match, so "the first n" looked cheap), and when the due rows were not at
// the start of the heap (rows whose time was updated, or written in another order) it read the
// 2,000,000 young rows first: 48,700 pages, 2.1 s holding the batch open, 5.6 s at 10,000,000.
// Ordered, it is an index range; started past the last key, it does not walk the index entries
// the batches before it left (dead until VACUUM) either, so batch k costs what batch 1 does.
// The rows found are deleted by their physical address (a TID scan), so the DELETE itself never
// has a plan to choose: with `id IN (…)` a stale row estimate could make it a hash join over
// the whole table.
const TABLES = {
  audit: { table: 'audit_events', time: 'at', idType: 'bigint' },
  traces: { table: 'sso_traces', time: 'started_at', idType: 'text' },
} as const;

export type RetentionKind = keyof typeof TABLES;
/** The last (time, id) a batch deleted, as the database prints them (a Date would drop the microseconds). */
export type BatchKey = { at: string; id: string };

/** The statement of one batch: $1 the cutoff, $2 the batch size, then $3, $4 the last key of the batch before, if any. */
export function batchStatement(kind: RetentionKind, after: BatchKey | undefined): { text: string; params: (previousParams: [Date, number]) => unknown[] } {
  const { table, time, idType } = TABLES[kind];
  const past = after ? ` AND (${time}, id) > ($3::timestamptz, $4::${idType})` : '';
  const text = `WITH gone AS (
      DELETE FROM ${table} WHERE ctid = ANY (ARRAY(SELECT ctid FROM ${table} WHERE ${time} < $1${past} ORDER BY ${time}, id LIMIT $2))
      RETURNING ${time} AS at, id)
    SELECT at::text AS at, id::text AS id, (count(*) OVER ())::int AS deleted FROM gone ORDER BY at DESC, id DESC LIMIT 1`;
  return { text, params: (base) => (after ? [...base, after.at, after.id] : base) };
}

/** Deletes what the policy says is too old, batch by batch, until none is left. */
export async function pruneExpired(db: Database, policy: RetentionPolicy, now: Date, onBatch?: (kind: RetentionKind, rows: number, ms: number) => void): Promise<PruneReport> {
  const batchSize = policy.batchSize ?? 5_000;
  const report: PruneReport = { audit: 0, traces: 0, batches: 0, skipped: false };
  for (const [kind, days] of [['audit', policy.auditDays], ['traces', policy.traceDays]] as const) {
    if (!(days > 0)) continue;
    const before = new Date(now.getTime() - days * DAY_MS);
    let last: BatchKey | undefined;
    for (;;) {
      const started = performance.now();
      const statement = batchStatement(kind, last);
      const result = await db.transaction(async (tx: Queryable) => {
        const [lock] = await tx.query<{ got: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS got', [PRUNE_LOCK_KEY]);
        if (!lock!.got) return 'locked' as const;
        // No row when the batch deleted nothing.
        const [row] = await tx.query<{ at: string; id: string; deleted: number }>(statement.text, statement.params([before, batchSize]));
        return row ?? { at: '', id: '', deleted: 0 };
      });
      if (result === 'locked') return { ...report, skipped: true };
      const deleted = result.deleted;
      onBatch?.(kind, deleted, performance.now() - started);
      report[kind] += deleted;
      report.batches += 1;
      if (deleted < batchSize) break;
      last = { at: result.at, id: result.id };
      // Let other work at the database between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return report;
}

/** Prunes a minute after start, then every PRUNE_INTERVAL_MS; never keeps the process alive. */
export function startRetention(db: Database, policy: RetentionPolicy, onDone: (report: PruneReport | Error) => void): { stop(): void } {
  if (policy.auditDays <= 0 && policy.traceDays <= 0) return { stop() {} };
  return startRepeatingJob(60_000, PRUNE_INTERVAL_MS, async () => {
    try {
      onDone(await pruneExpired(db, policy, new Date()));
    } catch (error) {
      onDone(error as Error);
    }
  });
}
