import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Audience } from '../../core/audience.ts';
import { FrontdoorError, isFrontdoorError } from '../../core/errors.ts';
import { primaryEmail, type Person } from '../../core/people.ts';
import { safeReturnTo } from '../../core/return-to.ts';
import type { Session } from '../../core/sessions.ts';
import type { SecondFactorMethod } from '../../core/two-factor.ts';
import { isOidcApp } from '../../protocols/oidc/provider-config.ts';
import { readSessionCookie, setSessionCookie } from '../cookies.ts';
import { startOidcSignIn } from './sso.ts';
import { redirectSeeOther, type HttpContext, type SignedInPerson } from '../context.ts';
import { sendError } from '../errors.ts';
import type { SafeHtml } from '../html.ts';
import {
  accountPage, approvalsPage, bypassRequestPage, confirmEmailPage, confirmLinkPage, forgotPasswordPage, messagePage, recoveryCodesPage, resetPasswordPage,
  twoFactorChallengePage, twoFactorSetupPage,
} from '../pages/account.ts';
import type { PageChrome } from '../pages/layout.ts';

const LINK_NOTICES: Record<string, string> = {
  linked: 'The sign-in method is linked: you can sign in with it from now on.',
  already_linked: 'That sign-in method was already linked to your account.',
};

/** The account pages of one audience: the Help Center's for Users, the console's for Agents. */
export type AccountDoor = { audience: Audience; area: 'help-center' | 'agent'; base: '' | '/agent'; loginPath: string; homePath: string };

export const ACCOUNT_DOORS: AccountDoor[] = [
  { audience: 'users', area: 'help-center', base: '', loginPath: '/login', homePath: '/' },
  { audience: 'agents', area: 'agent', base: '/agent', loginPath: '/agent/login', homePath: '/agent' },
];

type Form = Record<string, unknown>;
const field = (body: unknown, name: string): string => {
  const value = (body as Form | undefined)?.[name];
  return typeof value === 'string' ? value : '';
};
const errorModel = (error: FrontdoorError | undefined) => error && { code: error.code, message: error.message };

/** Where a first factor sends the browser next: the second factor, its set-up, or the page it wanted. */
export function nextStepAfterFirstFactor(door: Pick<AccountDoor, 'loginPath' | 'homePath'>, session: Session, returnTo: string): string {
  const query = returnTo === door.homePath ? '' : `?return_to=${encodeURIComponent(returnTo)}`;
  if (session.restriction === 'second_factor') return `${door.loginPath}/2fa${query}`;
  if (session.restriction === 'two_factor_setup') return `${door.loginPath}/2fa/setup${query}`;
  return returnTo;
}

/** Where an external sign-in of this audience goes next: the page asked for, or the second factor. */
export function nextStepAfterExternalSignIn(audience: Audience, session: Session, returnTo: string): string {
  const door = audience === 'users' ? { loginPath: '/login', homePath: '/' } : { loginPath: '/agent/login', homePath: '/agent' };
  return nextStepAfterFirstFactor(door, session, returnTo);
}

