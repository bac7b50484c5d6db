import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Audience } from '../core/audience.ts';
import { SESSION_POLICY_BOUNDS } from '../core/session-policy.ts';

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

// The session's own expiry is the server's to decide (its audience's policy, which an admin
// may set longer than the environment's default): the cookie may outlive it, never cut it short.
const SESSION_COOKIE_MAX_AGE_SECONDS = SESSION_POLICY_BOUNDS.absoluteHours.max * 3600;

export function setSessionCookie(reply: FastifyReply, config: Config, audience: Audience, token: string): void {
  reply.setCookie(sessionCookieName(audience, config), token, cookieOptions(config, Math.max(Math.floor(config.sessionAbsoluteMs / 1000), SESSION_COOKIE_MAX_AGE_SECONDS)));
}

export function clearSessionCookie(reply: FastifyReply, config: Config, audience: Audience): void {
  reply.clearCookie(sessionCookieName(audience, config), cookieOptions(config));
}

export function readSessionCookie(request: FastifyRequest, config: Config, audience: Audience): string | undefined {
  return request.cookies[sessionCookieName(audience, config)];
}

/** A remembered device (second factor) of one audience: HttpOnly, Lax, and __Host- over https like the session's. */
export function deviceCookieName(audience: Audience, config: Config): string {
  return `${config.secureCookies ? '__Host-' : ''}fd_device_${audience}`;
}

export function setDeviceCookie(reply: FastifyReply, config: Config, audience: Audience, token: string, device: { createdAt: string; expiresAt: string }): void {
  // Its lifetime as a span (the server's clock may be a test's): the row's expiry still decides.
  const seconds = Math.floor((Date.parse(device.expiresAt) - Date.parse(device.createdAt)) / 1000);
  reply.setCookie(deviceCookieName(audience, config), token, cookieOptions(config, seconds));
}

export function readDeviceCookie(request: FastifyRequest, config: Config, audience: Audience): string | undefined {
  return request.cookies[deviceCookieName(audience, config)];
}

/**
 * A visitor's explicit choice of language (the footer's language menu): not a secret and not
 * HttpOnly-worthy, but kept HttpOnly and Lax like every other cookie of ours; a year long.
 */
export const LANGUAGE_COOKIE = 'lang';
export const LANGUAGE_COOKIE_MAX_AGE_SECONDS = 60 * 60 * 24 * 365;
