import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthApp } from '../../core/apps.ts';
import { FrontdoorError, type ErrorCode } from '../../core/errors.ts';
import { safeReturnTo } from '../../core/return-to.ts';
import type { HttpContext } from '../../http/context.ts';
import { areaOf, homeOf } from '../../http/external-sign-in-completion.ts';
import { ssoBaseOf, type SignInAttempt, type SignInProtocol, type StartAttempt, type VerifiedSignIn } from '../sign-in-protocol.ts';
import { diagnoseDirectory } from './diagnostics.ts';
import { LDAP_FIELDS } from './fields.ts';
import { ldapFormPage } from './form-page.ts';
import { LDAP_SECRET_KEYS, LdapAppConfigSchema, ldapSecretsFrom, ldapConfigOf } from './settings.ts';
import { checkDirectoryPassword } from './sign-in.ts';

// LDAP / Active Directory as a sign-in protocol (docs/LDAP.md): there is no identity service
// to send the browser to, so /sso/:app/start shows Frontdoor's own form, and its POST asks the
// directory, then goes down the one completion path like every other app (JIT, Auto Agent,
// usergroup mapping, second factor).

const ERROR_CODES: readonly ErrorCode[] = [
  'sso.ldap.unreachable', 'sso.ldap.service_bind_failed', 'sso.ldap.sync_running',
  'auth.invalid_credentials', 'auth.throttled', 'auth.account_disabled', 'request.csrf_invalid',
];

/** Refusals the person fixes by typing again: the form is shown again, as the password form does. */
const RETYPE = new Set<string>(['auth.invalid_credentials', 'auth.throttled', 'request.invalid']);

export function ldapUrlsFor(app: Pick<AuthApp, 'slug'>, publicUrl: URL) {
  const base = ssoBaseOf(app, publicUrl);
  return { start: `${base}/start`, form: `${base}/ldap` };
}

type Form = Record<string, unknown>;
const fieldOf = (request: FastifyRequest, name: string): string => {
  const value = (request.body as Form | undefined)?.[name];
  return typeof value === 'string' ? value : '';
};

const ldapSecretsOf = async (ctx: HttpContext, app: AuthApp) => ldapSecretsFrom(await ctx.services.apps.secretsOf(app.id));

function sendForm(ctx: HttpContext, request: FastifyRequest, reply: FastifyReply, app: AuthApp, status: number, model: { returnTo: string; username?: string; error?: FrontdoorError }) {
  reply.header('cache-control', 'no-store');
  return reply.code(status).type('text/html; charset=utf-8').send(ldapFormPage({
    area: areaOf(app), appName: app.name, action: `/sso/${app.slug}/ldap`, csrfToken: ctx.csrf.tokenFor(request, reply),
    returnTo: model.returnTo, username: model.username, error: model.error && { code: model.error.code, message: model.error.message },
  }).value);
}

async function startLdapSignIn(ctx: HttpContext, request: FastifyRequest, reply: FastifyReply, app: AuthApp, attempt: StartAttempt): Promise<FastifyReply> {
  return sendForm(ctx, request, reply, app, 200, { returnTo: attempt.returnTo });
}

async function finishLdapSignIn(ctx: HttpContext, request: FastifyRequest, _reply: FastifyReply, app: AuthApp, attempt: SignInAttempt): Promise<VerifiedSignIn> {
  const { services } = ctx;
  attempt.returnTo = safeReturnTo(fieldOf(request, 'return_to') || undefined, services.config.publicUrl, homeOf(app));
  // No redirect answer to bind to a transaction: the form's CSRF token binds the post to this
  // browser (login CSRF), so there is nothing saved at start and the trace is written once.
  attempt.traceId = services.externalSignIn.beginUnsolicited();
  ctx.csrf.verify(request);
  const username = fieldOf(request, 'username');
  const password = fieldOf(request, 'password');
  if (!username.trim() || !password) throw new FrontdoorError('request.invalid', 'Enter your username and password.');
  const { profile } = await checkDirectoryPassword(services.throttle, ldapConfigOf(app), await ldapSecretsOf(ctx, app), {
    appId: app.id, audience: app.audience, username, password, ip: request.ip,
  });
  attempt.claims = profile.claims;
  return { transaction: { traceId: attempt.traceId, returnTo: attempt.returnTo }, profile, external: { subject: profile.subject } };
}

export const ldapProtocol: SignInProtocol = {
  name: 'ldap',
  presets: {
    ldap: {
      name: 'LDAP / Active Directory', schema: LdapAppConfigSchema,
      fields: LDAP_FIELDS,
    },
  },
  urlLabels: { form: 'Sign-in form (posted to)' },
  secretKeys: LDAP_SECRET_KEYS,
  errorCodes: ERROR_CODES,
  urlsToCopy: ldapUrlsFor,
  start: startLdapSignIn,
  finishEndpoints: [{ method: 'POST', path: '/sso/:app/ldap', bodyLimit: 16_384 }],
  finish: finishLdapSignIn,
  refusalPage(ctx, request, reply, app, refusal, attempt) {
    if (!RETYPE.has(refusal.code)) return undefined;
    const retryAfter = refusal.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
    return sendForm(ctx, request, reply, app, refusal.status, { returnTo: attempt.returnTo ?? homeOf(app), username: fieldOf(request, 'username').slice(0, 256), error: refusal });
  },
  logoutUrl: async (_ctx, _session, app) => ldapConfigOf(app).logoutUrl,
  diagnose: async (ctx, app) => {
    const config = ldapConfigOf(app);
    const { checks, sample } = await diagnoseDirectory(config, await ldapSecretsOf(ctx, app), config.testUsername);
    return { checks, ...(sample ? { mapped: sample } : {}) };
  },
};
