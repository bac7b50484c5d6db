import type { ExternalProfile } from '../../core/account-resolution.ts';
import type { JwtAppConfig } from './config.ts';
import { FrontdoorError } from '../../core/errors.ts';

const MAX_SUBJECT_LENGTH = 500;

/**
 * The person a verified sign-in JWT describes.
 *
 * Identity: the configured id claim (`external_id` by default), else `id`, else `sub`, else
 * the email. Keying on an id survives email changes at the signing site; an app that sends
 * no id is keyed on the email (a changed email then links by email, as the app is trusted).
 *
 * The email counts as verified: the admin who installed the app vouches for the site that
 * signs (issue 5), so linking to an existing account by email follows the app's trustEmail.
 */
export function profileFromJwtClaims(config: JwtAppConfig, claims: Record<string, unknown>): ExternalProfile {
  const names = config.claims;
  const email = String(claims[names.email]).trim();
  const subject = [names.externalId, 'id', 'sub'].map((name) => idValue(claims[name])).find((value) => value !== undefined) ?? email;
  if (subject.length > MAX_SUBJECT_LENGTH) {
    throw new FrontdoorError('sso.jwt.claim_invalid', `The identity claim is longer than ${MAX_SUBJECT_LENGTH} characters.`, { check: 'identity' });
  }
  const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
  const fullName = text(claims[names.name]) ?? ([text(claims[names.firstName]), text(claims[names.lastName])].filter(Boolean).join(' ') || undefined);
  const groups = groupList(claims[names.groups] ?? claims.tags);
  return {
    subject,
    issuer: typeof claims.iss === 'string' ? claims.iss : '',
    email,
    emailVerified: true,
    name: fullName,
    groups,
    ...(config.mapGroups ? { usergroupNames: groups } : {}),
    claims,
  };
}

// An id may be a string or an integer (`"id": 4711`); anything else is not an id.
function idValue(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim()) return value.trim();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

// `["vip", "beta"]`, or a comma-separated string (`"vip, beta"`) as many sites send tags.
function groupList(value: unknown): string[] {
  const items = Array.isArray(value) ? value.filter((g): g is string => typeof g === 'string') : typeof value === 'string' ? value.split(',') : [];
  return [...new Set(items.map((g) => g.trim()).filter((g) => g.length > 0 && g.length <= 200))].slice(0, 100);
}

/** What an admin must know about a JWT app's emails (shown in the API and the console). */
export const JWT_EMAIL_TRUST =
  'The signing site asserts each email address; Frontdoor treats it as verified (you vouch for that site), so with trustEmail a token links to the existing account with that email.';
