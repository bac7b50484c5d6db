import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthApp } from '../../core/apps.ts';
import { externalSettingsOf } from '../../core/account-resolution.ts';
import { FrontdoorError, isFrontdoorError } from '../../core/errors.ts';
import { safeReturnTo } from '../../core/return-to.ts';
import type { Session } from '../../core/sessions.ts';
import { completeOidcAuthorization, startOidcAuthorization } from '../../protocols/oidc/authorization.ts';
import { providerLogoutUrl, verifyLogoutToken } from '../../protocols/oidc/logout.ts';
import { profileFromClaims } from '../../protocols/oidc/profile.ts';
import { isOidcApp } from '../../protocols/oidc/provider-config.ts';
import { isSamlApp, samlUrlsFor } from '../../protocols/saml/settings.ts';
import { cookieOptions, setSessionCookie, SSO_ATTEMPTS_COOKIE } from '../cookies.ts';
import { samlLogoutUrlFor, startSamlSignIn } from './sso-saml.ts';
import { redirectSeeOther, type HttpContext } from '../context.ts';
import { sendError } from '../errors.ts';
import { sendTracedError } from '../refusal-traces.ts';
import { startJwtSignIn } from './sso-jwt.ts';
import { nextStepAfterSignIn as nextStepAfterExternalSignIn } from '../after-sign-in.ts';

/** The addresses an admin copies into the identity service. */
export function ssoUrlsFor(app: Pick<AuthApp, 'slug' | 'type' | 'config'>, publicUrl: URL): Record<string, string> {
  if (isSamlApp(app)) {
    const saml = samlUrlsFor(app, publicUrl);
    return { start: `${ssoBaseOf(app, publicUrl)}/start`, entityId: saml.entityId, acs: saml.acsUrl, slo: saml.sloUrl, metadata: saml.metadataUrl };
  }
  return oidcUrlsFor(app, publicUrl);
}

function ssoBaseOf(app: Pick<AuthApp, 'slug'>, publicUrl: URL): string {
  return `${publicUrl.origin}${publicUrl.pathname.replace(/\/$/, '')}/sso/${app.slug}`;
}

/** An OpenID Connect app's redirect URI and back-channel logout URI. */
export function oidcUrlsFor(app: Pick<AuthApp, 'slug'>, publicUrl: URL) {
  const base = ssoBaseOf(app, publicUrl);
  return { start: `${base}/start`, callback: `${base}/callback`, backchannelLogout: `${base}/backchannel-logout` };
}

const homeOf = (app: AuthApp) => (app.audience === 'users' ? '/' : '/agent');

// Loop guard: more starts than this within the window from one browser means something
// (blocked cookies, a misconfigured app) bounces people back and forth. Show a page instead.
const MAX_STARTS = 5;
const START_WINDOW_SECONDS = 120;
const ATTEMPTS_COOKIE = SSO_ATTEMPTS_COOKIE;

/**
 * Sends the browser to the OpenID Provider: the in-flight sign-in is saved first (state, PKCE,
 * nonce, bound to this browser). `link`: asked for from the account page by this session, whose
 * person the callback links the identity to instead of signing anyone in.
 */
export async function startOidcSignIn(
  ctx: HttpContext, request: FastifyRequest, reply: FastifyReply, found: AuthApp, returnTo: string,
  link?: { personId: string; sessionId: string },
): Promise<FastifyReply> {
  const { services } = ctx;
  let traceId: string | undefined;
  try {
    const configuration = await ctx.oidc.forApp(found, await services.apps.secretsOf(found.id), services.clock.now());
    const start = await startOidcAuthorization(configuration, found, oidcUrlsFor(found, services.config.publicUrl).callback);
    const browser = createHash('sha256').update(ctx.csrf.tokenFor(request, reply)).digest();
    traceId = await services.externalSignIn.begin(found, {
      state: start.state, returnTo, browserHash: browser, ip: request.ip,
      secrets: link ? { ...start.secrets, linkPersonId: link.personId, linkSessionId: link.sessionId } : start.secrets,
    });
    return reply.redirect(start.url.href, 302);
  } catch (error) {
    const shown = await services.externalSignIn.fail(found, traceId, asProviderError(error), { ip: request.ip });
    return sendError(request, reply, shown, { retryHref: `/sso/${found.slug}/start?retry=1${returnTo === homeOf(found) ? '' : `&return_to=${encodeURIComponent(returnTo)}`}` });
  }
}

