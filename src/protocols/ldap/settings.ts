import { z } from 'zod';
import { ExternalSettingsSchema, storedConfigOf } from '../../core/app-config.ts';
import { FrontdoorError } from '../../core/errors.ts';

/**
 * An LDAP app's config. Everything that decides who gets in has no unsafe default: the CA is
 * the admin's (or the system's), plain ldap:// is refused off loopback, and the user filter
 * must hold the `{username}` placeholder that is filled with an RFC 4515-escaped value.
 */
const LOOPBACK_LDAP = /^ldap:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?\/?$/;

export const LdapAttributesSchema = z.object({
  /** The stable id people are known by across renames: objectGUID (AD) or entryUUID. */
  id: z.string().min(1).max(100),
  username: z.string().min(1).max(100),
  email: z.string().min(1).max(100),
  name: z.string().min(1).max(100),
  groups: z.string().min(1).max(100),
}).strict();

/**
 * The shared external-app settings (trust, Auto User / Auto Agent, filters, loginActions, 2FA)
 * extended with the directory's. At sign-in, loginActions.groupMappings map directory groups to
 * usergroups as for any app; the sync keeps the mapped usergroups' members equal to the
 * directory's. A group is named by its DN or by its first RDN's value.
 */
const ldapShape = ExternalSettingsSchema.extend({
  preset: z.enum(['active-directory', 'openldap']),
  // Passwords cross this connection: plain ldap:// only to loopback (as http issuers), unless StartTLS upgrades it.
  url: z.string().regex(/^ldaps?:\/\/[^/?#\s]+\/?$/, 'an ldaps:// or ldap:// URL (scheme, host, port)'),
  /** Upgrade an ldap:// connection with StartTLS (RFC 4513 section 3) before any bind. */
  startTls: z.boolean().default(false),
  /** PEM of the CA (or the self-signed certificate) the directory's certificate chains to; empty: the system's CAs. */
  caPem: z.string().max(20_000).default(''),
  bindDn: z.string().min(1).max(500),
  baseDn: z.string().min(1).max(500),
  userFilter: z.string().min(3).max(1000).refine((filter) => filter.includes('{username}'), 'holds {username}'),
  /** Where the sync lists people: the user filter with `{username}` replaced by `*`, unless set. */
  syncFilter: z.string().min(3).max(1000).optional(),
  attributes: LdapAttributesSchema,
  /** Active Directory only: group membership through nested groups (LDAP_MATCHING_RULE_IN_CHAIN). */
  nestedGroups: z.boolean().default(false),
  /** The Test button searches this person (no password is tried). */
  testUsername: z.string().max(256).optional(),
  pageSize: z.number().int().min(1).max(5000).default(500),
  timeoutMs: z.number().int().min(500).max(60_000).default(10_000),
});
const encryptedOrLoopback: [(config: { url: string; startTls: boolean }) => boolean, { path: string[]; message: string }] = [
  (config) => config.url.startsWith('ldaps://') || config.startTls || LOOPBACK_LDAP.test(config.url),
  { path: ['url'], message: 'must be ldaps:// or use StartTLS (plain ldap:// only for localhost)' },
];

/** The stored config (the service account's password kept apart, among the app's secrets). */
export const LdapConfigSchema = ldapShape.strict().refine(...encryptedOrLoopback);

export type LdapConfig = z.output<typeof LdapConfigSchema>;
export type LdapAttributes = z.output<typeof LdapAttributesSchema>;

/** Secret keys of an LDAP app's config, stored encrypted with the app's other secrets. */
export const LDAP_SECRET_KEYS = ['bindPassword'] as const;
export type LdapSecrets = { bindPassword: string };

/** An LDAP app's secrets as the app registry gives them (secretsOf); a missing one is empty, which the bind refuses. */
export function ldapSecretsFrom(stored: Record<string, unknown>): LdapSecrets {
  return { bindPassword: typeof stored.bindPassword === 'string' ? stored.bindPassword : '' };
}

/** What the two presets fill in; the admin adds the URL, CA, bind DN and base DN. */
export const LDAP_PRESETS = {
  'active-directory': {
    userFilter: '(&(objectClass=user)(|(sAMAccountName={username})(userPrincipalName={username})(mail={username})))',
    attributes: { id: 'objectGUID', username: 'sAMAccountName', email: 'mail', name: 'displayName', groups: 'memberOf' },
  },
  openldap: {
    userFilter: '(&(objectClass=inetOrgPerson)(|(uid={username})(mail={username})))',
    attributes: { id: 'entryUUID', username: 'uid', email: 'mail', name: 'cn', groups: 'memberOf' },
  },
} as const satisfies Record<LdapConfig['preset'], Pick<LdapConfig, 'userFilter' | 'attributes'>>;

/** The preset's filter and attribute names under what the admin set (attributes merge key by key). */
function withPresetDefaults(input: unknown): unknown {
  if (typeof input !== 'object' || input === null) return input;
  const given = input as Record<string, unknown>;
  const preset = LDAP_PRESETS[given.preset as LdapConfig['preset']] ?? LDAP_PRESETS.openldap;
  // A key the console's form left empty comes as undefined: the preset's value then stands.
  const set = (values: object | undefined) => Object.fromEntries(Object.entries(values ?? {}).filter(([, value]) => value !== undefined));
  return { ...set(given), userFilter: given.userFilter ?? preset.userFilter, attributes: { ...preset.attributes, ...set(given.attributes as object | undefined) } };
}

/**
 * The config of an LDAP app, as the app registry validates it (at install and at every change, with
 * the stored secrets merged in): the preset's defaults, then the checks; the service account's
 * password is required and split off as a secret.
 */
export const LdapAppConfigSchema = z.preprocess(
  withPresetDefaults,
  ldapShape.extend({ bindPassword: z.string().min(1).max(1000) }).strict().refine(...encryptedOrLoopback),
);

const StoredLdapConfigSchema = z.preprocess(withPresetDefaults, LdapConfigSchema);

/** Parses a config without its secrets (as stored, or as a test gives it) with the preset's defaults under it. */
export function parseLdapConfig(input: Record<string, unknown>): LdapConfig {
  const result = StoredLdapConfigSchema.safeParse(input);
  if (result.success) return result.data;
  throw invalidLdapConfig(result.error);
}

/** A stored LDAP app's config, parsed once per stored config like every protocol's (storedConfigOf). */
export function ldapConfigOf(app: { config: Record<string, unknown> }): LdapConfig {
  try {
    return storedConfigOf(app, StoredLdapConfigSchema);
  } catch (error) {
    if (error instanceof z.ZodError) throw invalidLdapConfig(error);
    throw error;
  }
}

function invalidLdapConfig(error: z.ZodError): FrontdoorError {
  const summary = error.issues.map((issue) => `${issue.path.join('.') || '(config)'}: ${issue.message}`).join('; ');
  return new FrontdoorError('app.config_invalid', `The LDAP settings are not valid: ${summary}.`);
}
