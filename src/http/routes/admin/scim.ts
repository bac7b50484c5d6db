import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AudienceSchema } from '../../../core/audience.ts';
import { FrontdoorError } from '../../../core/errors.ts';
import { parseInput } from '../../../core/validation.ts';
import { scimProvisioning } from '../../../provisioning/scim/service.ts';
import { scimConnectionPage, scimConnectionsPage } from '../../pages/admin/scim.ts';
import { frameOf, send, type AdminConsole, type Render } from './console.ts';
import { t } from '../../../i18n/t.ts';

// SCIM connections (docs/SCIM.md): create (the token is shown once, in the answer to the POST
// that made it: a redirect would have to carry it), a connection's last requests, revoke.

const NewConnection = z.object({ name: z.string(), audience: AudienceSchema }).loose();

export function registerScimConnectionRoutes({ services, page, answer, audited, confirmed }: AdminConsole): void {
  const scim = scimProvisioning(services);
  const list: Render = async (_request, _reply, admin, state) => scimConnectionsPage(frameOf(admin, state), await scim.connections.list());
  page('/admin/scim', list);
  answer('/admin/scim', list, async (request, reply, admin, form) => {
    const input = parseInput(NewConnection, form);
    const { token, connection } = await scim.connections.create({ name: input.name, audience: input.audience }, admin.person.id);
    await audited(admin, request, { action: 'scim_connection.created', targetType: 'scim_connection', audience: connection.audience }, connection.id);
    return send(reply, 201, scimConnectionsPage(frameOf(admin, {}), await scim.connections.list(), { connection, token, baseUrl: scim.baseUrl }));
  });
  page('/admin/scim/:id', async (request, _reply, admin, state) => {
    const connection = await scim.connections.require(parseInput(z.uuid(), (request.params as { id: string }).id));
    return scimConnectionPage(frameOf(admin, state), connection, await scim.connections.lastRequests(connection.id, 50), scim.baseUrl);
  });
  const liveConnectionOf = async (request: FastifyRequest) => {
    const connection = await scim.connections.require(parseInput(z.uuid(), (request.params as { id: string }).id));
    if (connection.revoked) throw new FrontdoorError('scim_connection.not_found', 'No such live SCIM connection.');
    return connection;
  };
  confirmed('/admin/scim/:id/revoke', async (request) => {
    const connection = await liveConnectionOf(request);
    return {
      section: 'scim', title: t('console.confirm.scimTitle', { name: connection.name }), button: t('console.scim.revokeNamed', { name: connection.name }), cancel: `/admin/scim/${connection.id}`,
      takes: [t('console.confirm.scimTakes', { name: connection.name })],
    };
  }, async (request, admin) => {
    const { id } = await liveConnectionOf(request);
    await scim.connections.revoke(id);
    await audited(admin, request, { action: 'scim_connection.revoked', targetType: 'scim_connection' }, id);
    return '/admin/scim?notice=revoked';
  });
}
