import { SizeLimitExceededError, type Client } from 'ldapts';
import { FrontdoorError } from '../../core/errors.ts';
import { closeQuietly, openServiceConnection, passwordBinds, unreachable } from './connection.ts';
import { mapEntry, requestedAttributes, type DirectoryPerson } from './entry.ts';
import { nestedGroupsFilter, userFilterFor } from './filter.ts';
import type { LdapConfig, LdapSecrets } from './settings.ts';

const MAX_USERNAME_LENGTH = 256;

/**
 * Directory sign-in: the service account finds exactly one entry for the typed username (by
 * the escaped filter), then a bind as that entry checks the password. Every "no" before the
 * password is proven is the same `auth.invalid_credentials` (no one found, two found, wrong
 * password), and a lookup that finds no one still spends one bind, so the answer does not tell
 * which usernames exist. A disabled account is only said to be disabled to whoever knows its
 * password.
 */
export async function authenticateWithDirectory(
  config: LdapConfig,
  secrets: LdapSecrets,
  username: string,
  password: string,
): Promise<DirectoryPerson> {
  const typed = username.trim();
  if (typed.length === 0 || typed.length > MAX_USERNAME_LENGTH || password.length === 0) throw invalidCredentials();
  const client = await openServiceConnection(config, secrets);
  let found: DirectoryPerson | undefined;
  try {
    found = await findOne(client, config, typed);
    if (found) found = await withNestedGroups(client, config, found);
  } finally {
    await closeQuietly(client);
  }
  // Unknown usernames spend the same bind round trip on a DN that cannot exist.
  const bound = await passwordBinds(config, found?.dn ?? `cn=frontdoor-no-such-person,${config.baseDn}`, password);
  if (!found || !bound) throw invalidCredentials();
  if (found.disabled) throw new FrontdoorError('auth.account_disabled', 'This account is disabled in the directory.');
  return found;
}

/** The one entry the user filter finds for `username`, or undefined for none or several. */
export async function findOne(client: Client, config: LdapConfig, username: string): Promise<DirectoryPerson | undefined> {
  let entries;
  try {
    ({ searchEntries: entries } = await client.search(config.baseDn, {
      scope: 'sub',
      filter: userFilterFor(config.userFilter, username),
      // Two is enough to know the username is ambiguous, which is a refusal, not a pick.
      sizeLimit: 2,
      ...requestedAttributes(config.attributes),
    }));
  } catch (error) {
    if (error instanceof SizeLimitExceededError) return undefined;
    throw unreachable(config, error);
  }
  if (entries.length !== 1) return undefined;
  const mapped = mapEntry(entries[0]!, config.attributes);
  return 'person' in mapped ? mapped.person : undefined;
}

/**
 * The groups whose member chain reaches `dn` (AD's LDAP_MATCHING_RULE_IN_CHAIN). A directory
 * that does not know the rule answers no groups; the direct memberOf values are kept either way.
 */
export async function withNestedGroups(client: Client, config: LdapConfig, person: DirectoryPerson): Promise<DirectoryPerson> {
  if (!config.nestedGroups) return person;
  try {
    const { searchEntries } = await client.search(config.baseDn, { scope: 'sub', filter: nestedGroupsFilter(person.dn), attributes: ['1.1'] });
    return { ...person, groups: [...new Set([...person.groups, ...searchEntries.map((entry) => entry.dn)])] };
  } catch (error) {
    throw unreachable(config, error);
  }
}

function invalidCredentials(): FrontdoorError {
  return new FrontdoorError('auth.invalid_credentials', 'The username or password is not correct.');
}
