import { t } from '../../../i18n/t.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FrontdoorError } from '../../../core/errors.ts';
import { primaryEmail, type Person } from '../../../core/people.ts';
import type { SecondFactorMethod } from '../../../core/two-factor.ts';
import { passRememberedDevice } from '../../after-sign-in.ts';
import { setDeviceCookie, setSessionCookie } from '../../cookies.ts';
import { redirectSeeOther } from '../../context.ts';
import { sendError } from '../../errors.ts';
import { twoFactorChallengePage } from '../../pages/account.ts';
import { errorModel, field, refusal, send, withRetryAfter, type DoorRoutes, type Notices } from './doors.ts';

// The second factor at sign-in: the session waits (restriction 'second_factor') until a
// code from the authenticator app, an emailed code or a recovery code finishes it.

export function registerTwoFactorChallenge({ app, ctx, services, door, chrome, returnToOf, pendingOf }: DoorRoutes): void {
  const renderChallenge = async (request: FastifyRequest, reply: FastifyReply, person: Person, returnTo: string, status = 200, extra: Notices = {}) =>
    send(reply, status, twoFactorChallengePage(chrome(request, reply, t('twoFactor.title')), {
      action: `${door.loginPath}/2fa`, emailAction: `${door.loginPath}/2fa/email`, csrfToken: ctx.csrf.tokenFor(request, reply), returnTo,
      methods: person.twoFactor.methods, error: errorModel(extra.error), notice: extra.notice,
      rememberDays: await services.rememberedDevices.offeredDays(door.audience),
    }));

  app.get<{ Querystring: { return_to?: string } }>(`${door.loginPath}/2fa`, async (request, reply) => {
    const returnTo = returnToOf(request.query.return_to);
    let pending;
    try {
      pending = await pendingOf(request, 'second_factor');
    } catch {
      return reply.redirect(door.loginPath, 302);
    }
    const remembered = await passRememberedDevice(request, services, pending);
    if (remembered) {
      setSessionCookie(reply, services.config, door.audience, remembered.token);
      return reply.redirect(returnTo, 302);
    }
    return renderChallenge(request, reply, pending.person, returnTo);
  });

  app.post(`${door.loginPath}/2fa`, async (request, reply) => {
    ctx.csrf.verify(request);
    const returnTo = returnToOf(field(request.body, 'return_to'));
    const { session, person } = await pendingOf(request, 'second_factor');
    const method = field(request.body, 'method') as SecondFactorMethod;
    try {
      if (!['totp', 'email', 'recovery'].includes(method)) throw new FrontdoorError('request.invalid', 'Choose how to confirm it is you.');
      await services.twoFactor.verify(person, method, field(request.body, 'code'), request.ip);
      const started = await services.signInSessions.liftRestriction(person, session, request.ip);
      setSessionCookie(reply, services.config, door.audience, started.token);
      if (field(request.body, 'remember_device') === '1') {
        const remembered = await services.rememberedDevices.remember(person, { ip: request.ip, userAgent: request.headers['user-agent'] });
        if (remembered) setDeviceCookie(reply, services.config, door.audience, remembered.token, remembered.device);
      }
      return redirectSeeOther(reply, returnTo);
    } catch (error) {
      const fd = refusal(error);
      withRetryAfter(reply, fd);
      if (fd.code === 'auth.required') return sendError(request, reply, fd);
      return renderChallenge(request, reply, person, returnTo, fd.status, { error: fd });
    }
  });

  app.post(`${door.loginPath}/2fa/email`, async (request, reply) => {
    ctx.csrf.verify(request);
    const returnTo = returnToOf(field(request.body, 'return_to'));
    const { person } = await pendingOf(request, 'second_factor');
    try {
      await services.twoFactor.sendEmailCode(person, request.ip);
    } catch (error) {
      const fd = refusal(error);
      withRetryAfter(reply, fd);
      return renderChallenge(request, reply, person, returnTo, fd.status, { error: fd });
    }
    return renderChallenge(request, reply, person, returnTo, 200, { notice: t('twoFactor.codeSentTimed', { email: primaryEmail(person) }) });
  });
}