export function registerSsoRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const { services } = ctx;
  const now = () => services.clock.now();
  // The browser this attempt belongs to: a digest of its CSRF token, which only this browser's cookie yields.
  const browserHash = (request: FastifyRequest, reply: FastifyReply) =>
    createHash('sha256').update(ctx.csrf.tokenFor(request, reply)).digest();

  const findSsoApp = async (slug: string): Promise<AuthApp> => {
    const found = await services.apps.find(slug);
    if (!found || !found.enabled || found.type === 'password') {
      throw new FrontdoorError('sso.app_unavailable', 'This sign-in method does not exist or is turned off.');
    }
    return found;
  };

  const retryHref = (found: AuthApp, returnTo: string) =>
    `/sso/${found.slug}/start?retry=1${returnTo === homeOf(found) ? '' : `&return_to=${encodeURIComponent(returnTo)}`}`;

  app.get<{ Params: { app: string }; Querystring: { return_to?: string; retry?: string } }>('/sso/:app/start', async (request, reply) => {
    const found = await findSsoApp(request.params.app);
    const returnTo = safeReturnTo(request.query.return_to, services.config.publicUrl, homeOf(found));
    if (!isOidcApp(found) && !isSamlApp(found) && found.type !== 'jwt') {
      throw new FrontdoorError('sso.protocol_unavailable', `Sign-in with ${found.name} (${found.type}) is not available in this version of Frontdoor.`);
    }
    if (!countStart(request, reply, ctx, request.query.retry === '1')) {
      return sendTracedError(
        services,
        request,
        reply,
        new FrontdoorError('sso.loop_detected', `Signing in with ${found.name} keeps coming back here without success. Check that cookies are allowed for this site, then try again.`),
        { retryHref: retryHref(found, returnTo), app: found },
      );
    }
    if (found.type === 'jwt') return startJwtSignIn(ctx, found, returnTo, reply);
    if (isSamlApp(found)) {
      try {
        return await startSamlSignIn(ctx, request, reply, found, returnTo, browserHash(request, reply));
      } catch (error) {
        const shown = await services.externalSignIn.fail(found, undefined, error, { ip: request.ip });
        return sendError(request, reply, shown, { retryHref: retryHref(found, returnTo) });
      }
    }
    return startOidcSignIn(ctx, request, reply, found, returnTo);
  });

  app.get<{ Params: { app: string }; Querystring: Record<string, string | undefined> }>('/sso/:app/callback', async (request, reply) => {
    const found = await findSsoApp(request.params.app);
    if (!isOidcApp(found)) throw new FrontdoorError('sso.app_unavailable', 'This sign-in method has no such endpoint.');
    let transaction;
    try {
      transaction = await services.externalSignIn.takeTransaction(found, request.query.state, browserHash(request, reply));
    } catch (error) {
      const shown = await services.externalSignIn.fail(found, (error as { traceId?: string }).traceId, error, { ip: request.ip });
      return sendError(request, reply, shown, { retryHref: retryHref(found, homeOf(found)) });
    }
    let claims: Record<string, unknown> | undefined;
    let clockSkewMs: number | undefined;
    try {
      const configuration = await ctx.oidc.forApp(found, await services.apps.secretsOf(found.id), now());
      const result = await completeOidcAuthorization(configuration, callbackUrlOf(found, request, services.config.publicUrl), {
        state: request.query.state!,
        codeVerifier: transaction.secrets.codeVerifier!,
        nonce: transaction.secrets.nonce!,
        emailClaim: (found.config as { claims: { email: string } }).claims.email,
        now: now(),
        clockToleranceSeconds: externalSettingsOf(found).clockToleranceSeconds,
      });
      ({ claims, clockSkewMs } = result);
      const profile = profileFromClaims(found, result.claims);
      const previous = await ctx.signedIn(request, found.audience);
      if (transaction.secrets.linkPersonId) {
        // Asked for from the account page: link to the signed-in person, no new session.
        const current = previous && { personId: previous.person.id, sessionId: previous.session.id };
        const outcome = await services.externalSignIn.linkFromAccount(found, transaction, profile, current, request.ip);
        reply.clearCookie(ATTEMPTS_COOKIE, cookieOptions(services.config));
        return redirectSeeOther(reply, `${transaction.returnTo}?notice=${outcome}`);
      }
      const signedIn = await services.externalSignIn.complete(found, transaction, profile, {
        ip: request.ip,
        userAgent: request.headers['user-agent'],
        clockSkewMs,
        external: { subject: String(result.claims.sub), sid: typeof result.claims.sid === 'string' ? result.claims.sid : undefined, idToken: result.idToken },
      });
      if (previous) await services.sessions.revoke(previous.session.id, 'replaced by a new sign-in');
      setSessionCookie(reply, services.config, found.audience, signedIn.token);
      reply.clearCookie(ATTEMPTS_COOKIE, cookieOptions(services.config));
      return redirectSeeOther(reply, nextStepAfterExternalSignIn(found.audience, signedIn.session, signedIn.returnTo));
    } catch (error) {
      const measuredSkew = isFrontdoorError(error) && typeof error.details?.clockSkewMs === 'number' ? error.details.clockSkewMs : undefined;
      const shown = await services.externalSignIn.fail(found, transaction.traceId, error, { ip: request.ip, claims, clockSkewMs: clockSkewMs ?? measuredSkew });
      return sendError(request, reply, shown, { retryHref: retryHref(found, transaction.returnTo) });
    }
  });

  // OpenID Connect Back-Channel Logout 1.0: the provider tells us a session ended there.
  app.post<{ Params: { app: string } }>('/sso/:app/backchannel-logout', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const fail = (error: FrontdoorError) => {
      request.log.warn({ code: error.code, detail: error.details?.detail }, 'back-channel logout refused');
      return reply.code(400).type('application/json').send({ error: 'invalid_request', error_description: error.message, code: error.code });
    };
    const found = await services.apps.find(request.params.app);
    if (!found || !found.enabled || !isOidcApp(found)) {
      return fail(new FrontdoorError('sso.app_unavailable', 'No such OpenID Connect app.'));
    }
    const token = (request.body as Record<string, unknown> | undefined)?.logout_token;
    if (typeof token !== 'string' || token.length > 20_000) return fail(new FrontdoorError('sso.logout_token_invalid', 'No logout_token in the request.'));
    try {
      const settings = externalSettingsOf(found);
      const configuration = await ctx.oidc.forApp(found, await services.apps.secretsOf(found.id), now());
      const claims = await verifyLogoutToken(configuration, token, { clockToleranceSeconds: settings.clockToleranceSeconds, now: now() });
      if (!(await services.replay.firstUse(found.id, claims.jti, new Date(claims.exp * 1000 + 600_000)))) {
        throw new FrontdoorError('sso.logout_token_invalid', 'This logout token was already used.', { check: 'jti_replay' });
      }
      const revoked = await services.sessions.revokeExternal(found.id, { sid: claims.sid, subject: claims.sub }, 'back-channel logout from the identity service');
      await services.audit.record({
        action: 'signout.backchannel', outcome: 'success', audience: found.audience, actor: { type: 'system' },
        target: { type: 'app', id: found.id }, details: { revoked, sid: claims.sid ?? null },
      });
      return reply.code(200).send();
    } catch (error) {
      if (!isFrontdoorError(error)) throw error;
      await services.audit.record({
        action: 'signout.backchannel', outcome: 'failure', reason: error.code, audience: found.audience, actor: { type: 'anonymous' },
        target: { type: 'app', id: found.id }, ip: request.ip, details: { check: error.details?.check ?? null },
      });
      return fail(error);
    }
  });
}

