import { t } from '../../i18n/t.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Audience } from '../../core/audience.ts';
import { FrontdoorError, isFrontdoorError } from '../../core/errors.ts';
import { safeReturnTo } from '../../core/return-to.ts';
import { clearSessionCookie } from '../cookies.ts';
import { continueAfterSignIn } from '../after-sign-in.ts';
import { redirectSeeOther, type HttpContext } from '../context.ts';
import { sendError } from '../errors.ts';
import { messagePage } from '../pages/account.ts';
import { loginPage, logoutPage, registerPage } from '../pages/sign-in.ts';
import { providerLogoutFor } from './sso.ts';

/** The sign-in doors of one audience: the Help Center's for Users, the console's for Agents. */
type Door = { audience: Audience; area: 'help-center' | 'agent'; base: string; loginPath: string; logoutPath: string; homePath: string };

const DOORS: Door[] = [
  { audience: 'users', area: 'help-center', base: '', loginPath: '/login', logoutPath: '/logout', homePath: '/' },
  { audience: 'agents', area: 'agent', base: '/agent', loginPath: '/agent/login', logoutPath: '/agent/logout', homePath: '/agent' },
];

/** The admins' password door when SSO is broken: `?break_glass=1`, or `?local=1` (the same door). */
const isBreakGlassFlag = (value: unknown) => value === '1';

