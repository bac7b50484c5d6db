import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { externalSettingsOf } from '../../core/account-resolution.ts';
import type { AuthApp } from '../../core/apps.ts';
import { FrontdoorError, isFrontdoorError, type ErrorCode } from '../../core/errors.ts';
import type { Session } from '../../core/sessions.ts';
import type { HttpContext } from '../../http/context.ts';
import { browserHashOf, failExternalSignIn, takeRedirectAttempt } from '../../http/external-sign-in-completion.ts';
import { ssoBaseOf, type SignInAttempt, type SignInProtocol, type StartAttempt, type VerifiedSignIn } from '../sign-in-protocol.ts';
import { OIDC_CONFIG_SCHEMAS } from './config.ts';
import { completeOidcAuthorization, startOidcAuthorization } from './authorization.ts';
import { diagnoseOidcApp } from './diagnostics.ts';
import { providerLogoutUrl, verifyLogoutToken } from './logout.ts';
import { profileFromClaims } from './profile.ts';
import { OIDC_FIELDS, OIDC_MANAGED_KEYS } from './fields.ts';
import { oidcSettingsOf } from './presets.ts';
import { isOidcApp } from './provider-config.ts';

// OpenID Connect relying party: Google, Microsoft, Okta and OneLogin are presets of it
// (src/protocols/registry.ts); see docs/OIDC.md.

const ERROR_CODES: readonly ErrorCode[] = [
  'sso.state_invalid', 'sso.browser_mismatch', 'sso.code_invalid', 'sso.cancelled', 'sso.provider_error', 'sso.token_invalid',
  'sso.hosted_domain_mismatch', 'sso.logout_token_invalid',
];

/** An OpenID Connect app's redirect URI and back-channel logout URI. */
export function oidcUrlsFor(app: Pick<AuthApp, 'slug'>, publicUrl: URL) {
  const base = ssoBaseOf(app, publicUrl);
  return { start: `${base}/start`, callback: `${base}/callback`, backchannelLogout: `${base}/backchannel-logout` };
}

/** Transaction secrets of an OIDC attempt (PKCE, nonce; a link from the account page names who asked). */
type OidcSecrets = { codeVerifier: string; nonce: string; linkPersonId?: string; linkSessionId?: string };

async function redirectToProvider(
  ctx: HttpContext, request: FastifyRequest, reply: FastifyReply, found: AuthApp, attempt: StartAttempt, link?: { personId: string; sessionId: string },
): Promise<FastifyReply> {
  const { services } = ctx;
  try {
    const configuration = await ctx.oidc.forApp(found, await services.apps.secretsOf(found.id), services.clock.now());
    const start = await startOidcAuthorization(configuration, found, oidcUrlsFor(found, services.config.publicUrl).callback);
    const secrets: OidcSecrets = link ? { ...start.secrets, linkPersonId: link.personId, linkSessionId: link.sessionId } : start.secrets;
    attempt.traceId = await services.externalSignIn.begin(found, {
      state: start.state, returnTo: attempt.returnTo, browserHash: browserHashOf(ctx, request, reply), ip: request.ip, secrets, test: attempt.test,
    });
    return reply.redirect(start.url.href, 302);
  } catch (error) {
    throw asProviderError(error);
  }
}

/**
 * Sends the browser to the OpenID Provider: the in-flight sign-in is saved first (state, PKCE,
 * nonce, bound to this browser). `link`: asked for from the account page by this session, whose
 * person the callback links the identity to instead of signing anyone in.
 */
export async function startOidcSignIn(
  ctx: HttpContext, request: FastifyRequest, reply: FastifyReply, found: AuthApp, returnTo: string,
  link?: { personId: string; sessionId: string },
): Promise<FastifyReply> {
  const attempt: StartAttempt = { returnTo };
  try {
    return await redirectToProvider(ctx, request, reply, found, attempt, link);
  } catch (error) {
    return failExternalSignIn(ctx, request, reply, found, error, attempt);
  }
}

