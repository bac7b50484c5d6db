import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthApp } from '../../core/apps.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { safeReturnTo } from '../../core/return-to.ts';
import type { Session } from '../../core/sessions.ts';
import { protocolOf, SIGN_IN_PROTOCOLS } from '../../protocols/registry.ts';
import type { SignInAttempt, SignInProtocol, StartAttempt } from '../../protocols/sign-in-protocol.ts';
import { cookieOptions, SSO_ATTEMPTS_COOKIE } from '../cookies.ts';
import type { HttpContext } from '../context.ts';
import { completeExternalSignIn, failExternalSignIn, homeOf, retryHrefOf } from '../external-sign-in-completion.ts';
import { noteWhoIsSignedIn } from '../errors.ts';
import { sendTracedError } from '../refusal-traces.ts';
import { takeTestTicket } from '../test-sign-in.ts';

// The SSO endpoints of every protocol: /sso/:app/start calls the app's protocol's `start`;
// each finish endpoint calls `finish`, then the one completion path. Extra routes (metadata,
// logout channels) come from the protocols themselves (src/protocols/registry.ts).

export { startOidcSignIn } from '../../protocols/oidc/sign-in.ts';
export { oidcUrlsFor } from '../../protocols/oidc/sign-in.ts';

/** The addresses an admin copies into the identity service (none for the password app). */
export function ssoUrlsFor(app: Pick<AuthApp, 'slug' | 'type' | 'config'>, publicUrl: URL): Record<string, string> | undefined {
  return protocolOf(app)?.urlsToCopy(app, publicUrl);
}

// Loop guard: more starts than this within the window from one browser means something
// (blocked cookies, a misconfigured app) bounces people back and forth. Show a page instead.
const MAX_STARTS = 5;
const START_WINDOW_SECONDS = 120;

export function registerSsoRoutes(app: FastifyInstance, ctx: HttpContext): void {
  const { services } = ctx;

  const findSsoApp = async (slug: string): Promise<{ found: AuthApp; protocol: SignInProtocol }> => {
    const found = await services.apps.find(slug);
    const protocol = found?.enabled ? protocolOf(found) : undefined;
    if (!found || !protocol) throw new FrontdoorError('sso.app_unavailable', 'This sign-in method does not exist or is turned off.');
    return { found, protocol };
  };

  app.get<{ Params: { app: string }; Querystring: { return_to?: string; retry?: string; test?: string } }>('/sso/:app/start', async (request, reply) => {
    const { found, protocol } = await findSsoApp(request.params.app);
    const attempt: StartAttempt = { returnTo: safeReturnTo(request.query.return_to, services.config.publicUrl, homeOf(found)) };
    if (request.query.test !== undefined) {
      // An admin's test sign-in: only with the ticket their session was issued, used up here;
      // the mark then lives in the server-side transaction alone (test-sign-in.ts).
      reply.header('cache-control', 'no-store');
      if (!protocol.testSignIn) throw new FrontdoorError('app.test_sign_in_unsupported', `${found.name} has no test sign-in: use its Test instead.`);
      attempt.test = await takeTestTicket(ctx, request, found, request.query.test);
    }
    // A test sign-in is one deliberate click with a one-time ticket, not a bounce: not counted.
    if (!attempt.test && !countStart(request, reply, ctx, request.query.retry === '1')) {
      const loop = new FrontdoorError('sso.loop_detected', `Signing in with ${found.name} keeps coming back here without success. Check that cookies are allowed for this site, then try again.`);
      // Sent here, not by the error handler: the header is noted for the app's audience.
      await noteWhoIsSignedIn(ctx, request, reply, loop, found.audience);
      return sendTracedError(services, request, reply, loop, { retryHref: retryHrefOf(found, attempt.returnTo), app: found });
    }
    try {
      return await protocol.start(ctx, request, reply, found, attempt);
    } catch (error) {
      return failExternalSignIn(ctx, request, reply, found, error, attempt);
    }
  });

  for (const protocol of SIGN_IN_PROTOCOLS) {
    for (const endpoint of protocol.finishEndpoints) {
      app.route<{ Params: { app: string } }>({
        method: endpoint.method,
        url: endpoint.path,
        ...(endpoint.bodyLimit ? { bodyLimit: endpoint.bodyLimit } : {}),
        handler: async (request, reply) => {
          // A sign-in answer is for this browser once: never cached on the way.
          reply.header('cache-control', 'no-store');
          const found = await services.apps.find(request.params.app);
          if (!found || !found.enabled || protocolOf(found) !== protocol) {
            throw new FrontdoorError('sso.app_unavailable', 'This sign-in method does not exist or is turned off.');
          }
          const attempt: SignInAttempt = {};
          try {
            return await completeExternalSignIn(ctx, request, reply, found, await protocol.finish(ctx, request, reply, found, attempt));
          } catch (error) {
            return failExternalSignIn(ctx, request, reply, found, error, attempt, protocol);
          }
        },
      });
    }
    protocol.registerRoutes?.(app, ctx);
  }
}

/**
 * Where signing out of a session should end: with an Automatic app, at the identity service
 * (its logout screen, so an Automatic sign-in does not start again at once); otherwise here.
 */
export async function providerLogoutFor(ctx: HttpContext, session: Session): Promise<string | undefined> {
  if (!session.appId) return undefined;
  const found = await ctx.services.apps.find(session.appId);
  if (!found || found.sso !== 'automatic') return undefined;
  return protocolOf(found)?.logoutUrl?.(ctx, session, found);
}

function countStart(request: FastifyRequest, reply: FastifyReply, ctx: HttpContext, reset: boolean): boolean {
  const nowSeconds = Math.floor(ctx.services.clock.now().getTime() / 1000);
  const [countText, sinceText] = (request.cookies[SSO_ATTEMPTS_COOKIE] ?? '').split('.');
  let count = Number(countText) || 0;
  let since = Number(sinceText) || nowSeconds;
  if (reset || nowSeconds - since > START_WINDOW_SECONDS) {
    count = 0;
    since = nowSeconds;
  }
  count += 1;
  reply.setCookie(SSO_ATTEMPTS_COOKIE, `${count}.${since}`, cookieOptions(ctx.services.config, START_WINDOW_SECONDS));
  return count <= MAX_STARTS;
}