export function registerAccountRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const { services } = ctx;
  const send = (reply: FastifyReply, status: number, page: SafeHtml) => reply.code(status).type('text/html; charset=utf-8').send(page.value);
  // Refusals a person can fix get the form again with the reason; anything else the error page.
  const refusal = (error: unknown): FrontdoorError => {
    if (!isFrontdoorError(error) || error.status >= 500) throw error;
    return error;
  };
  const withRetryAfter = (reply: FastifyReply, error: FrontdoorError) => {
    const seconds = error.details?.retryAfterSeconds;
    if (typeof seconds === 'number') reply.header('retry-after', String(seconds));
  };

  for (const door of ACCOUNT_DOORS) {
    const chrome = (request: FastifyRequest, reply: FastifyReply, title: string, person?: Person): PageChrome => ({
      title, area: door.area, ...(person ? { signedInAs: primaryEmail(person), csrfToken: ctx.csrf.tokenFor(request, reply) } : {}),
    });
    const returnToOf = (raw: unknown) => safeReturnTo(raw, services.config.publicUrl, door.homePath);

    /** The session waiting for its second factor (or its set-up), with its person. */
    const pendingOf = async (request: FastifyRequest, restriction: Session['restriction']): Promise<{ session: Session; person: Person }> => {
      const token = readSessionCookie(request, services.config, door.audience);
      const session = token ? await services.sessions.resolveRestricted(token, door.audience) : undefined;
      const person = session && (await services.people.get(session.personId));
      if (!session || !person || session.restriction !== restriction) {
        throw new FrontdoorError('auth.required', 'This sign-in has expired or was already completed. Please sign in again.');
      }
      return { session, person };
    };

    // --- The second factor at sign-in ------------------------------------------------------

    const renderChallenge = (request: FastifyRequest, reply: FastifyReply, person: Person, returnTo: string, status = 200, extra: { error?: FrontdoorError; notice?: string } = {}) =>
      send(reply, status, twoFactorChallengePage(chrome(request, reply, 'Two-factor authentication'), {
        action: `${door.loginPath}/2fa`, emailAction: `${door.loginPath}/2fa/email`, csrfToken: ctx.csrf.tokenFor(request, reply), returnTo,
        methods: person.twoFactor.methods, error: errorModel(extra.error), notice: extra.notice,
      }));

    app.get<{ Querystring: { return_to?: string } }>(`${door.loginPath}/2fa`, async (request, reply) => {
      const returnTo = returnToOf(request.query.return_to);
      let pending;
      try {
        pending = await pendingOf(request, 'second_factor');
      } catch {
        return reply.redirect(door.loginPath, 302);
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
        const started = await services.accountFlows.liftRestriction(person, session, request.ip);
        setSessionCookie(reply, services.config, door.audience, started.token);
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
      return renderChallenge(request, reply, person, returnTo, 200, { notice: `We sent a code to ${primaryEmail(person)}. It works once, for 10 minutes.` });
    });

    // --- Setting 2FA up: required at sign-in, or chosen on the account page --------------------

    const renderSetup = async (
      request: FastifyRequest, reply: FastifyReply, person: Person,
      where: { action: string; emailAction: string; returnTo?: string | undefined; required: boolean },
      status = 200, extra: { error?: FrontdoorError; notice?: string } = {},
    ) => {
      const enrolment = person.twoFactor.methods.includes('totp')
        ? undefined
        : ((await services.twoFactor.pendingTotp(person)) ?? (await services.twoFactor.beginTotp(person)));
      return send(reply, status, twoFactorSetupPage(chrome(request, reply, 'Set up two-factor authentication', where.required ? undefined : person), {
        heading: 'Set up two-factor authentication',
        intro: where.required
          ? 'Your organisation requires a second step at sign-in. Set it up now to continue.'
          : 'A second step at sign-in keeps your account safe even if your password leaks.',
        action: where.action, emailAction: where.emailAction, csrfToken: ctx.csrf.tokenFor(request, reply), returnTo: where.returnTo,
        enrolment: enrolment ?? { secret: '', qrDataUri: '' }, error: errorModel(extra.error), notice: extra.notice, offerEndOthers: !where.required,
      }));
    };
    const confirmSetup = async (person: Person, method: string, code: string, ip: string | undefined): Promise<string[]> => {
      if (method === 'totp') return services.twoFactor.confirmTotp(person, code, ip);
      if (method === 'email') return services.twoFactor.confirmEmailCodes(person, code, ip);
      throw new FrontdoorError('request.invalid', 'Choose an authenticator app or email codes.');
    };
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
        const started = await services.accountFlows.liftRestriction(person, session, request.ip);
        setSessionCookie(reply, services.config, door.audience, started.token);
        return send(reply, 200, recoveryCodesPage(chrome(request, reply, 'Recovery codes', person), { codes, continueHref: returnTo }));
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
      return renderSetup(request, reply, person, { ...signInSetup, returnTo }, 200, { notice: `We sent a code to ${primaryEmail(person)}.` });
    });

    // --- Password reset -------------------------------------------------------------------

    app.get(`${door.base}/password/forgot`, async (request, reply) => {
      // Invariant 7: under Automatic there is no password to reset; the identity service is the way in.
      const automatic = await services.apps.automaticApp(door.audience);
      if (automatic) return reply.redirect(`/sso/${automatic.slug}/start`, 302);
      // Nor while the password app is disabled: the sign-in page lists the methods that work.
      if (!(await services.apps.passwordApp(door.audience)).enabled) return reply.redirect(door.loginPath, 302);
      return send(reply, 200, forgotPasswordPage(chrome(request, reply, 'Reset your password'), {
        action: `${door.base}/password/forgot`, csrfToken: ctx.csrf.tokenFor(request, reply), sent: false,
      }));
    });

    app.post(`${door.base}/password/forgot`, async (request, reply) => {
      ctx.csrf.verify(request);
      const email = field(request.body, 'email').trim();
      if (!email) {
        const error = new FrontdoorError('request.invalid', 'Enter the email address of your account.');
        return send(reply, 400, forgotPasswordPage(chrome(request, reply, 'Reset your password'), {
          action: `${door.base}/password/forgot`, csrfToken: ctx.csrf.tokenFor(request, reply), sent: false, error: errorModel(error),
        }));
      }
      await services.accountFlows.requestPasswordReset({ audience: door.audience, email, ip: request.ip });
      return send(reply, 200, forgotPasswordPage(chrome(request, reply, 'Reset your password'), {
        action: `${door.base}/password/forgot`, csrfToken: ctx.csrf.tokenFor(request, reply), sent: true,
      }));
    });

    const renderReset = async (request: FastifyRequest, reply: FastifyReply, token: string, status = 200, error?: FrontdoorError) =>
      send(reply, status, resetPasswordPage(chrome(request, reply, 'Choose a new password'), {
        action: `${door.base}/password/reset`, csrfToken: ctx.csrf.tokenFor(request, reply), token,
        minLength: (await services.registration.settings()).passwordMinLength, error: errorModel(error),
      }));

    app.get<{ Querystring: { token?: string } }>(`${door.base}/password/reset`, async (request, reply) => {
      const token = request.query.token ?? '';
      const person = await services.accountFlows.checkResetLink(token);
      if (person.audience !== door.audience) throw new FrontdoorError('account.link_invalid', 'This link is not valid here.');
      return renderReset(request, reply, token);
    });

    app.post(`${door.base}/password/reset`, async (request, reply) => {
      ctx.csrf.verify(request);
      const token = field(request.body, 'token');
      try {
        await services.accountFlows.resetPassword({ audience: door.audience, token, password: field(request.body, 'password'), ip: request.ip });
      } catch (error) {
        const fd = refusal(error);
        if (fd.code.startsWith('password.')) return renderReset(request, reply, token, fd.status, fd);
        return sendError(request, reply, fd);
      }
      return send(reply, 200, messagePage(chrome(request, reply, 'Password changed'), {
        heading: 'Your password is changed', state: 'password-reset',
        message: 'You were signed out everywhere. Sign in with your new password.', links: [{ href: door.loginPath, label: 'Sign in' }],
      }));
    });

    // --- The account page: sessions, password, 2FA ---------------------------------------------

    const signedInOrRedirect = async (request: FastifyRequest, reply: FastifyReply): Promise<SignedInPerson | undefined> => {
      const signedIn = await ctx.signedIn(request, door.audience);
      if (!signedIn) reply.redirect(`${door.loginPath}?return_to=${encodeURIComponent(`${door.base}/account`)}`, 302);
      return signedIn;
    };
    const requireSignedIn = async (request: FastifyRequest): Promise<SignedInPerson> => {
      const signedIn = await ctx.signedIn(request, door.audience);
      if (!signedIn) throw new FrontdoorError('auth.required', 'Please sign in first.');
      return signedIn;
    };
    const renderAccount = async (request: FastifyRequest, reply: FastifyReply, signedIn: SignedInPerson, status = 200, extra: { error?: FrontdoorError; notice?: string } = {}) => {
      const person = (await services.people.get(signedIn.person.id))!;
      const sessions = (await services.sessions.list({ personId: person.id, audience: door.audience })).filter((s) => s.restriction === null);
      // Sign-in methods a person may link here themselves: OpenID Connect apps (the ones whose
      // round trip returns to this browser's session; JWT and SAML sign-ins are not linked here).
      const linkedIds = new Set(person.identities.map((i) => i.appId));
      const apps = (await services.apps.list(door.audience)).filter((a) => a.type !== 'password');
      const signInMethods = {
        linked: apps.filter((a) => linkedIds.has(a.id)).map((a) => ({ name: a.name })),
        linkable: apps.filter((a) => a.enabled && !linkedIds.has(a.id) && isOidcApp(a)).map((a) => ({ slug: a.slug, name: a.name })),
      };
      return send(reply, status, accountPage(chrome(request, reply, 'Your account', person), {
        signInMethods,
        base: door.base, person, current: signedIn.session, sessions, csrfToken: ctx.csrf.tokenFor(request, reply),
        recoveryCodesLeft: await services.twoFactor.recoveryCodesLeft(person.id),
        passwordMinLength: (await services.registration.settings()).passwordMinLength, error: errorModel(extra.error), notice: extra.notice,
      }));
    };

    app.get<{ Querystring: { notice?: string } }>(`${door.base}/account`, async (request, reply) => {
      const signedIn = await signedInOrRedirect(request, reply);
      if (!signedIn) return reply;
      return renderAccount(request, reply, signedIn, 200, { notice: LINK_NOTICES[request.query.notice ?? ''] });
    });

    // Linking a sign-in method while signed in (the way to join an account whose email was never
    // proven, issue 14): a POST with CSRF, so no other site can start it; the transaction names
    // this session, and the callback links only if the browser is still in it.
    app.post(`${door.base}/account/identities/link`, async (request, reply) => {
      ctx.csrf.verify(request);
      const signedIn = await requireSignedIn(request);
      const found = await services.apps.find(field(request.body, 'app'));
      if (!found || !found.enabled || found.audience !== door.audience || !isOidcApp(found)) {
        throw new FrontdoorError('sso.app_unavailable', 'This sign-in method does not exist, is turned off, or cannot be linked here.');
      }
      return startOidcSignIn(ctx, request, reply, found, `${door.base}/account`, { personId: signedIn.person.id, sessionId: signedIn.session.id });
    });

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
      return renderAccount(request, reply, signedIn, 200, { notice: 'The session was ended.' });
    });

    app.post(`${door.base}/account/sessions/end-others`, async (request, reply) => {
      ctx.csrf.verify(request);
      const signedIn = await requireSignedIn(request);
      const ended = await services.sessions.revokeAllFor(signedIn.person.id, 'ended from the account page', signedIn.session.id);
      await services.audit.record({
        action: 'session.revoked_others', outcome: 'success', audience: door.audience, actor: { type: 'person', id: signedIn.person.id },
        target: { type: 'person', id: signedIn.person.id }, ip: request.ip, details: { ended },
      });
      return renderAccount(request, reply, signedIn, 200, { notice: `${ended} other session${ended === 1 ? ' was' : 's were'} ended.` });
    });

    app.post(`${door.base}/account/password`, async (request, reply) => {
      ctx.csrf.verify(request);
      const signedIn = await requireSignedIn(request);
      try {
        const { endedSessions } = await services.accountFlows.changePassword({
          person: signedIn.person, sessionId: signedIn.session.id, current: field(request.body, 'current_password'),
          next: field(request.body, 'new_password'), endOtherSessions: field(request.body, 'end_other_sessions') === '1', ip: request.ip,
        });
        return renderAccount(request, reply, signedIn, 200, {
          notice: `Your password is changed.${endedSessions ? ` ${endedSessions} other session${endedSessions === 1 ? ' was' : 's were'} ended.` : ''}`,
        });
      } catch (error) {
        const fd = refusal(error);
        withRetryAfter(reply, fd);
        return renderAccount(request, reply, signedIn, fd.status, { error: fd });
      }
    });

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
      return renderSetup(request, reply, signedIn.person, accountSetup, 200, { notice: `We sent a code to ${primaryEmail(signedIn.person)}.` });
    });

    app.post(`${door.base}/account/2fa/confirm`, async (request, reply) => {
      ctx.csrf.verify(request);
      const signedIn = await requireSignedIn(request);
      try {
        const codes = await confirmSetup(signedIn.person, field(request.body, 'method'), field(request.body, 'code'), request.ip);
        if (field(request.body, 'end_other_sessions') === '1') {
          await services.sessions.revokeAllFor(signedIn.person.id, 'two-factor authentication turned on', signedIn.session.id);
        }
        return send(reply, 200, recoveryCodesPage(chrome(request, reply, 'Recovery codes', signedIn.person), { codes, continueHref: `${door.base}/account` }));
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
      return send(reply, 200, recoveryCodesPage(chrome(request, reply, 'Recovery codes', signedIn.person), { codes, continueHref: `${door.base}/account` }));
    });

    app.post(`${door.base}/account/2fa/remove`, async (request, reply) => {
      ctx.csrf.verify(request);
      const signedIn = await requireSignedIn(request);
      try {
        await services.accountFlows.verifyCurrentPassword(signedIn.person, field(request.body, 'current_password'), request.ip);
      } catch (error) {
        const fd = refusal(error);
        withRetryAfter(reply, fd);
        return renderAccount(request, reply, signedIn, fd.status, { error: fd });
      }
      await services.twoFactor.remove(signedIn.person.id, { type: 'person', id: signedIn.person.id });
      const ended = field(request.body, 'end_other_sessions') === '1'
        ? await services.sessions.revokeAllFor(signedIn.person.id, 'two-factor authentication turned off', signedIn.session.id)
        : 0;
      return renderAccount(request, reply, signedIn, 200, { notice: `Two-factor authentication is off.${ended ? ` ${ended} other sessions were ended.` : ''}` });
    });
  }

  // --- Email validation (Users) -------------------------------------------------------------

  const helpChrome = (title: string): PageChrome => ({ title, area: 'help-center' });

  const renderConfirmEmail = (request: FastifyRequest, reply: FastifyReply, token: string, status = 200, error?: FrontdoorError) =>
    send(reply, status, confirmEmailPage(helpChrome('Confirm your email'), {
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
      person = await services.accountFlows.validateEmail(token, field(request.body, 'password'), request.ip);
    } catch (error) {
      const fd = refusal(error);
      // A wrong password or a pause: the form again, the link still usable; a bad link: the error page.
      if (fd.code !== 'account.link_password_invalid' && fd.code !== 'auth.throttled') return sendError(request, reply, fd);
      withRetryAfter(reply, fd);
      return renderConfirmEmail(request, reply, token, fd.status, fd);
    }
    if (person.approvalPending) {
      return send(reply, 200, messagePage(helpChrome('Waiting for approval'), {
        heading: 'Email confirmed: waiting for approval', state: 'approval-pending',
        message: 'Thank you. An agent still has to approve your account; we will email you when they have.',
      }));
    }
    return send(reply, 200, messagePage(helpChrome('Email confirmed'), {
      heading: 'Email confirmed', state: 'email-validated', message: 'Your account is ready.', links: [{ href: '/login', label: 'Sign in' }],
    }));
  });

  app.post('/register/validate/resend', async (request, reply) => {
    ctx.csrf.verify(request);
    await services.accountFlows.resendValidation(field(request.body, 'email'), request.ip);
    return send(reply, 200, messagePage(helpChrome('Check your email'), {
      heading: 'Check your email', state: 'validation-resent', message: 'If an account with this address is waiting for confirmation, a new link is on its way.',
    }));
  });

  // --- The emailed admin bypass link (break-glass) -------------------------------------------

  const agentChrome = (title: string): PageChrome => ({ title, area: 'agent' });

  app.get('/agent/login/bypass', async (request, reply) =>
    send(reply, 200, bypassRequestPage(agentChrome('Admin sign-in link'), { csrfToken: ctx.csrf.tokenFor(request, reply), sent: false })),
  );

  app.post('/agent/login/bypass', async (request, reply) => {
    ctx.csrf.verify(request);
    await services.accountFlows.requestAdminBypass(field(request.body, 'email').trim(), request.ip);
    return send(reply, 200, bypassRequestPage(agentChrome('Admin sign-in link'), { csrfToken: ctx.csrf.tokenFor(request, reply), sent: true }));
  });

  app.get<{ Params: { token: string } }>('/agent/login/bypass/:token', async (request, reply) => {
    await services.accountFlows.checkBypassLink(request.params.token);
    return send(reply, 200, confirmLinkPage(agentChrome('Admin sign-in'), {
      heading: 'Admin sign-in', message: 'Sign in with this one-time link. It is written to the audit log.',
      action: `/agent/login/bypass/${encodeURIComponent(request.params.token)}`, csrfToken: ctx.csrf.tokenFor(request, reply), token: request.params.token, button: 'Sign in',
    }));
  });

  app.post<{ Params: { token: string } }>('/agent/login/bypass/:token', async (request, reply) => {
    ctx.csrf.verify(request);
    const person = await services.accountFlows.useAdminBypass(request.params.token, request.ip);
    const started = await services.accountFlows.startSession(person, { audience: 'agents', appId: null, ip: request.ip, userAgent: request.headers['user-agent'] });
    await services.audit.record({
      action: 'signin.bypass', outcome: 'success', audience: 'agents', actor: { type: 'person', id: person.id },
      target: { type: 'session', id: started.session.id }, ip: request.ip, details: { breakGlass: true },
    });
    setSessionCookie(reply, services.config, 'agents', started.token);
    return redirectSeeOther(reply, nextStepAfterFirstFactor(ACCOUNT_DOORS[1]!, started.session, '/agent'));
  });

  // --- Agent approval of new Users ------------------------------------------------------------

  const agentOrThrow = async (request: FastifyRequest) => {
    const agent = await ctx.signedIn(request, 'agents');
    if (!agent) throw new FrontdoorError('auth.required', 'Sign in as an agent first.');
    return agent;
  };
  const renderApprovals = async (request: FastifyRequest, reply: FastifyReply, agent: SignedInPerson, notice?: string) =>
    send(reply, 200, approvalsPage(
      { title: 'Approvals', area: 'agent', signedInAs: primaryEmail(agent.person), csrfToken: ctx.csrf.tokenFor(request, reply) },
      { people: await services.accountFlows.pendingApproval(), csrfToken: ctx.csrf.tokenFor(request, reply), notice },
    ));

  app.get('/agent/approvals', async (request, reply) => {
    const agent = await ctx.signedIn(request, 'agents');
    if (!agent) return reply.redirect('/agent/login?return_to=%2Fagent%2Fapprovals', 302);
    return renderApprovals(request, reply, agent);
  });

  app.post<{ Params: { id: string; verdict: string } }>('/agent/approvals/:id/:verdict', async (request, reply) => {
    ctx.csrf.verify(request);
    const agent = await agentOrThrow(request);
    if (!/^[0-9a-f-]{36}$/.test(request.params.id)) throw new FrontdoorError('person.not_found', 'No such person.');
    const actor = { type: 'person' as const, id: agent.person.id };
    if (request.params.verdict === 'approve') {
      const person = await services.accountFlows.approve(request.params.id, actor);
      return renderApprovals(request, reply, agent, `${person.name} is approved and was told by email.`);
    }
    if (request.params.verdict === 'reject') {
      await services.accountFlows.reject(request.params.id, actor);
      return renderApprovals(request, reply, agent, 'The registration was turned down and removed.');
    }
    throw new FrontdoorError('request.not_found', 'There is nothing at this address.');
  });
}
