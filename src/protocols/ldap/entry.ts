import type { Entry } from 'ldapts';
import type { LdapAttributes, LdapConfig } from './settings.ts';

/** One person as the directory describes them, in Frontdoor's words. */
export type DirectoryPerson = {
  /** The stable directory id (objectGUID as a GUID string, or entryUUID): the identity's subject. */
  id: string;
  dn: string;
  username: string;
  email: string | undefined;
  name: string;
  /** Group DNs as the directory lists them. */
  groups: string[];
  /** Active Directory's userAccountControl ACCOUNTDISABLE bit (0x2). */
  disabled: boolean;
};

/** Attributes to ask for: the mapped ones (the id as bytes when it is AD's binary objectGUID). */
export function requestedAttributes(attributes: LdapAttributes): { attributes: string[]; explicitBufferAttributes: string[] } {
  return {
    attributes: [...new Set([attributes.id, attributes.username, attributes.email, attributes.name, attributes.groups, 'userAccountControl'])],
    explicitBufferAttributes: isBinaryId(attributes.id) ? [attributes.id] : [],
  };
}

/** Maps an entry; undefined with the reason when it lacks what a person needs (a stable id, a username). */
export function mapEntry(entry: Entry, attributes: LdapAttributes): { person: DirectoryPerson } | { refused: string } {
  const rawId = first(entry, attributes.id);
  const id = rawId === undefined ? undefined : Buffer.isBuffer(rawId) ? guidString(rawId) : rawId;
  if (!id) return { refused: `no ${attributes.id}` };
  const username = text(first(entry, attributes.username));
  if (!username) return { refused: `no ${attributes.username}` };
  const email = text(first(entry, attributes.email))?.toLowerCase();
  const uac = Number(text(first(entry, 'userAccountControl')) ?? '0');
  return {
    person: {
      id,
      dn: entry.dn,
      username,
      email,
      name: (text(first(entry, attributes.name)) ?? username).slice(0, 200),
      groups: all(entry, attributes.groups),
      // Fail closed: an unreadable userAccountControl counts as disabled.
      disabled: !Number.isInteger(uac) || (uac & 0x2) !== 0,
    },
  };
}

/**
 * objectGUID is 16 bytes whose first three fields are little-endian (MS-DTYP 2.3.4.2); this is
 * the form AD tools print, so an admin can match it against what they see.
 */
export function guidString(bytes: Buffer): string | undefined {
  if (bytes.length !== 16) return undefined;
  const hex = (from: number, to: number, reverse: boolean) => {
    const part = [...bytes.subarray(from, to)];
    return (reverse ? part.reverse() : part).map((b) => b.toString(16).padStart(2, '0')).join('');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}

function isBinaryId(name: string): boolean {
  return name.toLowerCase() === 'objectguid';
}

function lookup(entry: Entry, name: string): Entry[string] | undefined {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : entry[key];
}

function first(entry: Entry, name: string): Buffer | string | undefined {
  const value = lookup(entry, name);
  const one = Array.isArray(value) ? value[0] : value;
  return one === undefined || (typeof one === 'string' && one.length === 0) ? undefined : one;
}

function all(entry: Entry, name: string): string[] {
  const value = lookup(entry, name);
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return values.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v)).filter((v) => v.length > 0);
}

function text(value: Buffer | string | undefined): string | undefined {
  const s = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  return s?.trim() || undefined;
}

/**
 * The mappings' group names (as the admin wrote them) that these group DNs hold. A directory
 * group is named by its DN or by its first RDN's value (`cn=support,ou=groups,...` is
 * `support`), compared case-insensitively as LDAP compares them. Sign-in and sync both ask this.
 */
export function mappedGroupsOf(config: Pick<LdapConfig, 'loginActions'>, groupDns: readonly string[]): string[] {
  const held = new Set(groupDns.flatMap((dn) => {
    const lower = dn.toLowerCase();
    const rdnValue = /^[^=,]+=((?:\\.|[^,\\])*)/.exec(lower)?.[1];
    return rdnValue === undefined ? [lower] : [lower, rdnValue];
  }));
  return [...new Set(config.loginActions.groupMappings.map((m) => m.group).filter((group) => held.has(group.toLowerCase())))];
}
