import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { StartedSession } from '../core/account/sign-in-sessions.ts';
import type { Audience } from '../core/audience.ts';
import type { Person } from '../core/people.ts';
import type { Services } from '../core/services.ts';
import type { Session } from '../core/sessions.ts';
import { readDeviceCookie, setSessionCookie } from './cookies.ts';
import { redirectSeeOther } from './context.ts';

/**
 * The next step after a first factor, for every way in (password form, registration, the admin
 * bypass link, and external sign-ins through completeExternalSignIn):
 *
 *   nextStepAfterSignIn(audience, session, returnTo): string
 *     where the browser goes now: the second-factor challenge when the session waits for it
 *     (restriction 'second_factor'), the 2FA set-up when the person must enrol first
 *     ('two_factor_setup'), else `returnTo`. The 2FA pages carry `return_to` on, unless it is
 *     the audience's home. `returnTo` must already have passed safeReturnTo (core/return-to.ts).
 *
 *   continueAfterSignIn(reply, config, started, returnTo): FastifyReply
 *     sets the session cookie of `started.session`'s audience and answers 303 to that step.
 *
 *   passRememberedDevice(request, services, pending): Promise<StartedSession | undefined>
 *     where the challenge would be shown (every way in lands on it, so this one place covers
 *     them all): a browser holding a remembered-device cookie of this very person and audience
 *     skips it; the full session, or undefined when the challenge must be shown.
 *
 * Refusals that stop a sign-in (disabled, email not confirmed, waiting for approval) happen
 * before a session exists (SignInSessions.assertMaySignIn), so they never reach this module.
 */

/** Each audience's sign-in page (where the 2FA steps live) and home. */
const SIGN_IN_PATHS: Record<Audience, { loginPath: string; homePath: string }> = {
  users: { loginPath: '/login', homePath: '/' },
  agents: { loginPath: '/agent/login', homePath: '/agent' },
};

export function nextStepAfterSignIn(audience: Audience, session: Session, returnTo: string): string {
  const { loginPath, homePath } = SIGN_IN_PATHS[audience];
  const query = returnTo === homePath ? '' : `?return_to=${encodeURIComponent(returnTo)}`;
  if (session.restriction === 'second_factor') return `${loginPath}/2fa${query}`;
  if (session.restriction === 'two_factor_setup') return `${loginPath}/2fa/setup${query}`;
  return returnTo;
}

export function continueAfterSignIn(reply: FastifyReply, config: Config, started: { session: Session; token: string }, returnTo: string): FastifyReply {
  setSessionCookie(reply, config, started.session.audience, started.token);
  return redirectSeeOther(reply, nextStepAfterSignIn(started.session.audience, started.session, returnTo));
}

/**
 * "Remember this device" (issue 18 part 8). Only a session already waiting for its second
 * factor gets here, so the first factor is never skipped; the cookie is matched against that
 * session's person and audience, so person A's device does nothing for person B's sign-in.
 */
export async function passRememberedDevice(
  request: FastifyRequest, services: Services, pending: { session: Session; person: Person },
): Promise<StartedSession | undefined> {
  if (pending.session.restriction !== 'second_factor') return undefined;
  const { audience } = pending.session;
  const device = await services.rememberedDevices.recognise(readDeviceCookie(request, services.config, audience), { id: pending.person.id, audience }, request.ip);
  if (!device) return undefined;
  return services.signInSessions.liftRestriction(pending.person, pending.session, request.ip);
}
