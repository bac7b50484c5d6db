import { t } from '../../i18n/t.ts';
import type { FastifyInstance } from 'fastify';
import { primaryEmail } from '../../core/people.ts';
import type { HttpContext } from '../context.ts';
import { agentHomePage } from '../pages/help-center.ts';

export function registerAgentRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/agent', async (request, reply) => {
    const signedIn = await ctx.signedIn(request, 'agents');
    if (!signedIn) return reply.redirect(`/agent/login?return_to=${encodeURIComponent(request.url)}`, 302);
    const page = agentHomePage(
      { title: t('agent.heading'), area: 'agent', signedInAs: primaryEmail(signedIn.person), csrfToken: ctx.csrf.tokenFor(request, reply) },
      signedIn.person.isAdmin,
    );
    return reply.type('text/html; charset=utf-8').send(page.value);
  });
}
