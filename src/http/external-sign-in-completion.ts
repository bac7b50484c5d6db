import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthApp } from '../core/apps.ts';
import { isFrontdoorError } from '../core/errors.ts';
import { checkedProfile } from '../core/external-profile-text.ts';
import { testOwnerOf, type SsoTransaction } from '../core/sso-transactions.ts';
import type { SignInAttempt, SignInProtocol, VerifiedSignIn } from '../protocols/sign-in-protocol.ts';
import { continueAfterSignIn } from './after-sign-in.ts';
import { cookieOptions, SSO_ATTEMPTS_COOKIE } from './cookies.ts';
import { redirectSeeOther, type HttpContext } from './context.ts';
import { noteWhoIsSignedIn, sendError } from './errors.ts';
import { reportRefusedTestSignIn, reportTestSignIn } from './test-sign-in.ts';

// The one tail of every external sign-in (OIDC callback, SAML ACS, JWT endpoint, and any
// protocol added later): the protocol's `finish` verified the answer; what follows is the same
// for all of them, written once so that it cannot drift between protocols again.

export const homeOf = (app: Pick<AuthApp, 'audience'>) => (app.audience === 'users' ? '/' : '/agent');
export const areaOf = (app: Pick<AuthApp, 'audience'>) => (app.audience === 'users' ? 'help-center' : 'agent') as 'help-center' | 'agent';

/** The browser an attempt belongs to: a digest of its CSRF token, which only this browser's cookie yields. */
export function browserHashOf(ctx: HttpContext, request: FastifyRequest, reply: FastifyReply): Buffer {
  return createHash('sha256').update(ctx.csrf.tokenFor(request, reply)).digest();
}

/**
 * The attempt a redirect answer (`?state=`) belongs to, taken once and only by the browser
 * that started it, before anything else is done with the answer (login CSRF, replay,
 * RFC 6749 section 10.12); noted in `attempt` for the trace of a later refusal.
 */
export async function takeRedirectAttempt(
  ctx: HttpContext, request: FastifyRequest, reply: FastifyReply, app: AuthApp, attempt: SignInAttempt,
): Promise<SsoTransaction> {
  const state = (request.query as Record<string, string | undefined>).state;
  const transaction = await ctx.services.externalSignIn.takeTransaction(app, state, browserHashOf(ctx, request, reply));
  attempt.traceId = transaction.traceId;
  attempt.returnTo = transaction.returnTo;
  attempt.test = testOwnerOf(transaction.secrets);
  return transaction;
}

/** Start again, back to where the first attempt was going (return_to kept unless it is home). */
export function retryHrefOf(app: Pick<AuthApp, 'slug' | 'audience'>, returnTo: string | undefined): string {
  const back = returnTo && returnTo !== homeOf(app) ? `&return_to=${encodeURIComponent(returnTo)}` : '';
  return `/sso/${app.slug}/start?retry=1${back}`;
}

/**
 * A verified sign-in becomes a session: the browser's previous session of this audience is
 * read BEFORE the new one exists (read after, the lookup could find the new cookie's session
 * or none, and the old session would survive: session fixation's cousin), then revoked.
 * A link asked for from the account page links instead and starts no session.
 */
export async function completeExternalSignIn(
  ctx: HttpContext, request: FastifyRequest, reply: FastifyReply, app: AuthApp, verified: VerifiedSignIn,
): Promise<FastifyReply> {
  const { services } = ctx;
  // Text someone else typed (a display name), checked before anything is stored or traced.
  const signIn = { ...verified, profile: checkedProfile(verified.profile) };
  const { transaction } = signIn;
  // An admin's test sign-in (marked only in its server-side transaction): a report for their
  // session, and no person, identity, session or cookie is created or changed. The admin's
  // own cookie may not even arrive here (a SAML ACS is a cross-site POST); the report page is
  // where their session is checked.
  const test = testOwnerOf(transaction.secrets);
  if (test) {
    const reportId = await reportTestSignIn(ctx, app, signIn, test, request.ip);
    return redirectSeeOther(reply, `/admin/apps/${app.id}/test-sign-in/${reportId}`);
  }
  const previous = await ctx.signedIn(request, app.audience);
  if (transaction.secrets?.linkPersonId) {
    const current = previous && { personId: previous.person.id, sessionId: previous.session.id };
    const outcome = await services.externalSignIn.linkFromAccount(app, { traceId: transaction.traceId, secrets: transaction.secrets }, signIn.profile, current, request.ip);
    reply.clearCookie(SSO_ATTEMPTS_COOKIE, cookieOptions(services.config));
    return redirectSeeOther(reply, `${transaction.returnTo}?notice=${outcome}`);
  }
  const signedIn = await services.externalSignIn.complete(app, transaction, signIn.profile, {
    ip: request.ip,
    userAgent: request.headers['user-agent'],
    clockSkewMs: signIn.clockSkewMs,
    external: signIn.external,
    singleUse: signIn.singleUse,
  });
  if (previous) await services.sessions.revoke(previous.session.id, 'replaced by a new sign-in');
  reply.clearCookie(SSO_ATTEMPTS_COOKIE, cookieOptions(services.config));
  return continueAfterSignIn(reply, services.config, signedIn, signedIn.returnTo);
}

/**
 * A refused start or answer: traced and audited, then the error page with a retry link that
 * keeps return_to (or, for a refusal at its finish endpoint, the protocol's own page for it).
 */
export async function failExternalSignIn(
  ctx: HttpContext, request: FastifyRequest, reply: FastifyReply, app: AuthApp, error: unknown, attempt: SignInAttempt,
  protocol?: Pick<SignInProtocol, 'refusalPage'>,
): Promise<FastifyReply> {
  const known = isFrontdoorError(error) ? error : undefined;
  // Without a trace yet (refused before its attempt was found), fail() writes a new one.
  const shown = await ctx.services.externalSignIn.fail(app, attempt.traceId ?? known?.traceId, error, {
    ip: request.ip,
    claims: attempt.claims ?? known?.claims,
    clockSkewMs: attempt.clockSkewMs ?? known?.clockSkewMs,
  });
  if (attempt.test) {
    const reportId = await reportRefusedTestSignIn(ctx, app, shown, attempt.claims ?? known?.claims, attempt.test, request.ip);
    return redirectSeeOther(reply, `/admin/apps/${app.id}/test-sign-in/${reportId}`);
  }
  const own = shown.status < 500 ? protocol?.refusalPage?.(ctx, request, reply, app, shown, attempt) : undefined;
  if (own) {
    request.log.warn({ code: shown.code, traceId: shown.traceId, app: app.slug }, 'sign-in refused');
    return own;
  }
  // This page is sent here, not by the error handler: it notes the signed-in header itself, for the app's audience.
  await noteWhoIsSignedIn(ctx, request, reply, shown, app.audience);
  return sendError(request, reply, shown, { retryHref: retryHrefOf(app, attempt.returnTo), area: areaOf(app) });
}
