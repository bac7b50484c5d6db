import type { AuthApp } from '../../core/apps.ts';
import type { Actor } from '../../core/audit.ts';
import { FrontdoorError } from '../../core/errors.ts';
import type { Services } from '../../core/services.ts';
import { protocolOf } from '../registry.ts';
import { ldapSecretsFrom, ldapConfigOf } from './settings.ts';
import { syncDirectory } from './sync.ts';
import { listSyncRuns } from './sync-runs.ts';
import { startDirectorySyncSchedule, type ScheduledDirectory, type ScheduledOutcome } from './sync-schedule.ts';

// The directory sync as the server runs it: on demand (admin API, console) and on the
// schedule `frontdoor serve` starts. The sync itself (sync.ts) takes its storage as arguments.

type SyncServices = Pick<Services, 'db' | 'apps' | 'people' | 'sessions'>;

const secretsOf = async (services: SyncServices, app: AuthApp) => ldapSecretsFrom(await services.apps.secretsOf(app.id));

/** Only LDAP apps sync; anything else is a clear refusal, not a silent no-op. */
export async function requireLdapApp(services: SyncServices, idOrSlug: string): Promise<AuthApp> {
  const app = await services.apps.require(idOrSlug);
  if (protocolOf(app)?.name !== 'ldap') throw new FrontdoorError('request.invalid', 'Only LDAP apps have a directory sync.');
  return app;
}

/** This node's caches forget a person the sync changed (a disable signs them out here at once). */
function onPersonChanged(services: SyncServices) {
  return () => {
    services.people.changes.notify();
    services.sessions.changes.notify();
  };
}

/** One run now, or a dry run (rolled back, its report what a run would do). */
export async function syncLdapAppNow(services: SyncServices, app: AuthApp, options: { dryRun: boolean; actor: Actor }) {
  return syncDirectory({
    db: services.db, app, config: ldapConfigOf(app), secrets: await secretsOf(services, app),
    dryRun: options.dryRun, actor: options.actor, onPersonChanged: onPersonChanged(services),
  });
}

export function lastSyncRunsOf(services: SyncServices, app: AuthApp, limit = 10) {
  return listSyncRuns(services.db, app.id, limit);
}

/** Every enabled LDAP app, read afresh at each pass (a new or changed app is picked up). */
async function scheduledDirectories(services: SyncServices): Promise<ScheduledDirectory[]> {
  const apps = (await services.apps.list()).filter((app) => app.enabled && protocolOf(app)?.name === 'ldap');
  return Promise.all(apps.map(async (app) => ({ app, config: ldapConfigOf(app), secrets: await secretsOf(services, app) })));
}

/** The schedule `serve` starts beside retention; never keeps the process alive. */
export function startLdapSyncSchedule(services: SyncServices, onDone: (outcomes: ScheduledOutcome[] | Error) => void): { stop(): void } {
  return startDirectorySyncSchedule(services.db, () => scheduledDirectories(services), onDone, onPersonChanged(services));
}
