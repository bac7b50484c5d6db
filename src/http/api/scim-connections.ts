import { z } from 'zod';
import { AudienceSchema } from '../../core/audience.ts';
import { NameSchema } from '../../core/validation.ts';
import { scimProvisioning } from '../../provisioning/scim/service.ts';
import type { HttpContext } from '../context.ts';
import type { AdminApi } from './define-route.ts';
import { IdParams } from './people.ts';

/** SCIM connections (docs/SCIM.md): the token is in the answer to the creation only. */
export function registerScimConnectionRoutes(api: AdminApi, ctx: HttpContext): void {
  const scim = scimProvisioning(ctx.services);
  const tag = 'scim';
  const audit = (action: string) => ({ action, targetType: 'scim_connection' });

  api.route({
    method: 'GET', path: '/api/v1/scim-connections', tag, summary: 'SCIM connections, oldest first, with the base URL to give the identity service',
    handler: async () => ({ baseUrl: scim.baseUrl, connections: await scim.connections.list() }),
  });
  api.route({
    method: 'POST', path: '/api/v1/scim-connections', tag, status: 201,
    summary: 'Make a SCIM connection for one audience; the answer holds its bearer token, shown this once (only its hash is kept)',
    body: z.object({ name: NameSchema.max(100), audience: AudienceSchema }).strict(),
    audit: audit('scim_connection.created'),
    handler: async ({ body, principal }) => {
      const { token, connection } = await scim.connections.create(body, principal.personId);
      return { connection: { ...connection, baseUrl: scim.baseUrl, token } };
    },
  });
  api.route({
    method: 'GET', path: '/api/v1/scim-connections/:id', tag, summary: 'One SCIM connection and its last requests with their outcome, newest first',
    params: IdParams,
    handler: async ({ params }) => ({
      connection: await scim.connections.require(params.id),
      requests: await scim.connections.lastRequests(params.id, 50),
    }),
  });
  api.route({
    method: 'DELETE', path: '/api/v1/scim-connections/:id', tag, status: 204, summary: 'Revoke a SCIM connection: its token is refused from the next request on',
    params: IdParams,
    audit: audit('scim_connection.revoked'),
    handler: async ({ params }) => scim.connections.revoke(params.id),
  });
}
