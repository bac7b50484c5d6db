import { t } from '../../../i18n/t.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FrontdoorError } from '../../../core/errors.ts';
import type { Person } from '../../../core/people.ts';
import type { HttpContext } from '../../context.ts';
import { sendError } from '../../errors.ts';
import { confirmEmailPage, messagePage } from '../../pages/account.ts';
import type { PageChrome } from '../../pages/layout.ts';
import { errorModel, field, refusal, send, withRetryAfter } from './doors.ts';

// Email validation of new Users (Help Center only): the link, its password, and a new link.

export function registerEmailValidation(app: FastifyInstance, ctx: HttpContext): void {
  const { services } = ctx;
  const helpChrome = (title: string): PageChrome => ({ title, area: 'help-center' });

  const renderConfirmEmail = (request: FastifyRequest, reply: FastifyReply, token: string, status = 200, error?: FrontdoorError) =>
    send(reply, status, confirmEmailPage(helpChrome(t('confirmEmail.title')), {
      action: '/register/validate', csrfToken: ctx.csrf.tokenFor(request, reply), token, error: errorModel(error),
    }));

  app.get<{ Querystring: { token?: string } }>('/register/validate', async (request, reply) => {
    const token = request.query.token ?? '';
    await services.accountTokens.peek('email_validation', token);
    return renderConfirmEmail(request, reply, token);
  });

  app.post('/register/validate', async (request, reply) => {
    ctx.csrf.verify(request);
    const token = field(request.body, 'token');
    let person: Person;
    try {
      person = await services.emailValidation.validateEmail(token, field(request.body, 'password'), request.ip);
    } catch (error) {
      const fd = refusal(error);
      // A wrong password or a pause: the form again, the link still usable; a bad link: the error page.
      if (fd.code !== 'account.link_password_invalid' && fd.code !== 'auth.throttled') return sendError(request, reply, fd);
      withRetryAfter(reply, fd);
      return renderConfirmEmail(request, reply, token, fd.status, fd);
    }
    if (person.approvalPending) {
      return send(reply, 200, messagePage(helpChrome(t('confirmEmail.waitingTitle')), {
        heading: t('confirmEmail.waitingHeading'), state: 'approval-pending',
        message: t('confirmEmail.waitingMessage'),
      }));
    }
    return send(reply, 200, messagePage(helpChrome(t('confirmEmail.doneTitle')), {
      heading: t('confirmEmail.doneTitle'), state: 'email-validated', message: t('confirmEmail.ready'), links: [{ href: '/login', label: t('signIn.submit') }],
    }));
  });

  app.post('/register/validate/resend', async (request, reply) => {
    ctx.csrf.verify(request);
    await services.emailValidation.resendValidation(field(request.body, 'email'), request.ip);
    return send(reply, 200, messagePage(helpChrome(t('register.checkEmail')), {
      heading: t('register.checkEmail'), state: 'validation-resent', message: t('confirmEmail.resentMessage'),
    }));
  });
}