async function finishOidcSignIn(ctx: HttpContext, request: FastifyRequest, reply: FastifyReply, found: AuthApp, attempt: SignInAttempt): Promise<VerifiedSignIn> {
  const { services } = ctx;
  const query = request.query as Record<string, string | undefined>;
  const transaction = await takeRedirectAttempt(ctx, request, reply, found, attempt);
  const secrets = transaction.secrets as OidcSecrets;
  const now = services.clock.now();
  const configuration = await ctx.oidc.forApp(found, await services.apps.secretsOf(found.id), now);
  const result = await completeOidcAuthorization(configuration, callbackUrlOf(found, request, services.config.publicUrl), {
    state: query.state!,
    codeVerifier: secrets.codeVerifier,
    nonce: secrets.nonce,
    emailClaim: oidcSettingsOf(found).claims.email,
    now,
    clockToleranceSeconds: externalSettingsOf(found).clockToleranceSeconds,
  });
  attempt.claims = result.claims;
  attempt.clockSkewMs = result.clockSkewMs;
  return {
    transaction,
    profile: profileFromClaims(found, result.claims),
    clockSkewMs: result.clockSkewMs,
    external: { subject: String(result.claims.sub), sid: typeof result.claims.sid === 'string' ? result.claims.sid : undefined, idToken: result.idToken },
  };
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

// OpenID Connect Back-Channel Logout 1.0: the provider tells us a session ended there.
function registerBackChannelLogout(fastify: FastifyInstance, ctx: HttpContext): void {
  const { services } = ctx;
  fastify.post<{ Params: { app: string } }>('/sso/:app/backchannel-logout', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const fail = (error: FrontdoorError) => {
      request.log.warn({ code: error.code, detail: error.internalDetail }, 'back-channel logout refused');
      return reply.code(400).type('application/json').send({ error: 'invalid_request', error_description: error.message, code: error.code });
    };
    const found = await services.apps.find(request.params.app);
    if (!found || !found.enabled || !isOidcApp(found)) {
      return fail(new FrontdoorError('sso.app_unavailable', 'No such OpenID Connect app.'));
    }
    const token = (request.body as Record<string, unknown> | undefined)?.logout_token;
    if (typeof token !== 'string' || token.length > 20_000) return fail(new FrontdoorError('sso.logout_token_invalid', 'No logout_token in the request.'));
    const now = services.clock.now();
    try {
      const settings = externalSettingsOf(found);
      const configuration = await ctx.oidc.forApp(found, await services.apps.secretsOf(found.id), now);
      const claims = await verifyLogoutToken(configuration, token, { clockToleranceSeconds: settings.clockToleranceSeconds, now });
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
        target: { type: 'app', id: found.id }, ip: request.ip, details: { check: error.failedCheck ?? null },
      });
      return fail(error);
    }
  });
}

/** RP-initiated logout at the provider; without an end_session_endpoint, the app's logout URL. */
async function oidcLogoutUrl(ctx: HttpContext, session: Session, found: AuthApp): Promise<string | undefined> {
  const settings = externalSettingsOf(found);
  try {
    const configuration = await ctx.oidc.forApp(found, await ctx.services.apps.secretsOf(found.id), ctx.services.clock.now());
    const url = providerLogoutUrl(configuration, {
      idToken: await ctx.services.externalSignIn.sealedIdTokenOf(session.id),
      postLogoutRedirectUri: oidcSettingsOf(found).postLogoutRedirectUri,
    });
    return url?.href ?? settings.logoutUrl;
  } catch {
    // The provider is unreachable: the local session is gone either way; use the fallback.
    return settings.logoutUrl;
  }
}

function asProviderError(error: unknown): unknown {
  if (isFrontdoorError(error)) return error;
  return new FrontdoorError('sso.provider_error', 'The identity service could not be reached. Please try again in a moment.', {
    check: 'discovery',
    detail: (error as Error)?.message,
  });
}

export const oidcProtocol: SignInProtocol = {
  name: 'oidc',
  presets: {
    oidc: { name: 'OpenID Connect', schema: OIDC_CONFIG_SCHEMAS.oidc, fields: OIDC_FIELDS.oidc, managedKeys: OIDC_MANAGED_KEYS },
    google: { name: 'Google', schema: OIDC_CONFIG_SCHEMAS.google, fields: OIDC_FIELDS.google, managedKeys: OIDC_MANAGED_KEYS },
    microsoft: { name: 'Microsoft', schema: OIDC_CONFIG_SCHEMAS.microsoft, fields: OIDC_FIELDS.microsoft, managedKeys: OIDC_MANAGED_KEYS },
    okta: { name: 'Okta', schema: OIDC_CONFIG_SCHEMAS.okta, fields: OIDC_FIELDS.okta, managedKeys: OIDC_MANAGED_KEYS },
    onelogin: { name: 'OneLogin', schema: OIDC_CONFIG_SCHEMAS.onelogin, fields: OIDC_FIELDS.onelogin, managedKeys: OIDC_MANAGED_KEYS },
  },
  urlLabels: { start: 'Sign-in start', callback: 'Redirect URI (callback)', backchannelLogout: 'Back-channel logout URI' },
  secretKeys: ['clientSecret', 'privateKeyJwk'],
  errorCodes: ERROR_CODES,
  urlsToCopy: oidcUrlsFor,
  start: (ctx, request, reply, app, attempt) => redirectToProvider(ctx, request, reply, app, attempt),
  testSignIn: true,
  finishEndpoints: [{ method: 'GET', path: '/sso/:app/callback' }],
  finish: finishOidcSignIn,
  registerRoutes: registerBackChannelLogout,
  logoutUrl: oidcLogoutUrl,
  diagnose: async (ctx, app) => ({
    checks: await diagnoseOidcApp(ctx.oidc, app, await ctx.services.apps.secretsOf(app.id), ctx.services.clock.now()),
  }),
};
