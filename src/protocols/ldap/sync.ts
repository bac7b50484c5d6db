import type { Actor } from '../../core/audit.ts';
import { FrontdoorError } from '../../core/errors.ts';
import type { Database, Queryable } from '../../storage/database.ts';
import { closeQuietly, openServiceConnection, unreachable } from './connection.ts';
import { mapEntry, mappedGroupsOf, requestedAttributes, type DirectoryPerson } from './entry.ts';
import { everyoneFilter } from './filter.ts';
import type { LdapConfig, LdapSecrets } from './settings.ts';
import { applyDirectoryPerson, disablePerson, IdentityCreatedConcurrently, LAST_ADMIN, type GroupPlan, type PersonOutcome } from './sync-person.ts';
import { claimSyncRun, emptyReport, finishSyncRun, renewSyncRun, REPORT_LIST_LIMIT, type SyncApp, type SyncReport } from './sync-runs.ts';

export type SyncOptions = {
  db: Database;
  app: SyncApp;
  config: LdapConfig;
  secrets: LdapSecrets;
  dryRun: boolean;
  actor: Actor;
  clock?: { now(): Date };
  /** Told after each person is written (this node's session caches forget them). */
  onPersonChanged?: (personId: string) => void;
  /** Awaited after each page, with the report so far (progress for whoever started the run). */
  onPage?: (report: Readonly<SyncReport>) => Promise<void> | void;
};

/** Rolls a dry run's per-person transaction back after it has computed the outcome. */
class DryRunRollback extends Error {
  readonly outcome: PersonOutcome;
  constructor(outcome: PersonOutcome) {
    super('dry run');
    this.outcome = outcome;
  }
}

/**
 * One directory sync: a paged listing, each person written in a transaction of their own, then
 * the people this app knows who were not listed are disabled. That last step runs only after
 * the whole listing came back: a directory that goes down mid-way disables no one. A dry run
 * takes the same path and rolls every transaction back, so it reports exactly what a run would do.
 */
export async function syncDirectory(options: SyncOptions): Promise<{ runId: string; report: SyncReport }> {
  return (await runSync(options, undefined))!;
}

/** The schedule's sync: runs only when no (non-dry) run of the app began in the last `intervalMs`. */
export async function syncDirectoryIfDue(options: SyncOptions & { intervalMs: number }): Promise<{ runId: string; report: SyncReport } | undefined> {
  const now = options.clock?.now() ?? new Date();
  return runSync({ ...options, dryRun: false }, new Date(now.getTime() - options.intervalMs));
}

async function runSync(options: SyncOptions, notIfRunSince: Date | undefined): Promise<{ runId: string; report: SyncReport } | undefined> {
  const { db, app, config, dryRun } = options;
  const now = () => options.clock?.now() ?? new Date();
  const runId = await claimSyncRun(db, app, dryRun, now(), notIfRunSince);
  if (!runId) return undefined;
  const report = emptyReport();
  let failure: FrontdoorError | undefined;
  try {
    const listed = await syncListedPeople(options, runId, report, now);
    await removeUnlisted(options, listed, report, now);
  } catch (error) {
    failure = error instanceof FrontdoorError ? error : new FrontdoorError('internal', (error as Error).message);
  }
  await finishSyncRun(db, app, runId, dryRun, report, failure, options.actor, now());
  if (failure) throw failure;
  return { runId, report };
}

async function syncListedPeople(options: SyncOptions, runId: string, report: SyncReport, now: () => Date): Promise<Set<string>> {
  const { db, app, config } = options;
  const groups = groupPlan(config);
  const listed = new Set<string>();
  const client = await openServiceConnection(config, options.secrets);
  try {
    const pages = client.searchPaginated(config.baseDn, {
      scope: 'sub',
      filter: config.syncFilter ?? everyoneFilter(config.userFilter),
      paged: { pageSize: config.pageSize },
      ...requestedAttributes(config.attributes),
    });
    while (true) {
      let page;
      try {
        page = await pages.next();
      } catch (error) {
        throw unreachable(config, error);
      }
      if (page.done) break;
      for (const entry of page.value.searchEntries) {
        report.listed++;
        const mapped = mapEntry(entry, config.attributes);
        if ('refused' in mapped) {
          refuse(report, entry.dn, mapped.refused);
          continue;
        }
        if (listed.has(mapped.person.id)) {
          refuse(report, entry.dn, 'its id is listed twice');
          continue;
        }
        listed.add(mapped.person.id);
        const outcome = await inOwnTransaction(options, (tx) => applyDirectoryPerson(tx, app, mapped.person, groups, now()));
        record(options, report, mapped.person, outcome);
      }
      await renewSyncRun(db, runId, report, now());
      await options.onPage?.(report);
    }
  } finally {
    await closeQuietly(client);
  }
  return listed;
}

