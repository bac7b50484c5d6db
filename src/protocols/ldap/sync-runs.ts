import { auditStatement, type Actor } from '../../core/audit.ts';
import type { Audience } from '../../core/audience.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { isUniqueViolation, type Database } from '../../storage/database.ts';

/** What one run did (or, dry, would do). Refused rows say why; lists are capped, counts are not. */
export type SyncReport = {
  listed: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Disabled in the directory (userAccountControl) and so disabled here. */
  disabled: number;
  /** Gone from the directory: disabled and signed out, never deleted. */
  removed: number;
  refused: { entry: string; reason: string }[];
  changes: { entry: string; change: 'create' | 'update' | 'disable' | 'remove' }[];
};

export const REPORT_LIST_LIMIT = 200;
/** A run that has not renewed its heartbeat for this long is taken to have died with its node. */
export const ABANDONED_AFTER_MS = 15 * 60_000;

export function emptyReport(): SyncReport {
  return { listed: 0, created: 0, updated: 0, unchanged: 0, disabled: 0, removed: 0, refused: [], changes: [] };
}

export type SyncApp = { id: string; audience: Audience };

/**
 * The run's row is the cross-node lock: a partial unique index allows one `running` row per
 * app. (A session advisory lock would need a connection pinned for the whole run, which the
 * pool does not give, and PGlite's one connection would wait on itself.) A row whose
 * heartbeat stopped is marked failed first, so a node that died does not block syncs forever.
 * Undefined only with `notIfRunSince`, when a run began since then.
 */
export async function claimSyncRun(db: Database, app: SyncApp, dryRun: boolean, now: Date, notIfRunSince?: Date): Promise<string | undefined> {
  await db.query(
    `UPDATE ldap_sync_runs SET status = 'failed', error_code = 'sync.abandoned', finished_at = $3
      WHERE app_id = $1 AND status = 'running' AND heartbeat_at < $2`,
    [app.id, new Date(now.getTime() - ABANDONED_AFTER_MS), now],
  );
  try {
    // With `notIfRunSince` (the schedule), the check and the claim are one statement: a node
    // that found the app due a moment after another node's run began does not run it again.
    const [row] = await db.query<{ id: string }>(
      `INSERT INTO ldap_sync_runs (app_id, dry_run, status, started_at, heartbeat_at)
       SELECT $1, $2, 'running', $3, $3
        WHERE $4::timestamptz IS NULL
           OR NOT EXISTS (SELECT 1 FROM ldap_sync_runs WHERE app_id = $1 AND NOT dry_run AND started_at > $4::timestamptz)
       RETURNING id`,
      [app.id, dryRun, now, notIfRunSince ?? null],
    );
    return row?.id;
  } catch (error) {
    if (isUniqueViolation(error, 'ldap_sync_runs_one_running')) {
      throw new FrontdoorError('sso.ldap.sync_running', 'A sync of this directory is already running; its report will show when it ends.');
    }
    throw error;
  }
}

export async function renewSyncRun(db: Database, runId: string, report: SyncReport, now: Date): Promise<void> {
  await db.query('UPDATE ldap_sync_runs SET heartbeat_at = $2, report = $3 WHERE id = $1', [runId, now, JSON.stringify(report)]);
}

/** Stores the report and writes the audit event, in one transaction. */
export async function finishSyncRun(
  db: Database, app: SyncApp, runId: string, dryRun: boolean, report: SyncReport, failure: FrontdoorError | undefined, actor: Actor, now: Date,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(
      `UPDATE ldap_sync_runs SET status = $2, error_code = $3, report = $4, finished_at = $5, heartbeat_at = $5 WHERE id = $1`,
      [runId, failure ? 'failed' : 'succeeded', failure?.code ?? null, JSON.stringify(report), now],
    );
    const { refused, changes, ...counts } = report;
    const audit = auditStatement({
      action: dryRun ? 'ldap.sync_dry_run' : 'ldap.sync',
      outcome: failure ? 'failure' : 'success',
      reason: failure?.code,
      audience: app.audience,
      actor,
      target: { type: 'auth_app', id: app.id },
      details: { runId, ...counts, refused: refused.length, refusedRows: refused.slice(0, 20) },
    });
    await tx.query(audit.text, audit.params);
  });
}

export type SyncRun = { id: string; dryRun: boolean; status: 'running' | 'succeeded' | 'failed'; errorCode: string | null; startedAt: string; finishedAt: string | null; report: SyncReport };

export async function listSyncRuns(db: Database, appId: string, limit = 20): Promise<SyncRun[]> {
  const rows = await db.query<{ id: string; dry_run: boolean; status: SyncRun['status']; error_code: string | null; started_at: Date; finished_at: Date | null; report: SyncReport | string }>(
    'SELECT id, dry_run, status, error_code, started_at, finished_at, report FROM ldap_sync_runs WHERE app_id = $1 ORDER BY started_at DESC, id LIMIT $2',
    [appId, limit],
  );
  return rows.map((r) => ({
    id: r.id, dryRun: r.dry_run, status: r.status, errorCode: r.error_code,
    startedAt: new Date(r.started_at).toISOString(), finishedAt: r.finished_at && new Date(r.finished_at).toISOString(),
    report: typeof r.report === 'string' ? JSON.parse(r.report) : r.report,
  }));
}
