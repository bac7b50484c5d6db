import { isFrontdoorError } from '../../core/errors.ts';
import { startRepeatingJob } from '../../core/repeating-job.ts';
import type { Database } from '../../storage/database.ts';
import type { LdapConfig, LdapSecrets } from './settings.ts';
import { syncDirectoryIfDue } from './sync.ts';
import type { SyncApp, SyncReport } from './sync-runs.ts';

/** Daily by default (docs/LDAP.md, "Sync"). */
export const DEFAULT_SYNC_INTERVAL_MS = 24 * 60 * 60_000;
/** How often a node looks for a due sync; the claim decides which node runs it. */
export const SYNC_CHECK_INTERVAL_MS = 5 * 60_000;

export type ScheduledDirectory = { app: SyncApp; config: LdapConfig; secrets: LdapSecrets };
export type ScheduledOutcome = { appId: string; report?: SyncReport; error?: Error };

/**
 * One pass of the schedule: every enabled LDAP app whose last run began an interval ago or
 * more is synced, one after the other. Another node running or having just run it is not an
 * error: that node's report stands.
 */
export async function runDueDirectorySyncs(
  db: Database, directories: ScheduledDirectory[], now: Date, intervalMs = DEFAULT_SYNC_INTERVAL_MS, onPersonChanged?: (personId: string) => void,
): Promise<ScheduledOutcome[]> {
  const outcomes: ScheduledOutcome[] = [];
  for (const { app, config, secrets } of directories) {
    try {
      const run = await syncDirectoryIfDue({ db, app, config, secrets, dryRun: false, actor: { type: 'system' }, clock: { now: () => now }, intervalMs, onPersonChanged });
      if (run) outcomes.push({ appId: app.id, report: run.report });
    } catch (error) {
      if (isFrontdoorError(error) && error.code === 'sso.ldap.sync_running') continue;
      outcomes.push({ appId: app.id, error: error as Error });
    }
  }
  return outcomes;
}

/** Looks for due syncs a minute after start, then every SYNC_CHECK_INTERVAL_MS; never keeps the process alive. */
export function startDirectorySyncSchedule(
  db: Database, directories: () => Promise<ScheduledDirectory[]>, onDone: (outcomes: ScheduledOutcome[] | Error) => void,
  onPersonChanged?: (personId: string) => void,
): { stop(): void } {
  return startRepeatingJob(60_000, SYNC_CHECK_INTERVAL_MS, async () => {
    try {
      onDone(await runDueDirectorySyncs(db, await directories(), new Date(), DEFAULT_SYNC_INTERVAL_MS, onPersonChanged));
    } catch (error) {
      onDone(error as Error);
    }
  });
}