/**
 * Where signing out of a session should end: with an Automatic app, at the identity service
 * (its logout screen, so an Automatic sign-in does not start again at once); otherwise here.
 */
export async function providerLogoutFor(ctx: HttpContext, session: Session): Promise<string | undefined> {
  if (!session.appId) return undefined;
  const found = await ctx.services.apps.find(session.appId);
  if (!found || found.sso !== 'automatic') return undefined;
  if (isSamlApp(found)) return samlLogoutUrlFor(ctx, session, found);
  const settings = externalSettingsOf(found);
  // A JWT app's site has no protocol logout: its logout redirect URL is the way out.
  if (found.type === 'jwt') return settings.logoutUrl;
  if (!isOidcApp(found)) return undefined;
  try {
    const configuration = await ctx.oidc.forApp(found, await ctx.services.apps.secretsOf(found.id), ctx.services.clock.now());
    const url = providerLogoutUrl(configuration, {
      idToken: await ctx.services.externalSignIn.sealedIdTokenOf(session.id),
      postLogoutRedirectUri: (found.config as { postLogoutRedirectUri?: string }).postLogoutRedirectUri,
    });
    return url?.href ?? settings.logoutUrl;
  } catch {
    // The provider is unreachable: the local session is gone either way; use the fallback.
    return settings.logoutUrl;
  }
}

/**
 * The callback as the provider was told it: openid-client sends the URL it is given (minus the
 * query) as the token request's redirect_uri, which must equal the one in the authorization
 * request. Built from PUBLIC_URL, not from the request line, which a proxy serving Frontdoor
 * under a path (https://example.com/help) has already stripped of that path.
 */
function callbackUrlOf(app: AuthApp, request: FastifyRequest, publicUrl: URL): URL {
  const url = new URL(oidcUrlsFor(app, publicUrl).callback);
  url.search = new URL(request.url, publicUrl.origin).search;
  return url;
}

function countStart(request: FastifyRequest, reply: FastifyReply, ctx: HttpContext, reset: boolean): boolean {
  const nowSeconds = Math.floor(ctx.services.clock.now().getTime() / 1000);
  const [countText, sinceText] = (request.cookies[ATTEMPTS_COOKIE] ?? '').split('.');
  let count = Number(countText) || 0;
  let since = Number(sinceText) || nowSeconds;
  if (reset || nowSeconds - since > START_WINDOW_SECONDS) {
    count = 0;
    since = nowSeconds;
  }
  count += 1;
  reply.setCookie(ATTEMPTS_COOKIE, `${count}.${since}`, cookieOptions(ctx.services.config, START_WINDOW_SECONDS));
  return count <= MAX_STARTS;
}

function asProviderError(error: unknown): unknown {
  if (isFrontdoorError(error)) return error;
  return new FrontdoorError('sso.provider_error', 'The identity service could not be reached. Please try again in a moment.', {
    check: 'discovery',
    detail: (error as Error)?.message,
  });
}
