import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.ts';
import { registerAccountRoutes } from './accounts.ts';
import { registerAppRoutes } from './apps.ts';
import { registerLdapSyncRoutes } from './ldap-sync.ts';
import { AdminApi } from './define-route.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { registerSsoTraceRoutes } from './sso-traces.ts';
import { registerContentRoutes } from './content.ts';
import { registerPeopleRoutes } from './people.ts';
import { registerOversightRoutes } from './oversight.ts';
import { registerScimConnectionRoutes } from './scim-connections.ts';

export function registerAdminApi(app: FastifyInstance, ctx: HttpContext): void {
  const api = new AdminApi(app, ctx);
  registerAppRoutes(api, ctx);
  registerLdapSyncRoutes(api, ctx);
  registerSsoTraceRoutes(api, ctx);
  registerPeopleRoutes(api, ctx);
  registerContentRoutes(api, ctx);
  registerOversightRoutes(api, ctx);
  registerAccountRoutes(api, ctx);
  registerScimConnectionRoutes(api, ctx);

  // Lets a signed-in admin's browser code fetch the token it must send as X-CSRF-Token.
  app.get('/api/v1/csrf-token', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return { token: ctx.csrf.tokenFor(request, reply) };
  });

  let document: Record<string, unknown> | undefined;
  app.get('/api/v1/openapi.json', async () => {
    document ??= buildOpenApiDocument(api.docs, `${ctx.services.config.publicUrl.origin}${ctx.services.config.publicUrl.pathname.replace(/\/$/, '')}`);
    return document;
  });
}
