import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AudienceSchema } from '../../core/audience.ts';
import { recordAdminChange, type Actor } from '../../core/audit.ts';
import { FrontdoorError, isFrontdoorError } from '../../core/errors.ts';
import { primaryEmail, type Person } from '../../core/people.ts';
import { parseInput } from '../../core/validation.ts';
import { scimProvisioning } from '../../provisioning/scim/service.ts';
import { redirectSeeOther, type HttpContext } from '../context.ts';
import type { SafeHtml } from '../html.ts';
import { adminPage, type ViewState } from '../pages/admin.ts';
import { scimConnectionBody, scimConnectionsBody } from '../pages/admin-scim.ts';

// The console's SCIM section (/admin/scim): the same rules as the rest of the console (admin
// Agents only, CSRF on every POST, refusals re-rendered with their code, nothing changed).
// The token is shown once, in the answer to the POST that made it: a redirect would carry it.

type Admin = { person: Person; actor: Actor; csrf: string };
const NewConnection = z.object({ name: z.string(), audience: AudienceSchema }).loose();

export function registerScimConsoleRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const scim = scimProvisioning(ctx.services);
  const admins = new WeakMap<FastifyRequest, Admin>();

  void app.register(async (scope) => {
    scope.addHook('preHandler', async (request, reply) => {
      const agent = await ctx.signedIn(request, 'agents');
      if (!agent) {
        if (await ctx.signedIn(request, 'users')) throw new FrontdoorError('auth.wrong_audience', 'A Help Center account cannot open the admin console; sign in as an admin agent.');
        return reply.redirect(`/agent/login?return_to=${encodeURIComponent(request.method === 'GET' ? request.url : '/admin/scim')}`, 302);
      }
      if (!agent.person.isAdmin) throw new FrontdoorError('auth.forbidden', 'Only admins can open the admin console.');
      if (request.method === 'POST') ctx.csrf.verify(request);
      admins.set(request, { person: agent.person, actor: { type: 'person', id: agent.person.id }, csrf: ctx.csrf.tokenFor(request, reply) });
    });
    const adminOf = (request: FastifyRequest) => admins.get(request)!;
    const send = (reply: FastifyReply, status: number, title: string, admin: Admin, state: ViewState, body: SafeHtml) =>
      reply.code(status).type('text/html; charset=utf-8').send(adminPage({ title, area: 'admin', signedInAs: primaryEmail(admin.person), csrfToken: admin.csrf }, 'scim', state, body).value);
    const listPage = async (reply: FastifyReply, status: number, admin: Admin, state: ViewState, created?: Parameters<typeof scimConnectionsBody>[3]) =>
      send(reply, status, 'SCIM provisioning', admin, state, scimConnectionsBody(await scim.connections.list(), admin.csrf, state, created));
    const idOf = (request: FastifyRequest) => parseInput(z.uuid(), (request.params as { id: string }).id);

    scope.get('/admin/scim', async (request, reply) => {
      const notice = (request.query as { notice?: string }).notice === 'revoked' ? 'Revoked: its token is refused from now on.' : undefined;
      return listPage(reply, 200, adminOf(request), { notice });
    });
    scope.post('/admin/scim', async (request, reply) => {
      const admin = adminOf(request);
      const form = (request.body ?? {}) as Record<string, string>;
      try {
        const input = parseInput(NewConnection, form);
        const { token, connection } = await scim.connections.create({ name: input.name, audience: input.audience }, admin.person.id);
        await recordAdminChange(ctx.services.audit, { action: 'scim_connection.created', targetType: 'scim_connection', audience: connection.audience }, admin.actor, request.ip, connection.id);
        return listPage(reply, 201, admin, {}, { connection, token, baseUrl: scim.baseUrl });
      } catch (error) {
        if (!isFrontdoorError(error) || error.status >= 500) throw error;
        return listPage(reply, error.status, admin, { error, values: form });
      }
    });
    scope.get('/admin/scim/:id', async (request, reply) => {
      const admin = adminOf(request);
      const connection = await scim.connections.require(idOf(request));
      return send(reply, 200, `SCIM connection ${connection.name}`, admin, {}, scimConnectionBody(connection, await scim.connections.lastRequests(connection.id, 50), admin.csrf, scim.baseUrl));
    });
    scope.post('/admin/scim/:id/revoke', async (request, reply) => {
      const admin = adminOf(request);
      try {
        const id = idOf(request);
        await scim.connections.revoke(id);
        await recordAdminChange(ctx.services.audit, { action: 'scim_connection.revoked', targetType: 'scim_connection' }, admin.actor, request.ip, id);
        return redirectSeeOther(reply, '/admin/scim?notice=revoked');
      } catch (error) {
        if (!isFrontdoorError(error) || error.status >= 500) throw error;
        return listPage(reply, error.status, admin, { error });
      }
    });
  });
}
