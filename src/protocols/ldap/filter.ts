import { Filter } from 'ldapts';

/**
 * The user filter with the typed username in it. The value is escaped as RFC 4515 section 3
 * asks (`*`, `(`, `)`, `\` and NUL as \XX), so `*` or `)(uid=*` are matched literally and
 * find no one instead of rewriting the filter (LDAP injection).
 */
export function userFilterFor(template: string, username: string): string {
  const escaped = Filter.escape(username);
  return template.replaceAll('{username}', () => escaped);
}

/** The filter the sync lists people with: every entry the sign-in filter could find. */
export function everyoneFilter(template: string): string {
  return template.replaceAll('{username}', '*');
}

/**
 * Active Directory's LDAP_MATCHING_RULE_IN_CHAIN (1.2.840.113556.1.4.1941): the groups whose
 * member chain reaches `dn`, nested groups included. AD only; OpenLDAP answers no entries.
 */
export function nestedGroupsFilter(dn: string): string {
  return `(member:1.2.840.113556.1.4.1941:=${Filter.escape(dn)})`;
}
