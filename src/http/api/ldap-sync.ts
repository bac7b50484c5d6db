import { z } from 'zod';
import { lastSyncRunsOf, requireLdapApp, syncLdapAppNow } from '../../protocols/ldap/sync-jobs.ts';
import type { HttpContext } from '../context.ts';
import type { AdminApi } from './define-route.ts';

const IdParams = z.object({ id: z.string().min(1).max(100) }).strict();

/** An LDAP app's directory sync on demand, and its last runs' reports (docs/LDAP.md). */
export function registerLdapSyncRoutes(api: AdminApi, ctx: HttpContext): void {
  const { services } = ctx;
  api.route({
    method: 'POST', path: '/api/v1/apps/:id/ldap-sync', tag: 'apps',
    summary: 'Sync an LDAP app\'s directory now and answer its report; dryRun: true changes nothing and reports what a run would do',
    params: IdParams,
    body: z.object({ dryRun: z.boolean().default(false) }).strict(),
    handler: async ({ params, body, principal }) => {
      const app = await requireLdapApp(services, params.id);
      return syncLdapAppNow(services, app, { dryRun: body.dryRun, actor: principal.actor });
    },
  });
  api.route({
    method: 'GET', path: '/api/v1/apps/:id/ldap-sync', tag: 'apps', summary: 'An LDAP app\'s last sync runs (dry runs too), newest first, each with its report',
    params: IdParams,
    handler: async ({ params }) => ({ runs: await lastSyncRunsOf(services, await requireLdapApp(services, params.id)) }),
  });
}
