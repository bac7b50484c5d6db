import type { ExternalProfile } from '../../core/account-resolution.ts';
import type { AuthApp } from '../../core/apps.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { oidcSettingsOf } from './presets.ts';

/**
 * The person an ID token (plus userinfo) describes. Throws `sso.token_invalid` or
 * `sso.hosted_domain_mismatch` with the failed check in `details.check`.
 */
export function profileFromClaims(app: Pick<AuthApp, 'type' | 'config'>, claims: Record<string, unknown>): ExternalProfile {
  const settings = oidcSettingsOf(app);
  const names = settings.claims;
  const subject = settings.subjectOf ? settings.subjectOf(claims) : typeof claims.sub === 'string' ? claims.sub : undefined;
  if (!subject) throw new FrontdoorError('sso.token_invalid', 'The ID token has no subject.', { check: 'subject' });
  settings.checkClaims?.(claims);
  const rawEmail = claims[names.email];
  const given = typeof claims.given_name === 'string' ? claims.given_name : '';
  const family = typeof claims.family_name === 'string' ? claims.family_name : '';
  const rawName = claims[names.name];
  const rawGroups = claims[names.groups];
  return {
    subject,
    issuer: typeof claims.iss === 'string' ? claims.iss : '',
    email: typeof rawEmail === 'string' ? rawEmail : undefined,
    // Only a JSON boolean true counts: "false" (a string) is truthy in JavaScript and has
    // been the root of account takeovers.
    emailVerified: claims.email_verified === true,
    name: typeof rawName === 'string' && rawName.trim() ? rawName : `${given} ${family}`.trim() || undefined,
    groups: Array.isArray(rawGroups) ? rawGroups.filter((g): g is string => typeof g === 'string') : typeof rawGroups === 'string' ? [rawGroups] : [],
    claims,
  };
}
