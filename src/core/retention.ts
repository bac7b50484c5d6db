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

// Each batch is a range of the index on the time column (audit_events_at, sso_traces_started):
// the oldest rows are found without reading the rest.
const BATCHES = {
  audit: 'DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE at < $1 LIMIT $2)',
  traces: 'DELETE FROM sso_traces WHERE id IN (SELECT id FROM sso_traces WHERE started_at < $1 LIMIT $2)',
} as const;

/** Deletes what the policy says is too old, batch by batch, until none is left. */
export async function pruneExpired(db: Database, policy: RetentionPolicy, now: Date, onBatch?: (kind: 'audit' | 'traces', rows: number, ms: number) => void): Promise<PruneReport> {
  const batchSize = policy.batchSize ?? 5_000;
  const report: PruneReport = { audit: 0, traces: 0, batches: 0, skipped: false };
  for (const [kind, days] of [['audit', policy.auditDays], ['traces', policy.traceDays]] as const) {
    if (!(days > 0)) continue;
    const before = new Date(now.getTime() - days * DAY_MS);
    for (;;) {
      const started = performance.now();
      const deleted = await db.transaction(async (tx: Queryable) => {
        const [lock] = await tx.query<{ got: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS got', [PRUNE_LOCK_KEY]);
        if (!lock!.got) return undefined;
        return (await tx.query(`${BATCHES[kind]} RETURNING 1`, [before, batchSize])).length;
      });
      if (deleted === undefined) return { ...report, skipped: true };
      onBatch?.(kind, deleted, performance.now() - started);
      report[kind] += deleted;
      report.batches += 1;
      if (deleted < batchSize) break;
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
