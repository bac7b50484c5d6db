import { t } from '../../../i18n/t.ts';
import { FrontdoorError } from '../../../core/errors.ts';
import { redirectSeeOther } from '../../context.ts';
import type { RenderAccount } from './account-page.ts';
import type { DoorRoutes } from './doors.ts';

// Ending one's own sessions from the account page: one, or every other one.

export function registerAccountSessions({ app, ctx, services, door, requireSignedIn }: DoorRoutes, renderAccount: RenderAccount): void {
  app.post<{ Params: { id: string } }>(`${door.base}/account/sessions/:id/end`, async (request, reply) => {
    ctx.csrf.verify(request);
    const signedIn = await requireSignedIn(request);
    const target = /^[0-9a-f-]{36}$/.test(request.params.id) ? await services.sessions.get(request.params.id) : undefined;
    // Someone else's session id gets the same answer as an unknown one.
    if (!target || target.personId !== signedIn.person.id) throw new FrontdoorError('session.not_found', 'There is no such session of yours.');
    await services.sessions.revoke(target.id, 'ended from the account page');
    await services.audit.record({
      action: 'session.revoked', outcome: 'success', audience: door.audience, actor: { type: 'person', id: signedIn.person.id },
      target: { type: 'session', id: target.id }, ip: request.ip,
    });
    if (target.id === signedIn.session.id) return redirectSeeOther(reply, door.homePath);
    return renderAccount(request, reply, signedIn, 200, { notice: t('account.sessionEnded') });
  });

  app.post(`${door.base}/account/sessions/end-others`, async (request, reply) => {
    ctx.csrf.verify(request);
    const signedIn = await requireSignedIn(request);
    const ended = await services.sessions.revokeAllFor(signedIn.person.id, 'ended from the account page', signedIn.session.id);
    await services.audit.record({
      action: 'session.revoked_others', outcome: 'success', audience: door.audience, actor: { type: 'person', id: signedIn.person.id },
      target: { type: 'person', id: signedIn.person.id }, ip: request.ip, details: { ended },
    });
    return renderAccount(request, reply, signedIn, 200, { notice: t('account.sessionsEnded', { count: ended }) });
  });
}
