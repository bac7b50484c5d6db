import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AudienceSchema } from '../../../core/audience.ts';
import { FrontdoorError } from '../../../core/errors.ts';
import { parseInput } from '../../../core/validation.ts';
import { scimProvisioning } from '../../../provisioning/scim/service.ts';
import { scimConnectionPage, scimConnectionsPage } from '../../pages/admin/scim.ts';
import { SHOWN_SECRET_TTL_MS } from '../../../core/console-results.ts';
import { frameOf, type AdminConsole, type Render } from './console.ts';
import { t } from '../../../i18n/t.ts';

// SCIM connections (docs/SCIM.md): create (the token is shown to the session that made it, for
// a while, after a redirect: a reload shows it again rather than making another), a
// connection's last requests, revoke.

const NewConnection = z.object({ name: z.string(), audience: AudienceSchema }).loose();

export function registerScimConnectionRoutes({ services, page, action, audited, confirmed }: AdminConsole): void {
  const scim = scimProvisioning(services);
  const list: Render = async (_request, _reply, admin, state) => scimConnectionsPage(frameOf(admin, state), await scim.connections.list());
  page('/admin/scim', list);
  action('/admin/scim', list, async (request, admin, form) => {
    const input = parseInput(NewConnection, form);
    const { token, connection } = await scim.connections.create({ name: input.name, audience: input.audience }, admin.person.id);
    await audited(admin, request, { action: 'scim_connection.created', targetType: 'scim_connection', audience: connection.audience }, connection.id);
    const shown = await services.consoleResults.save('scim_token', { sessionId: admin.sessionId }, { connectionId: connection.id, token }, SHOWN_SECRET_TTL_MS);
    return `/admin/scim/new/${shown}`;
  });
  page('/admin/scim/new/:result', async (request, _reply, admin, state) => {
    const id = (request.params as { result: string }).result;
    const shown = await services.consoleResults.find<{ connectionId: string; token: string }>('scim_token', id, admin.sessionId);
    if (!shown) throw new FrontdoorError('request.not_found', 'This token is shown only to the session that made it, for 15 minutes.');
    const connection = await scim.connections.require(shown.payload.connectionId);
    return scimConnectionsPage(frameOf(admin, state), await scim.connections.list(), { connection, token: shown.payload.token, baseUrl: scim.baseUrl });
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
