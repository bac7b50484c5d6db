import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JwtAppConfig } from '../../core/app-config.ts';
import type { AuthApp } from '../../core/apps.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { safeReturnTo } from '../../core/return-to.ts';
import { JwtKeySets, verificationKeyFor } from '../../protocols/jwt/keys.ts';
import { profileFromJwtClaims } from '../../protocols/jwt/profile.ts';
import { jwtReplayRefusal, verifySignInJwt, type JwtRefusal } from '../../protocols/jwt/verify.ts';
import { cookieOptions, setSessionCookie, SSO_ATTEMPTS_COOKIE } from '../cookies.ts';
import { redirectSeeOther, type HttpContext } from '../context.ts';
import { nextStepAfterSignIn as nextStepAfterExternalSignIn } from '../after-sign-in.ts';
import { sendError } from '../errors.ts';

// JWT single sign-on: the helpdesk owner's own website signs people in. Frontdoor sends the
// browser to the app's remote login URL with `return_to`; the site signs a short JWT for
// the signed-in person and sends the browser back to /sso/:app/jwt with it (form field or
// query parameter `jwt`). See docs/JWT.md.

const homeOf = (app: AuthApp) => (app.audience === 'users' ? '/' : '/agent');

/** The addresses of a JWT app: where sign-in starts, and where the signing site sends tokens. */
export function jwtUrlsFor(app: Pick<AuthApp, 'slug'>, publicUrl: URL) {
  const base = `${publicUrl.origin}${publicUrl.pathname.replace(/\/$/, '')}/sso/${app.slug}`;
  return { start: `${base}/start`, jwt: `${base}/jwt` };
}

/** /sso/:app/start for a JWT app: off to the remote login URL, with our address to come back to. */
export function startJwtSignIn(ctx: HttpContext, app: AuthApp, returnTo: string, reply: FastifyReply): FastifyReply {
  const back = new URL(jwtUrlsFor(app, ctx.services.config.publicUrl).jwt);
  if (returnTo !== homeOf(app)) back.searchParams.set('return_to', returnTo);
  const target = new URL((app.config as JwtAppConfig).remoteLoginUrl);
  target.searchParams.set('return_to', back.href);
  return reply.redirect(target.href, 302);
}

type Form = Record<string, unknown> | undefined;
const stringField = (source: unknown, name: string): string | undefined => {
  const value = (source as Form)?.[name];
  return typeof value === 'string' ? value : undefined;
};

export function registerJwtSsoRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const { services } = ctx;
  const keySets = new JwtKeySets();

  const findJwtApp = async (slug: string): Promise<AuthApp> => {
    const found = await services.apps.find(slug);
    if (!found || !found.enabled || found.type !== 'jwt') {
      throw new FrontdoorError('sso.app_unavailable', 'This sign-in method does not exist or is turned off.');
    }
    return found;
  };

  const signInWithJwt = async (request: FastifyRequest, reply: FastifyReply, token: unknown, rawReturnTo: string | undefined) => {
    reply.header('cache-control', 'no-store');
    const found = await findJwtApp((request.params as { app: string }).app);
    const returnTo = safeReturnTo(rawReturnTo, services.config.publicUrl, homeOf(found));
    const area = found.audience === 'agents' ? 'agent' : 'help-center';
    const retryHref = `/sso/${found.slug}/start?retry=1${returnTo === homeOf(found) ? '' : `&return_to=${encodeURIComponent(returnTo)}`}`;
    // No state parameter comes back: the token (signature, age, single-use jti) is what makes
    // the answer trustworthy; the trace is written with the outcome.
    const traceId = services.externalSignIn.beginUnsolicited();
    let claims: Record<string, unknown> | undefined;
    let clockSkewMs: number | undefined;
    try {
      const config = found.config as JwtAppConfig;
      const now = services.clock.now();
      const key = verificationKeyFor(config, await services.apps.secretsOf(found.id), keySets, now);
      // The jti is used up in the sign-in's first statement (the returning person's), not in a
      // round trip of its own; a reuse is refused there, before anything else is written.
      const verified = await verifySignInJwt(token, { config, key, now, firstUse: 'caller-uses-up' });
      ({ claims, clockSkewMs } = verified);
      const singleUse = {
        statement: services.replay.firstUseStatement(found.id, verified.jti, verified.singleUseUntil),
        refusal: () => jwtReplayRefusal(verified.jti, verified.claims),
      };
      const profile = profileFromJwtClaims(config, verified.claims);
      const previous = await ctx.signedIn(request, found.audience);
      const signedIn = await services.externalSignIn.complete(found, { traceId, returnTo }, profile, {
        ip: request.ip, userAgent: request.headers['user-agent'], clockSkewMs, external: { subject: profile.subject }, singleUse,
      });
      if (previous) await services.sessions.revoke(previous.session.id, 'replaced by a new sign-in');
      setSessionCookie(reply, services.config, found.audience, signedIn.token);
      reply.clearCookie(SSO_ATTEMPTS_COOKIE, cookieOptions(services.config));
      return redirectSeeOther(reply, nextStepAfterExternalSignIn(found.audience, signedIn.session, signedIn.returnTo));
    } catch (error) {
      const shown = await services.externalSignIn.fail(found, traceId, error, {
        ip: request.ip, claims: claims ?? (error as JwtRefusal).claims, clockSkewMs,
      });
      return sendError(request, reply, shown, { retryHref, area });
    }
  };

  // POST is preferred: the token stays out of URLs (history, logs, Referer).
  app.post<{ Params: { app: string }; Querystring: { return_to?: string } }>('/sso/:app/jwt', async (request, reply) =>
    signInWithJwt(request, reply, stringField(request.body, 'jwt'), stringField(request.body, 'return_to') ?? request.query.return_to),
  );

  app.get<{ Params: { app: string }; Querystring: { jwt?: string; return_to?: string } }>('/sso/:app/jwt', async (request, reply) =>
    signInWithJwt(request, reply, stringField(request.query, 'jwt'), stringField(request.query, 'return_to')),
  );
}