async function removeUnlisted(options: SyncOptions, listed: Set<string>, report: SyncReport, now: () => Date): Promise<void> {
  const { db, app } = options;
  const known = await db.query<{ person_id: string; subject: string }>(
    `SELECT i.person_id, i.subject FROM identities i JOIN people p ON p.id = i.person_id
      WHERE i.app_id = $1 AND p.disabled_at IS NULL ORDER BY i.subject`,
    [app.id],
  );
  const gone = known.filter((row) => !listed.has(row.subject));
  // A listing of no one while people are linked is a broken filter or base DN far more often
  // than an empty company: disabling everyone (admins included) is not done on that word.
  if (listed.size === 0 && gone.length > 0) {
    refuse(report, '(directory)', `listed no one; the ${gone.length} people linked to it were left as they are`);
    return;
  }
  for (const row of gone) {
    const outcome = await inOwnTransaction(options, async (tx) =>
      (await disablePerson(tx, row.person_id, 'ldap_sync_removed', now())) ? { kind: 'disable', personId: row.person_id } : LAST_ADMIN);
    if (outcome.kind === 'refused') {
      refuse(report, row.subject, outcome.reason);
      continue;
    }
    report.removed++;
    listChange(report, row.subject, 'remove');
    if (!options.dryRun) options.onPersonChanged?.(row.person_id);
  }
}

async function inOwnTransaction(options: SyncOptions, work: (tx: Queryable) => Promise<PersonOutcome>): Promise<PersonOutcome> {
  try {
    return await options.db.transaction(async (tx) => {
      const outcome = await work(tx);
      if (options.dryRun) throw new DryRunRollback(outcome);
      return outcome;
    });
  } catch (error) {
    if (error instanceof DryRunRollback) return error.outcome;
    if (error instanceof IdentityCreatedConcurrently) return { kind: 'refused', reason: 'signed in while the sync ran; the next run updates them' };
    // A row the tables' constraints refuse (a name or email too long) is that row's refusal, not the run's end.
    if (isIntegrityViolation(error)) return { kind: 'refused', reason: `not storable: ${(error as Error).message}` };
    throw error;
  }
}

function record(options: SyncOptions, report: SyncReport, person: DirectoryPerson, outcome: PersonOutcome): void {
  if (outcome.kind === 'refused') return refuse(report, person.dn, outcome.reason);
  if (outcome.kind === 'unchanged') {
    report.unchanged++;
    return;
  }
  if (outcome.kind === 'create') report.created++;
  else if (outcome.kind === 'update') report.updated++;
  else report.disabled++;
  listChange(report, person.dn, outcome.kind);
  if (!options.dryRun) options.onPersonChanged?.(outcome.personId);
}

function refuse(report: SyncReport, entry: string, reason: string): void {
  if (report.refused.length < REPORT_LIST_LIMIT) report.refused.push({ entry, reason });
  else if (report.refused.length === REPORT_LIST_LIMIT) report.refused.push({ entry: '…', reason: 'more rows refused; counts are in the log' });
}

function listChange(report: SyncReport, entry: string, change: SyncReport['changes'][number]['change']): void {
  if (report.changes.length < REPORT_LIST_LIMIT) report.changes.push({ entry, change });
}

/** The usergroups the mapped groups give, as sign-in gives them (mappedGroupsOf). */
export function groupPlan(config: LdapConfig): GroupPlan {
  const managed = [...new Set(config.loginActions.groupMappings.map((m) => m.usergroupId))];
  return {
    managed,
    desiredFor(groups) {
      const held = new Set(mappedGroupsOf(config, groups));
      return [...new Set(config.loginActions.groupMappings.filter((m) => held.has(m.group)).map((m) => m.usergroupId))];
    },
  };
}

/** SQLSTATE class 23: integrity constraint violation (check, unique, not null, foreign key). */
function isIntegrityViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('23');
}
