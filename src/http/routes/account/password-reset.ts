import { t } from '../../../i18n/t.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FrontdoorError } from '../../../core/errors.ts';
import { sendError } from '../../errors.ts';
import { forgotPasswordPage, messagePage, resetPasswordPage } from '../../pages/account.ts';
import { errorModel, field, refusal, send, type DoorRoutes } from './doors.ts';

// "Forgot your password?": asking for the link, and the new password it sets.

export function registerPasswordReset({ app, ctx, services, door, chrome }: DoorRoutes): void {
  app.get(`${door.base}/password/forgot`, async (request, reply) => {
    // Invariant 7: under Automatic there is no password to reset; the identity service is the way in.
    const automatic = await services.apps.automaticApp(door.audience);
    if (automatic) return reply.redirect(`/sso/${automatic.slug}/start`, 302);
    // Nor while the password app is disabled: the sign-in page lists the methods that work.
    if (!(await services.apps.passwordApp(door.audience)).enabled) return reply.redirect(door.loginPath, 302);
    return send(reply, 200, forgotPasswordPage(chrome(request, reply, t('forgot.heading')), {
      action: `${door.base}/password/forgot`, csrfToken: ctx.csrf.tokenFor(request, reply), sent: false,
    }));
  });

  app.post(`${door.base}/password/forgot`, async (request, reply) => {
    ctx.csrf.verify(request);
    const email = field(request.body, 'email').trim();
    if (!email) {
      const error = new FrontdoorError('request.invalid', 'Enter the email address of your account.');
      return send(reply, 400, forgotPasswordPage(chrome(request, reply, t('forgot.heading')), {
        action: `${door.base}/password/forgot`, csrfToken: ctx.csrf.tokenFor(request, reply), sent: false, error: errorModel(error),
      }));
    }
    await services.passwordReset.requestPasswordReset({ audience: door.audience, email, ip: request.ip });
    return send(reply, 200, forgotPasswordPage(chrome(request, reply, t('forgot.heading')), {
      action: `${door.base}/password/forgot`, csrfToken: ctx.csrf.tokenFor(request, reply), sent: true,
    }));
  });

  const renderReset = async (request: FastifyRequest, reply: FastifyReply, token: string, status = 200, error?: FrontdoorError) =>
    send(reply, status, resetPasswordPage(chrome(request, reply, t('reset.heading')), {
      action: `${door.base}/password/reset`, csrfToken: ctx.csrf.tokenFor(request, reply), token,
      minLength: (await services.registration.settings()).passwordMinLength, error: errorModel(error),
    }));

  app.get<{ Querystring: { token?: string } }>(`${door.base}/password/reset`, async (request, reply) => {
    const token = request.query.token ?? '';
    const person = await services.passwordReset.checkResetLink(token);
    if (person.audience !== door.audience) throw new FrontdoorError('account.link_invalid', 'This link is not valid here.');
    return renderReset(request, reply, token);
  });

  app.post(`${door.base}/password/reset`, async (request, reply) => {
    ctx.csrf.verify(request);
    const token = field(request.body, 'token');
    try {
      await services.passwordReset.resetPassword({ audience: door.audience, token, password: field(request.body, 'password'), ip: request.ip });
    } catch (error) {
      const fd = refusal(error);
      if (fd.code.startsWith('password.')) return renderReset(request, reply, token, fd.status, fd);
      return sendError(request, reply, fd);
    }
    return send(reply, 200, messagePage(chrome(request, reply, t('reset.doneTitle')), {
      heading: t('reset.doneHeading'), state: 'password-reset',
      message: t('reset.doneMessage'), links: [{ href: door.loginPath, label: t('signIn.submit') }],
    }));
  });
}
