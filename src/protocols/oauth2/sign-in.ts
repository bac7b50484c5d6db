import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { storedConfigOf } from '../../core/app-config.ts';
import type { AuthApp } from '../../core/apps.ts';
import { FrontdoorError, type ErrorCode } from '../../core/errors.ts';
import type { HttpContext } from '../../http/context.ts';
import { browserHashOf, takeRedirectAttempt } from '../../http/external-sign-in-completion.ts';
import { ssoBaseOf, type SignInAttempt, type SignInProtocol, type StartAttempt, type VerifiedSignIn } from '../sign-in-protocol.ts';
import { GITHUB_FIELDS } from './fields.ts';
import { GitHubConfigSchema, type GitHubConfig } from './config.ts';
import { diagnoseGitHubApp } from './diagnostics.ts';
import { authorizeUrl, fetchGitHubProfile, redeemCode } from './github-api.ts';

// OAuth 2.0 sign-in for providers without OpenID Connect (RFC 6749 authorization code with
// RFC 7636 PKCE); the person comes from the provider's API. One preset: GitHub (docs/OAUTH2.md).

const ERROR_CODES: readonly ErrorCode[] = ['sso.state_invalid', 'sso.browser_mismatch', 'sso.cancelled', 'sso.code_invalid', 'sso.provider_error'];

export function oauth2UrlsFor(app: Pick<AuthApp, 'slug'>, publicUrl: URL) {
  const base = ssoBaseOf(app, publicUrl);
  return { start: `${base}/start`, callback: `${base}/oauth2/callback` };
}

/** Transaction secrets of an OAuth 2.0 attempt. */
type OAuth2Secrets = { codeVerifier: string };

// The stored config was validated at install; its secret is kept apart (secretsOf).
const StoredConfigSchema = GitHubConfigSchema.omit({ clientSecret: true });
const configOf = (app: AuthApp): Omit<GitHubConfig, 'clientSecret'> => storedConfigOf(app, StoredConfigSchema);

async function startOAuth2SignIn(ctx: HttpContext, request: FastifyRequest, reply: FastifyReply, app: AuthApp, attempt: StartAttempt): Promise<FastifyReply> {
  const state = randomBytes(32).toString('base64url');
  const secrets: OAuth2Secrets = { codeVerifier: randomBytes(32).toString('base64url') };
  const codeChallenge = createHash('sha256').update(secrets.codeVerifier).digest('base64url');
  attempt.traceId = await ctx.services.externalSignIn.begin(app, {
    state, returnTo: attempt.returnTo, browserHash: browserHashOf(ctx, request, reply), ip: request.ip, secrets, test: attempt.test,
  });
  const url = authorizeUrl(configOf(app), { redirectUri: oauth2UrlsFor(app, ctx.services.config.publicUrl).callback, state, codeChallenge });
  return reply.redirect(url.href, 302);
}

async function finishOAuth2SignIn(ctx: HttpContext, request: FastifyRequest, reply: FastifyReply, app: AuthApp, attempt: SignInAttempt): Promise<VerifiedSignIn> {
  const { services } = ctx;
  const query = request.query as Record<string, string | undefined>;
  // State first: no code is redeemed for an answer that belongs to no attempt of this browser.
  const transaction = await takeRedirectAttempt(ctx, request, reply, app, attempt);
  if (query.error) {
    const detail = `${query.error}${query.error_description ? `: ${query.error_description}` : ''}`;
    if (query.error === 'access_denied') throw new FrontdoorError('sso.cancelled', 'Sign-in was cancelled or refused at the identity service.', { check: 'authorization_response', detail });
    throw new FrontdoorError('sso.provider_error', 'The identity service refused the sign-in.', { check: 'authorization_response', detail });
  }
  if (!query.code) throw new FrontdoorError('sso.code_invalid', 'The identity service sent no sign-in code. Please start again.', { check: 'authorization_response' });
  const config = configOf(app);
  const secret = (await services.apps.secretsOf(app.id)).clientSecret;
  if (typeof secret !== 'string') throw new FrontdoorError('sso.provider_error', 'This sign-in method has no client secret.', { check: 'client_secret' });
  const token = await redeemCode(config, secret, {
    code: query.code, redirectUri: oauth2UrlsFor(app, services.config.publicUrl).callback, codeVerifier: (transaction.secrets as OAuth2Secrets).codeVerifier,
  });
  const profile = await fetchGitHubProfile(config, token);
  attempt.claims = profile.claims;
  return { transaction, profile, external: { subject: profile.subject } };
}

export const oauth2Protocol: SignInProtocol = {
  name: 'oauth2',
  presets: {
    github: {
      name: 'GitHub', schema: GitHubConfigSchema,
      fields: GITHUB_FIELDS,
    },
  },
  urlLabels: { callback: 'Redirect URI (callback)' },
  secretKeys: ['clientSecret'],
  errorCodes: ERROR_CODES,
  urlsToCopy: oauth2UrlsFor,
  start: startOAuth2SignIn,
  testSignIn: true,
  finishEndpoints: [{ method: 'GET', path: '/sso/:app/oauth2/callback' }],
  finish: finishOAuth2SignIn,
  // GitHub has no logout endpoint for OAuth apps: the app's logout URL, if any.
  logoutUrl: async (_ctx, _session, app) => configOf(app).logoutUrl,
  diagnose: async (ctx, app) => ({
    checks: await diagnoseGitHubApp(configOf(app), (await ctx.services.apps.secretsOf(app.id)).clientSecret, oauth2UrlsFor(app, ctx.services.config.publicUrl).callback),
  }),
};
