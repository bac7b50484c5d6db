import type { Audience } from '../../../core/audience.ts';
import { LANGUAGES } from '../../../core/languages.ts';
import type { Person } from '../../../core/people.ts';
import { chooseLanguage } from '../../page-context-resolver.ts';
import { t } from '../../../i18n/t.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FrontdoorError } from '../../../core/errors.ts';
import { isOidcApp } from '../../../protocols/oidc/provider-config.ts';
import type { SignedInPerson } from '../../context.ts';
import { accountPage, type LanguageChoice } from '../../pages/account.ts';
import { startOidcSignIn } from '../sso.ts';
import { errorModel, field, refusal, send, withRetryAfter, type DoorRoutes, type Notices } from './doors.ts';

// The account page (sessions, password, 2FA, linked sign-in methods), linking a sign-in method
// and changing the password. The session and 2FA actions are in account-sessions.ts and
// account-two-factor.ts; each answers with this page again.

const LINK_NOTICES: Record<string, () => string> = {
  linked: () => t('account.linkedNotice'),
  already_linked: () => t('account.alreadyLinked'),
  language_saved: () => t('account.languageSaved'),
};

export type RenderAccount = (request: FastifyRequest, reply: FastifyReply, signedIn: SignedInPerson, status?: number, extra?: Notices) => Promise<FastifyReply>;

export function accountPageOf({ ctx, services, door, chrome }: DoorRoutes): RenderAccount {
  return async (request, reply, signedIn, status = 200, extra = {}) => {
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
    return send(reply, status, accountPage(chrome(request, reply, t('account.heading'), person), {
      signInMethods,
      base: door.base, person, current: signedIn.session, sessions, csrfToken: ctx.csrf.tokenFor(request, reply),
      recoveryCodesLeft: await services.twoFactor.recoveryCodesLeft(person.id), devices: await services.rememberedDevices.list(person.id),
      passwordMinLength: (await services.registration.settings()).passwordMinLength, error: errorModel(extra.error), notice: extra.notice,
      language: await languageChoiceOf(services, door.audience, person, request.headers['accept-language']),
    }));
  };
}

/** The languages a person of this audience may choose (the Help Center's offered ones; every one for agents). */
async function languageChoiceOf(services: DoorRoutes['services'], audience: Audience, person: Person, acceptLanguage: string | undefined): Promise<LanguageChoice> {
  const settings = await services.languages.settings();
  const offered = audience === 'users' ? settings.offered : LANGUAGES;
  return { own: person.language, offered, automatic: chooseLanguage({ acceptLanguage, offered, fallback: settings.defaultLanguage }) };
}

export function registerAccountPage(routes: DoorRoutes, renderAccount: RenderAccount): void {
  const { app, ctx, services, door, requireSignedIn } = routes;

  app.get<{ Querystring: { notice?: string } }>(`${door.base}/account`, async (request, reply) => {
    const signedIn = await ctx.signedIn(request, door.audience);
    if (!signedIn) return reply.redirect(`${door.loginPath}?return_to=${encodeURIComponent(`${door.base}/account`)}`, 302);
    return renderAccount(request, reply, signedIn, 200, { notice: LINK_NOTICES[request.query.notice ?? '']?.() });
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

  // Their own language, or back to following the browser (empty): POST-redirect-GET.
  app.post(`${door.base}/account/language`, async (request, reply) => {
    ctx.csrf.verify(request);
    const signedIn = await requireSignedIn(request);
    const chosen = field(request.body, 'language');
    const { offered } = await languageChoiceOf(services, door.audience, signedIn.person, undefined);
    const language = chosen === '' ? null : offered.find((l) => l === chosen);
    if (language === undefined) {
      throw new FrontdoorError('request.invalid', 'This language is not offered here.', { fields: [{ field: 'language', problem: 'not a language offered' }] });
    }
    await services.people.setLanguage(signedIn.person.id, door.audience, language);
    return reply.code(303).header('location', `${door.base}/account?notice=language_saved`).send();
  });

  app.post(`${door.base}/account/password`, async (request, reply) => {
    ctx.csrf.verify(request);
    const signedIn = await requireSignedIn(request);
    try {
      const { endedSessions, forgottenDevices } = await services.passwordChange.changePassword({
        person: signedIn.person, sessionId: signedIn.session.id, current: field(request.body, 'current_password'),
        next: field(request.body, 'new_password'), endOtherSessions: field(request.body, 'end_other_sessions') === '1', ip: request.ip,
      });
      return renderAccount(request, reply, signedIn, 200, {
        notice: t('account.passwordChanged', { ended: endedSessions, forgotten: forgottenDevices }),
      });
    } catch (error) {
      const fd = refusal(error);
      withRetryAfter(reply, fd);
      return renderAccount(request, reply, signedIn, fd.status, { error: fd });
    }
  });
}
