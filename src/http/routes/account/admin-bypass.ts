import { t } from '../../../i18n/t.ts';
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../../context.ts';
import { continueAfterSignIn } from '../../after-sign-in.ts';
import { bypassRequestPage, confirmLinkPage } from '../../pages/account.ts';
import type { PageChrome } from '../../pages/layout.ts';
import { field, send } from './doors.ts';

// The emailed admin bypass link (break-glass, invariant 6): asking for it, and using it.

export function registerAdminBypass(app: FastifyInstance, ctx: HttpContext): void {
  const { services } = ctx;
  const agentChrome = (title: string): PageChrome => ({ title, area: 'agent' });

  app.get('/agent/login/bypass', async (request, reply) =>
    send(reply, 200, bypassRequestPage(agentChrome(t('bypass.heading')), { csrfToken: ctx.csrf.tokenFor(request, reply), sent: false })),
  );

  app.post('/agent/login/bypass', async (request, reply) => {
    ctx.csrf.verify(request);
    await services.adminBypass.requestAdminBypass(field(request.body, 'email').trim(), request.ip);
    return send(reply, 200, bypassRequestPage(agentChrome(t('bypass.heading')), { csrfToken: ctx.csrf.tokenFor(request, reply), sent: true }));
  });

  app.get<{ Params: { token: string } }>('/agent/login/bypass/:token', async (request, reply) => {
    await services.adminBypass.checkBypassLink(request.params.token);
    return send(reply, 200, confirmLinkPage(agentChrome(t('bypass.confirmHeading')), {
      heading: t('bypass.confirmHeading'), message: t('bypass.confirmMessage'),
      action: `/agent/login/bypass/${encodeURIComponent(request.params.token)}`, csrfToken: ctx.csrf.tokenFor(request, reply), token: request.params.token, button: t('signIn.submit'),
    }));
  });

  app.post<{ Params: { token: string } }>('/agent/login/bypass/:token', async (request, reply) => {
    ctx.csrf.verify(request);
    const person = await services.adminBypass.useAdminBypass(request.params.token, request.ip);
    const started = await services.signInSessions.startSession(person, { audience: 'agents', appId: null, ip: request.ip, userAgent: request.headers['user-agent'] });
    await services.audit.record({
      action: 'signin.bypass', outcome: 'success', audience: 'agents', actor: { type: 'person', id: person.id },
      target: { type: 'session', id: started.session.id }, ip: request.ip, details: { breakGlass: true },
    });
    return continueAfterSignIn(reply, services.config, started, '/agent');
  });
}
