import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthApp } from '../../core/apps.ts';
import type { ErrorCode } from '../../core/errors.ts';
import { safeReturnTo } from '../../core/return-to.ts';
import type { HttpContext } from '../../http/context.ts';
import { browserHashOf, homeOf, takeRedirectAttempt } from '../../http/external-sign-in-completion.ts';
import { ssoBaseOf, type SignInAttempt, type SignInProtocol, type StartAttempt, type VerifiedSignIn } from '../sign-in-protocol.ts';
import { jwtConfigOf, JwtConfigSchema } from './config.ts';
import { diagnoseJwtApp } from './diagnostics.ts';
import { JWT_FIELDS } from './fields.ts';
import { JwtKeySets, verificationKeyFor } from './keys.ts';
import { profileFromJwtClaims } from './profile.ts';
import { jwtReplayRefusal, verifySignInJwt } from './verify.ts';

// JWT single sign-on: the helpdesk owner's own website signs people in. Frontdoor sends the
// browser to the app's remote login URL with `return_to`; the site signs a short JWT for
// the signed-in person and sends the browser back to /sso/:app/jwt with it (form field or
// query parameter `jwt`; POST is preferred: the token stays out of URLs, history, logs and
// Referer). See docs/JWT.md.

const ERROR_CODES: readonly ErrorCode[] = [
  'sso.jwt.missing', 'sso.jwt.malformed', 'sso.jwt.too_large', 'sso.jwt.algorithm_not_allowed', 'sso.jwt.header_refused',
  'sso.jwt.signature_invalid', 'sso.jwt.expired', 'sso.jwt.not_yet_valid', 'sso.jwt.issued_in_future', 'sso.jwt.too_old',
  'sso.jwt.claim_missing', 'sso.jwt.claim_invalid', 'sso.jwt.issuer_mismatch', 'sso.jwt.audience_mismatch', 'sso.jwt.replayed',
  'sso.jwt.key_unavailable',
];

/** The addresses of a JWT app: where sign-in starts, and where the signing site sends tokens. */
export function jwtUrlsFor(app: Pick<AuthApp, 'slug'>, publicUrl: URL) {
  const base = ssoBaseOf(app, publicUrl);
  return { start: `${base}/start`, jwt: `${base}/jwt` };
}

/**
 * /sso/:app/start for a JWT app: off to the remote login URL, with our address to come back to.
 * An admin's test sign-in alone keeps a transaction: its `state` rides in that address, and the
 * answer takes it back (bound to this browser) to find the test mark, server-side.
 */
async function startJwtSignIn(ctx: HttpContext, request: FastifyRequest, reply: FastifyReply, app: AuthApp, attempt: StartAttempt): Promise<FastifyReply> {
  const back = new URL(jwtUrlsFor(app, ctx.services.config.publicUrl).jwt);
  if (attempt.returnTo !== homeOf(app)) back.searchParams.set('return_to', attempt.returnTo);
  if (attempt.test) {
    const state = randomBytes(32).toString('base64url');
    attempt.traceId = await ctx.services.externalSignIn.begin(app, {
      state, returnTo: attempt.returnTo, browserHash: browserHashOf(ctx, request, reply), ip: request.ip, secrets: {}, test: attempt.test,
    });
    back.searchParams.set('state', state);
  }
  const target = new URL(jwtConfigOf(app).remoteLoginUrl);
  target.searchParams.set('return_to', back.href);
  return reply.redirect(target.href, 302);
}

type Form = Record<string, unknown> | undefined;
const stringField = (source: unknown, name: string): string | undefined => {
  const value = (source as Form)?.[name];
  return typeof value === 'string' ? value : undefined;
};

// JWKS caches per server (tests start several servers in one process).
const keySetsOf = new WeakMap<HttpContext, JwtKeySets>();

/** The key a JWT app's tokens are verified with: the sign-in's, and the admin's pasted-token check's. */
export async function jwtVerificationKeyOf(ctx: HttpContext, app: AuthApp, now: Date) {
  let keySets = keySetsOf.get(ctx);
  if (!keySets) keySetsOf.set(ctx, (keySets = new JwtKeySets()));
  return verificationKeyFor(jwtConfigOf(app), await ctx.services.apps.secretsOf(app.id), keySets, now);
}

async function finishJwtSignIn(ctx: HttpContext, request: FastifyRequest, reply: FastifyReply, found: AuthApp, attempt: SignInAttempt): Promise<VerifiedSignIn> {
  const { services } = ctx;
  reply.header('cache-control', 'no-store');
  const fields = request.method === 'POST' ? request.body : request.query;
  const token = stringField(fields, 'jwt');
  const rawReturnTo = stringField(fields, 'return_to') ?? (request.method === 'POST' ? stringField(request.query, 'return_to') : undefined);
  const returnTo = safeReturnTo(rawReturnTo, services.config.publicUrl, homeOf(found));
  // No state parameter comes back: the token (signature, age, single-use jti) is what makes
  // the answer trustworthy; the trace is written with the outcome. Only an admin's test
  // sign-in has a state (see startJwtSignIn), taken once and only by the browser that started it.
  const hasState = typeof (request.query as Form)?.state === 'string';
  const taken = hasState ? await takeRedirectAttempt(ctx, request, reply, found, attempt) : undefined;
  attempt.returnTo = taken?.returnTo ?? returnTo;
  attempt.traceId = taken?.traceId ?? services.externalSignIn.beginUnsolicited();
  const config = jwtConfigOf(found);
  const now = services.clock.now();
  const key = await jwtVerificationKeyOf(ctx, found, now);
  // The jti is used up in the sign-in's first statement (the returning person's), not in a
  // round trip of its own; a reuse is refused there, before anything else is written.
  const verified = await verifySignInJwt(token, { config, key, now, firstUse: 'caller-uses-up' });
  attempt.claims = verified.claims;
  attempt.clockSkewMs = verified.clockSkewMs;
  const profile = profileFromJwtClaims(config, verified.claims);
  return {
    transaction: taken ?? { traceId: attempt.traceId, returnTo },
    profile,
    clockSkewMs: verified.clockSkewMs,
    external: { subject: profile.subject },
    singleUse: {
      statement: services.replay.firstUseStatement(found.id, verified.jti, verified.singleUseUntil),
      refusal: () => jwtReplayRefusal(verified.jti, verified.claims),
    },
  };
}

export const jwtProtocol: SignInProtocol = {
  name: 'jwt',
  presets: {
    jwt: {
      name: 'JWT', schema: JwtConfigSchema,
      fields: JWT_FIELDS,
    },
  },
  urlLabels: { start: 'Sign-in start', jwt: 'JWT endpoint' },
  secretKeys: ['sharedSecret'],
  errorCodes: ERROR_CODES,
  urlsToCopy: jwtUrlsFor,
  start: startJwtSignIn,
  testSignIn: true,
  finishEndpoints: [{ method: 'POST', path: '/sso/:app/jwt' }, { method: 'GET', path: '/sso/:app/jwt' }],
  finish: finishJwtSignIn,
  diagnose: async (ctx, app) => ({
    checks: await diagnoseJwtApp(jwtConfigOf(app), await ctx.services.apps.secretsOf(app.id), ctx.services.clock.now()),
  }),
  // A JWT app's site has no protocol logout: its logout redirect URL is the way out.
  logoutUrl: async (_ctx, _session, app) => jwtConfigOf(app).logoutUrl,
  // Without a lost-password page of its own, the site's login page is where people recover.
  lostPasswordUrl: (app) => {
    const config = jwtConfigOf(app);
    return config.lostPasswordUrl ?? config.remoteLoginUrl;
  },
};