type Form = Record<string, unknown>;
const field = (body: unknown, name: string): string | undefined => {
  const value = (body as Form | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
};

export function registerSignInRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const { services } = ctx;
  const html = (reply: FastifyReply, status: number, page: { value: string }) =>
    reply.code(status).type('text/html; charset=utf-8').send(page.value);

  for (const door of DOORS) {
    const returnToOf = (raw: unknown) => safeReturnTo(raw, services.config.publicUrl, door.homePath);

    const renderLogin = async (
      request: FastifyRequest,
      reply: FastifyReply,
      options: { returnTo: string; breakGlass: boolean; status?: number; email?: string; error?: FrontdoorError },
    ) => {
      const breakGlass = options.breakGlass;
      const apps = breakGlass ? [] : await services.apps.list(door.audience);
      const registerOpen = door.audience === 'users' && !breakGlass && (await services.registration.isOpen());
      // Under Automatic, or with the password app disabled, the reset pages are shut too
      // (invariant 7); the break-glass form offers the emailed link instead.
      const resetShut = Boolean(await services.apps.automaticApp(door.audience)) || !(await services.apps.passwordApp(door.audience)).enabled;
      return html(
        reply,
        options.status ?? 200,
        loginPage({
          area: door.area,
          action: door.loginPath,
          csrfToken: ctx.csrf.tokenFor(request, reply),
          returnTo: options.returnTo,
          showPasswordForm: breakGlass || (await services.passwordSignIn.isAvailable(door.audience)),
          buttons: apps.filter((a) => a.enabled && a.showButton && a.type !== 'password'),
          registerHref: registerOpen ? `/register${options.returnTo === '/' ? '' : `?return_to=${encodeURIComponent(options.returnTo)}`}` : undefined,
          breakGlass,
          forgotHref: resetShut ? undefined : `${door.base}/password/forgot`,
          bypassHref: door.audience === 'agents' ? '/agent/login/bypass' : undefined,
          email: options.email,
          error: options.error && { code: options.error.code, message: options.error.message },
        }),
      );
    };

    app.get<{ Querystring: { return_to?: string; break_glass?: string; local?: string } }>(door.loginPath, async (request, reply) => {
      const returnTo = returnToOf(request.query.return_to);
      if (await ctx.signedIn(request, door.audience)) return reply.redirect(returnTo, 302);
      const breakGlass = door.audience === 'agents' && (isBreakGlassFlag(request.query.break_glass) || isBreakGlassFlag(request.query.local));
      if (!breakGlass) {
        const automatic = await services.apps.automaticApp(door.audience);
        if (automatic) return reply.redirect(`/sso/${automatic.slug}/start?return_to=${encodeURIComponent(returnTo)}`, 302);
      }
      return renderLogin(request, reply, { returnTo, breakGlass });
    });

    app.post(door.loginPath, async (request, reply) => {
      ctx.csrf.verify(request);
      const body = request.body;
      const returnTo = returnToOf(field(body, 'return_to'));
      const breakGlass = door.audience === 'agents' && (isBreakGlassFlag(field(body, 'break_glass')) || isBreakGlassFlag(field(body, 'local')));
      const email = field(body, 'email') ?? '';
      const password = field(body, 'password') ?? '';
      try {
        if (!email || !password) throw new FrontdoorError('request.invalid', 'Enter your email and password.');
        const previous = await ctx.signedIn(request, door.audience);
        const signedIn = await services.passwordSignIn.signIn({
          audience: door.audience, email, password, breakGlass, ip: request.ip, userAgent: request.headers['user-agent'],
        });
        if (previous) await services.sessions.revoke(previous.session.id, 'replaced by a new sign-in');
        return continueAfterSignIn(reply, services.config, signedIn, returnTo);
      } catch (error) {
        if (!isFrontdoorError(error) || error.status >= 500) throw error;
        request.log.warn({ code: error.code, audience: door.audience }, 'sign-in refused');
        const retryAfter = error.details?.retryAfterSeconds;
        if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
        return renderLogin(request, reply, { returnTo, breakGlass, status: error.status, email, error });
      }
    });

    app.get(door.logoutPath, async (request, reply) => {
      const signedIn = await ctx.signedIn(request, door.audience);
      if (!signedIn) return reply.redirect(door.homePath, 302);
      return html(reply, 200, logoutPage({ title: t('signOut.heading'), area: door.area, action: door.logoutPath, csrfToken: ctx.csrf.tokenFor(request, reply) }));
    });

    app.post(door.logoutPath, async (request, reply) => {
      ctx.csrf.verify(request);
      const signedIn = await ctx.signedIn(request, door.audience);
      let landing = door.homePath;
      if (signedIn) {
        landing = (await providerLogoutFor(ctx, signedIn.session)) ?? door.homePath;
        await services.sessions.revoke(signedIn.session.id, 'signed out');
        await services.audit.record({
          action: 'signout', outcome: 'success', audience: door.audience, actor: { type: 'person', id: signedIn.person.id },
          target: { type: 'session', id: signedIn.session.id }, ip: request.ip,
        });
      }
      clearSessionCookie(reply, services.config, door.audience);
      return redirectSeeOther(reply, landing);
    });
  }

  const renderRegister = async (request: FastifyRequest, reply: FastifyReply, status: number, model: { returnTo: string; name?: string; email?: string; error?: FrontdoorError }) =>
    html(
      reply,
      status,
      registerPage({
        csrfToken: ctx.csrf.tokenFor(request, reply),
        passwordMinLength: (await services.registration.settings()).passwordMinLength,
        returnTo: model.returnTo,
        name: model.name,
        email: model.email,
        error: model.error && { code: model.error.code, message: model.error.message },
      }),
    );

  app.get<{ Querystring: { return_to?: string } }>('/register', async (request, reply) => {
    // Invariant 7: with an Automatic Users app, accounts come from its identity service only.
    const automatic = await services.apps.automaticApp('users');
    if (automatic) {
      const returnTo = safeReturnTo(request.query.return_to, services.config.publicUrl);
      return reply.redirect(`/sso/${automatic.slug}/start?return_to=${encodeURIComponent(returnTo)}`, 302);
    }
    if (!(await services.registration.isOpen())) {
      return sendError(request, reply, new FrontdoorError('registration.closed', 'Registration is closed. Ask the helpdesk for an account.'));
    }
    return renderRegister(request, reply, 200, { returnTo: safeReturnTo(request.query.return_to, services.config.publicUrl) });
  });

  app.post('/register', async (request, reply) => {
    ctx.csrf.verify(request);
    const body = request.body;
    const returnTo = safeReturnTo(field(body, 'return_to'), services.config.publicUrl);
    const name = field(body, 'name') ?? '';
    const email = field(body, 'email') ?? '';
    try {
      const outcome = await services.registration.register({ name, email, password: field(body, 'password') ?? '', ip: request.ip });
      // Not signed in while the email is unconfirmed or an agent has to approve: a page says what
      // is next. With validation on, a taken email gets this very page (its owner an email).
      const person = outcome.person;
      if (!person || outcome.emailValidationPending || outcome.approvalPending) {
        return html(reply, 201, messagePage({ title: t('register.created'), area: 'help-center' }, outcome.emailValidationPending
          ? {
              heading: t('register.checkEmail'), state: 'email-validation-pending',
              message: t('register.checkEmailMessage', { email: email.trim(), approval: outcome.approvalPending ? 'yes' : 'no' }),
            }
          : {
              heading: t('register.waiting'), state: 'approval-pending',
              message: t('register.waitingMessage'),
            }));
      }
      const started = await services.signInSessions.startSession(person, {
        audience: 'users', appId: (await services.apps.passwordApp('users')).id, ip: request.ip, userAgent: request.headers['user-agent'],
      });
      return continueAfterSignIn(reply, services.config, started, returnTo);
    } catch (error) {
      if (!isFrontdoorError(error) || error.status >= 500) throw error;
      request.log.warn({ code: error.code }, 'registration refused');
      if (error.code === 'registration.closed' || error.code === 'auth.method_disabled') return sendError(request, reply, error);
      return renderRegister(request, reply, error.status, { returnTo, name, email, error });
    }
  });
}
