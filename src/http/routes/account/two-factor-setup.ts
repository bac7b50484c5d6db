import { t } from '../../../i18n/t.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FrontdoorError } from '../../../core/errors.ts';
import { primaryEmail, type Person } from '../../../core/people.ts';
import { setSessionCookie } from '../../cookies.ts';
import { sendError } from '../../errors.ts';
import { recoveryCodesPage, twoFactorSetupPage } from '../../pages/account.ts';
import { errorModel, field, refusal, send, withRetryAfter, type DoorRoutes, type Notices } from './doors.ts';

// Setting 2FA up: required at sign-in (the session waits, restriction 'two_factor_setup'), or
// chosen on the account page (account-two-factor.ts); one form for both.

export type SetupPlace = { action: string; emailAction: string; returnTo?: string | undefined; required: boolean };

export function twoFactorSetup({ ctx, services, chrome }: DoorRoutes) {
  const renderSetup = async (request: FastifyRequest, reply: FastifyReply, person: Person, where: SetupPlace, status = 200, extra: Notices = {}) => {
    const enrolment = person.twoFactor.methods.includes('totp')
      ? undefined
      : ((await services.twoFactor.pendingTotp(person)) ?? (await services.twoFactor.beginTotp(person)));
    return send(reply, status, twoFactorSetupPage(chrome(request, reply, t('twoFactorSetup.heading'), where.required ? undefined : person), {
      heading: t('twoFactorSetup.heading'),
      intro: where.required
        ? t('twoFactorSetup.required')
        : t('twoFactorSetup.optional'),
      action: where.action, emailAction: where.emailAction, csrfToken: ctx.csrf.tokenFor(request, reply), returnTo: where.returnTo,
      enrolment: enrolment ?? { secret: '', qrDataUri: '' }, error: errorModel(extra.error), notice: extra.notice, offerEndOthers: !where.required,
    }));
  };
  const confirmSetup = async (person: Person, method: string, code: string, ip: string | undefined): Promise<string[]> => {
    if (method === 'totp') return services.twoFactor.confirmTotp(person, code, ip);
    if (method === 'email') return services.twoFactor.confirmEmailCodes(person, code, ip);
    throw new FrontdoorError('request.invalid', 'Choose an authenticator app or email codes.');
  };
  return { renderSetup, confirmSetup };
}

export function registerTwoFactorSetupAtSignIn(routes: DoorRoutes): void {
  const { app, ctx, services, door, chrome, returnToOf, pendingOf } = routes;
  const { renderSetup, confirmSetup } = twoFactorSetup(routes);
  const signInSetup = { action: `${door.loginPath}/2fa/setup`, emailAction: `${door.loginPath}/2fa/setup/email`, required: true };

  app.get<{ Querystring: { return_to?: string } }>(`${door.loginPath}/2fa/setup`, async (request, reply) => {
    let pending;
    try {
      pending = await pendingOf(request, 'two_factor_setup');
    } catch {
      return reply.redirect(door.loginPath, 302);
    }
    return renderSetup(request, reply, pending.person, { ...signInSetup, returnTo: returnToOf(request.query.return_to) });
  });

  app.post(`${door.loginPath}/2fa/setup`, async (request, reply) => {
    ctx.csrf.verify(request);
    const returnTo = returnToOf(field(request.body, 'return_to'));
    const { session, person } = await pendingOf(request, 'two_factor_setup');
    try {
      const codes = await confirmSetup(person, field(request.body, 'method'), field(request.body, 'code'), request.ip);
      const started = await services.signInSessions.liftRestriction(person, session, request.ip);
      setSessionCookie(reply, services.config, door.audience, started.token);
      return send(reply, 200, recoveryCodesPage(chrome(request, reply, t('recovery.title'), person), { codes, continueHref: returnTo }));
    } catch (error) {
      const fd = refusal(error);
      withRetryAfter(reply, fd);
      if (fd.code === 'auth.required') return sendError(request, reply, fd);
      return renderSetup(request, reply, person, { ...signInSetup, returnTo }, fd.status, { error: fd });
    }
  });

  app.post(`${door.loginPath}/2fa/setup/email`, async (request, reply) => {
    ctx.csrf.verify(request);
    const returnTo = returnToOf(field(request.body, 'return_to'));
    const { person } = await pendingOf(request, 'two_factor_setup');
    await services.twoFactor.sendEmailCode(person, request.ip);
    return renderSetup(request, reply, person, { ...signInSetup, returnTo }, 200, { notice: t('twoFactor.codeSent', { email: primaryEmail(person) }) });
  });
}
