import type { ExternalProfile } from '../../core/account-resolution.ts';
import type { AuthApp } from '../../core/apps.ts';
import { FrontdoorError } from '../../core/errors.ts';

type ClaimNames = { email: string; name: string; groups: string };

/**
 * The person an ID token (plus userinfo) describes. Throws `sso.token_invalid` or
 * `sso.hosted_domain_mismatch` with the failed check in `details.check`.
 */
export function profileFromClaims(app: AuthApp, claims: Record<string, unknown>): ExternalProfile {
  const config = app.config as { claims: ClaimNames; hostedDomains?: string[]; tenant?: string };
  const names = config.claims;
  let subject = typeof claims.sub === 'string' ? claims.sub : undefined;
  if (app.type === 'microsoft') {
    // Entra: the object id within its tenant is the stable key; email and
    // preferred_username are editable by tenant admins and must never identify anyone.
    const { tid, oid } = claims;
    if (typeof tid !== 'string' || typeof oid !== 'string') {
      throw new FrontdoorError('sso.token_invalid', 'The Microsoft ID token has no tenant or object id.', { check: 'microsoft_tid_oid' });
    }
    // The tenant's own issuer is checked by openid-client, but Entra's issuer names the tenant
    // the token was minted for only by convention; `tid` is the claim Microsoft documents for
    // "which directory is this person from" (Entra ID token reference). A token of another
    // tenant must not sign anyone in here, whatever its issuer says.
    if (config.tenant && tid.toLowerCase() !== config.tenant.toLowerCase()) {
      throw new FrontdoorError('sso.token_invalid', 'This Microsoft account is not from the directory this sign-in is set up for.', {
        check: 'microsoft_tenant', detail: `tid ${tid} is not the configured tenant ${config.tenant}`,
      });
    }
    subject = `${tid}:${oid}`;
  }
  if (!subject) throw new FrontdoorError('sso.token_invalid', 'The ID token has no subject.', { check: 'subject' });
  if (app.type === 'google' && config.hostedDomains && config.hostedDomains.length > 0) {
    // The `hd` request parameter is only a hint a user can edit; the signed claim decides.
    if (typeof claims.hd !== 'string' || !config.hostedDomains.includes(claims.hd.toLowerCase())) {
      throw new FrontdoorError('sso.hosted_domain_mismatch', 'This Google account is not from a domain allowed here.', { check: 'hosted_domain' });
    }
  }
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
