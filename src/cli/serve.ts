import type { Config } from '../config.ts';
import { startRetention } from '../core/retention.ts';
import { createServices } from '../core/services.ts';
import { buildServer } from '../http/server.ts';
import { migrate } from '../storage/migrate.ts';
import { openConfiguredDatabase } from '../storage/open.ts';

/** `frontdoor serve`: migrate, then serve until SIGTERM/SIGINT, then drain and close. */
export async function serve(config: Config): Promise<void> {
  const db = await openConfiguredDatabase(config);
  await migrate(db);
  const services = await createServices(db, config);
  const app = await buildServer(services);
  await app.listen({ port: config.port, host: config.host });
  app.log.info({ publicUrl: config.publicUrl.href, database: db.kind }, 'Frontdoor is serving');
  const retention = startRetention(db, config.retention, (report) => {
    if (report instanceof Error) app.log.warn({ err: report }, 'pruning old audit events and SSO traces failed; it is tried again in an hour');
    else if (report.audit || report.traces) app.log.info(report, 'pruned old audit events and SSO traces');
  });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'draining requests, then stopping');
    retention.stop();
    await app.close();
    await db.close();
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
