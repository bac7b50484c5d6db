import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FrontdoorError } from '../../../core/errors.ts';
import type { HttpContext } from '../../context.ts';
import { discardRequestBody } from '../../oversized-body.ts';
import { registerApiKeyRoutes } from './api-keys.ts';
import { registerAppRoutes } from './apps.ts';
import { registerArticleRoutes } from './articles.ts';
import { registerAuditRoutes } from './audit.ts';
import { registerBrandRoutes } from './brand.ts';
import { registerEmailTemplateRoutes } from './emails.ts';
import { adminConsole, type Admin } from './console.ts';
import { registerLanguageSettingsRoutes } from './languages.ts';
import { registerPeopleRoutes } from './people.ts';
import { CONSOLE_FALLBACKS, registerReloadFallbacks } from '../reload-fallbacks.ts';
import { registerRegistrationRoutes } from './registration.ts';
import { registerScimConnectionRoutes } from './scim.ts';
import { registerSessionPolicyRoutes } from './sessions.ts';
import { registerSsoTraceRoutes } from './sso-traces.ts';
import { registerUsergroupRoutes } from './usergroups.ts';

// The admin console (/admin): the same domain operations as the admin API, through forms,
// one file per section of its navigation.

export function registerAdminConsoleRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const admins = new WeakMap<FastifyRequest, Admin>();

  void app.register(async (scope) => {
    // Who may open the console: admin Agents only. Anonymous visitors go to the agent sign-in
    // and come back; a Help Center session is the wrong audience (invariant 2), a plain agent
    // is forbidden. Checked when the request arrives, before its body is read (a stranger must
    // not make us buffer an upload or a pasted metadata document): a refused body is read to
    // its end and dropped, so the answer arrives rather than a reset (oversized-body.ts).
    scope.addHook('onRequest', async (request, reply) => {
      const agent = await ctx.signedIn(request, 'agents');
      if (agent?.person.isAdmin) {
        admins.set(request, { person: agent.person, actor: { type: 'person', id: agent.person.id }, csrf: ctx.csrf.tokenFor(request, reply), sessionId: agent.session.id });
        return;
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') await discardRequestBody(request.raw);
      if (agent) throw new FrontdoorError('auth.forbidden', 'Only admins can open the admin console.');
      if (await ctx.signedIn(request, 'users')) {
        throw new FrontdoorError('auth.wrong_audience', 'A Help Center account cannot open the admin console; sign in as an admin agent.');
      }
      const back = request.method === 'GET' ? request.url : '/admin';
      return reply.redirect(`/agent/login?return_to=${encodeURIComponent(back)}`, 302);
    });
    // Every change also needs this browser's CSRF token, which is in the body.
    scope.addHook('preHandler', async (request) => {
      if (request.method === 'POST') ctx.csrf.verify(request);
    });

    scope.get('/admin', async (_request, reply) => reply.redirect('/admin/apps', 302));

    const sections = adminConsole(scope, ctx, (request) => admins.get(request)!);
    for (const register of [
      registerAppRoutes, registerRegistrationRoutes, registerUsergroupRoutes, registerArticleRoutes,
      registerPeopleRoutes, registerAuditRoutes, registerSsoTraceRoutes, registerApiKeyRoutes,
      registerScimConnectionRoutes, registerSessionPolicyRoutes, registerLanguageSettingsRoutes, registerBrandRoutes, registerEmailTemplateRoutes,
    ]) register(sections);
    registerReloadFallbacks(scope, CONSOLE_FALLBACKS);
  });
}
