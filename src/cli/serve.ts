import type { Config } from '../config.ts';
import { startRetention } from '../core/retention.ts';
import { startLdapSyncSchedule } from '../protocols/ldap/sync-jobs.ts';
import { createServices } from '../core/services.ts';
import { buildServer } from '../http/server.ts';
import { migrate } from '../storage/migrate.ts';
import { embeddedDataDir, openConfiguredDatabase } from '../storage/open.ts';
import { listenForCli } from './control-socket.ts';

/**
 * `frontdoor serve`: lock the embedded data directory (refused at once, DataDirectoryInUse,
 * when another process has it), migrate, serve, take CLI commands on the control socket, until
 * SIGTERM/SIGINT; then drain and close.
 */
export async function serve(config: Config): Promise<void> {
  const db = await openConfiguredDatabase(config, 'serve');
  let app: Awaited<ReturnType<typeof buildServer>>;
  let services: Awaited<ReturnType<typeof createServices>>;
  try {
    await migrate(db);
    services = await createServices(db, config);
    app = await buildServer(services);
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
  // Without its socket the server still serves; CLI commands are then refused while it runs.
  const control = db.kind === 'pglite'
    ? await listenForCli(services, embeddedDataDir(config), app.log).catch((error: unknown) => {
      app.log.warn({ err: error }, 'the CLI control socket could not be opened; CLI commands are refused while the server runs');
      return null;
    })
    : null;
  app.log.info({ publicUrl: config.publicUrl.href, database: db.kind }, 'Frontdoor is serving');
  const setupLink = await services.setup.issueLinkIfNoAdmin();
  if (setupLink) {
    app.log.info({ setupLink: setupLink.href }, 'no admin yet: open the setup link to create the first one');
    process.stdout.write(`\nNo admin yet. Open this link once to create the first admin (it works for 24 hours):\n\n  ${setupLink.href}\n\n`);
  }
  const retention = startRetention(db, config.retention, (report) => {
    if (report instanceof Error) app.log.warn({ err: report }, 'pruning old audit events and SSO traces failed; it is tried again in an hour');
    else if (report.audit || report.traces) app.log.info(report, 'pruned old audit events and SSO traces');
  });
  // LDAP apps' directory sync (docs/LDAP.md, "Sync"): every node looks, one runs each due app.
  const directorySync = startLdapSyncSchedule(services, (outcomes) => {
    if (outcomes instanceof Error) app.log.warn({ err: outcomes }, 'the directory sync schedule failed; it looks again in 5 minutes');
    else for (const outcome of outcomes) {
      if (outcome.error) app.log.warn({ appId: outcome.appId, err: outcome.error }, 'a scheduled directory sync failed; its report is on the app');
      else app.log.info({ appId: outcome.appId, ...outcome.report, refused: outcome.report?.refused.length, changes: undefined }, 'directory synced');
    }
  });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'draining requests, then stopping');
    await control?.close();
    retention.stop();
    directorySync.stop();
    await app.close();
    await db.close();
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
