import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Audience } from '../core/audience.ts';

// One session cookie per audience (invariant 2): the agent console never reads the Help
// Center's cookie and vice versa. Over https the __Host- prefix pins the cookie to our host
// and path, so a sibling subdomain cannot plant or shadow it.

export function sessionCookieName(audience: Audience, config: Config): string {
  return `${config.secureCookies ? '__Host-' : ''}fd_session_${audience}`;
}

/** Counts SSO starts per browser (the loop guard of /sso/:app/start). */
export const SSO_ATTEMPTS_COOKIE = 'fd_sso_attempts';

export function csrfCookieName(config: Config): string {
  return `${config.secureCookies ? '__Host-' : ''}fd_csrf`;
}

export function cookieOptions(config: Config, maxAgeSeconds?: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: config.secureCookies,
    ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
  };
}

export function setSessionCookie(reply: FastifyReply, config: Config, audience: Audience, token: string): void {
  reply.setCookie(sessionCookieName(audience, config), token, cookieOptions(config, Math.floor(config.sessionAbsoluteMs / 1000)));
}

export function clearSessionCookie(reply: FastifyReply, config: Config, audience: Audience): void {
  reply.clearCookie(sessionCookieName(audience, config), cookieOptions(config));
}

export function readSessionCookie(request: FastifyRequest, config: Config, audience: Audience): string | undefined {
  return request.cookies[sessionCookieName(audience, config)];
}
