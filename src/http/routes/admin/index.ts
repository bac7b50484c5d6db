import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FrontdoorError } from '../../../core/errors.ts';
import type { HttpContext } from '../../context.ts';
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
    // is forbidden. Every change also needs this browser's CSRF token.
    scope.addHook('preHandler', async (request, reply) => {
      const agent = await ctx.signedIn(request, 'agents');
      if (!agent) {
        if (await ctx.signedIn(request, 'users')) {
          throw new FrontdoorError('auth.wrong_audience', 'A Help Center account cannot open the admin console; sign in as an admin agent.');
        }
        const back = request.method === 'GET' ? request.url : '/admin';
        return reply.redirect(`/agent/login?return_to=${encodeURIComponent(back)}`, 302);
      }
      if (!agent.person.isAdmin) throw new FrontdoorError('auth.forbidden', 'Only admins can open the admin console.');
      if (request.method === 'POST') ctx.csrf.verify(request);
      admins.set(request, { person: agent.person, actor: { type: 'person', id: agent.person.id }, csrf: ctx.csrf.tokenFor(request, reply), sessionId: agent.session.id });
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
