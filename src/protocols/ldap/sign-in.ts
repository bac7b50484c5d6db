import type { ExternalProfile } from '../../core/account-resolution.ts';
import type { Audience } from '../../core/audience.ts';
import { isFrontdoorError } from '../../core/errors.ts';
import type { SignInThrottle } from '../../core/throttle.ts';
import { authenticateWithDirectory } from './authenticate.ts';
import { mappedGroupsOf, type DirectoryPerson } from './entry.ts';
import type { LdapConfig, LdapSecrets } from './settings.ts';

export type LdapSignInRequest = { appId: string; audience: Audience; username: string; password: string; ip: string | undefined };

/**
 * The first half of an LDAP app's sign-in: the password form's brute-force throttle around
 * the directory's check. Throttled before the directory is asked, for known and unknown names
 * alike; a wrong guess counts like a wrong password on the form; an unreachable directory
 * counts nothing (an outage must not lock people out) and lets no one in.
 */
export async function checkDirectoryPassword(
  throttle: SignInThrottle, config: LdapConfig, secrets: LdapSecrets, request: LdapSignInRequest,
): Promise<{ person: DirectoryPerson; profile: ExternalProfile }> {
  // Counted per app and typed name: the directory, not Frontdoor, knows who the name is.
  const subject = { audience: request.audience, account: `ldap:${request.appId}:${request.username.trim().toLowerCase().slice(0, 256)}`, ip: request.ip };
  const seen = await throttle.check(subject);
  let person: DirectoryPerson;
  try {
    person = await authenticateWithDirectory(config, secrets, request.username, request.password);
  } catch (error) {
    if (isFrontdoorError(error) && error.code === 'auth.invalid_credentials') await throttle.recordFailure(subject, 'password');
    throw error;
  }
  await throttle.recordSuccess(subject, { seen });
  return { person, profile: directoryProfile(config, person) };
}

/**
 * The directory entry as the shared completion path's profile. The email is the directory's
 * word, not a proof its holder received mail there: `emailVerified` stays false, so it links
 * to an existing account only through the rules every unverified service meets (invariant 5).
 */
export function directoryProfile(config: LdapConfig, person: DirectoryPerson): ExternalProfile {
  return {
    subject: person.id,
    issuer: config.url,
    email: person.email,
    emailVerified: false,
    name: person.name,
    // The DNs, and the mappings' names they hold: the completion path maps by exact name.
    groups: [...new Set([...person.groups, ...mappedGroupsOf(config, person.groups)])],
    claims: { dn: person.dn, username: person.username, email: person.email, name: person.name, groups: person.groups },
  };
}
