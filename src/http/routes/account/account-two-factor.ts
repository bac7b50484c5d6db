import { t } from '../../../i18n/t.ts';
import { primaryEmail } from '../../../core/people.ts';
import { recoveryCodesPage } from '../../pages/account.ts';
import type { RenderAccount } from './account-page.ts';
import { field, refusal, send, withRetryAfter, type DoorRoutes } from './doors.ts';
import { twoFactorSetup } from './two-factor-setup.ts';

// 2FA from the account page: turning it on, new recovery codes, turning it off (with the
// current password).

export function registerAccountTwoFactor(routes: DoorRoutes, renderAccount: RenderAccount): void {
  const { app, ctx, services, door, chrome, requireSignedIn } = routes;
  const { renderSetup, confirmSetup } = twoFactorSetup(routes);
  const accountSetup = { action: `${door.base}/account/2fa/confirm`, emailAction: `${door.base}/account/2fa/email`, required: false };

  app.post(`${door.base}/account/2fa/setup`, async (request, reply) => {
    ctx.csrf.verify(request);
    const signedIn = await requireSignedIn(request);
    return renderSetup(request, reply, signedIn.person, accountSetup);
  });

  app.post(`${door.base}/account/2fa/email`, async (request, reply) => {
    ctx.csrf.verify(request);
    const signedIn = await requireSignedIn(request);
    await services.twoFactor.sendEmailCode(signedIn.person, request.ip);
    return renderSetup(request, reply, signedIn.person, accountSetup, 200, { notice: t('twoFactor.codeSent', { email: primaryEmail(signedIn.person) }) });
  });

  app.post(`${door.base}/account/2fa/confirm`, async (request, reply) => {
    ctx.csrf.verify(request);
    const signedIn = await requireSignedIn(request);
    try {
      const codes = await confirmSetup(signedIn.person, field(request.body, 'method'), field(request.body, 'code'), request.ip);
      if (field(request.body, 'end_other_sessions') === '1') {
        await services.sessions.revokeAllFor(signedIn.person.id, 'two-factor authentication turned on', signedIn.session.id);
      }
      return send(reply, 200, recoveryCodesPage(chrome(request, reply, t('recovery.title'), signedIn.person), { codes, continueHref: `${door.base}/account` }));
    } catch (error) {
      const fd = refusal(error);
      withRetryAfter(reply, fd);
      return renderSetup(request, reply, signedIn.person, accountSetup, fd.status, { error: fd });
    }
  });

  app.post(`${door.base}/account/2fa/recovery-codes`, async (request, reply) => {
    ctx.csrf.verify(request);
    const signedIn = await requireSignedIn(request);
    const codes = await services.twoFactor.regenerateRecoveryCodes(signedIn.person, request.ip);
    return send(reply, 200, recoveryCodesPage(chrome(request, reply, t('recovery.title'), signedIn.person), { codes, continueHref: `${door.base}/account` }));
  });

  app.post(`${door.base}/account/2fa/remove`, async (request, reply) => {
    ctx.csrf.verify(request);
    const signedIn = await requireSignedIn(request);
    try {
      await services.passwordChange.verifyCurrentPassword(signedIn.person, field(request.body, 'current_password'), request.ip);
    } catch (error) {
      const fd = refusal(error);
      withRetryAfter(reply, fd);
      return renderAccount(request, reply, signedIn, fd.status, { error: fd });
    }
    await services.twoFactor.remove(signedIn.person.id, { type: 'person', id: signedIn.person.id });
    const ended = field(request.body, 'end_other_sessions') === '1'
      ? await services.sessions.revokeAllFor(signedIn.person.id, 'two-factor authentication turned off', signedIn.session.id)
      : 0;
    return renderAccount(request, reply, signedIn, 200, { notice: t('account.twoFactorOffNotice', { ended }) });
  });
}
