import { z } from 'zod';
import { deepFreeze } from './brief-cache.ts';

// What every auth app shares (the trust and provisioning settings of external apps), and the
// contract (AppCatalog) through which the app registry asks the sign-in protocols
// (src/protocols/registry.ts) for each type's schema, secret keys and default name. The
// type column has no CHECK (migration 0010): a type is valid when the catalog knows it.
// Each protocol's own schema lives in its folder (src/protocols/<name>/config.ts).

/** An app's type: `password`, or a type the catalog lists (a protocol's preset). */
export type AppType = string;

/** What the app registry needs to know about the types of auth apps, from the protocols. */
export interface AppCatalog {
  /** Every installable type, `password` first. */
  readonly types: readonly AppType[];
  /** The schema a config of this type (and mode: `protocol: "saml"`) is validated with. */
  schemaFor(type: AppType, config: Record<string, unknown>): z.ZodType;
  /** Keys split off, encrypted at rest and never sent back. */
  secretKeysOf(type: AppType): readonly string[];
  defaultNameOf(type: AppType): string;
  /** A protocol's hook before a new app is validated (a SAML app's SP key pair). */
  prepareNew(type: AppType, config: Record<string, unknown>, label: string): Promise<Record<string, unknown>>;
  /** Where people who sign in only with this app change a forgotten password, if anywhere. */
  lostPasswordUrlOf(app: { type: AppType; config: Record<string, unknown> }): string | undefined;
}

// Plain http is accepted only for loopback identity services (local development and tests).
export const serviceUrl = z.url({ protocol: /^https?$/ }).refine(
  (value) => value.startsWith('https://') || /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/.test(value),
  'must be https (http only for localhost)',
);
/** A DNS name, lowercased: email domains, and the identity service's own (acme.okta.com). */
export const domainName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a domain like example.okta.com');

/**
 * Settings every external app (OIDC family, SAML, JWT) shares: how much its identity service
 * is trusted, who it lets in, and what a sign-in does to the account.
 */
export const externalShape = {
  buttonText: z.string().trim().min(1).max(60).optional(),
  /**
   * Link to an existing account by email when the service says the email is verified (and
   * that account's own email was proven: invariant 5). On by default for Users apps; off for
   * Agents apps (see AGENT_APP_DEFAULTS in apps.ts), where a link can reach an admin.
   */
  trustEmail: z.boolean().default(true),
  /** Refresh name and email from the service at each sign-in. */
  syncProfile: z.boolean().default(true),
  /** Agents apps only: create unknown agents on first sign-in (off: only existing agents). */
  autoAgent: z.boolean().default(false),
  /** Users apps only: create accounts on first sign-in even while registration is closed. */
  autoUser: z.boolean().default(false),
  filter: z
    .object({
      emailDomains: z.array(domainName).default([]),
      requiredGroup: z.string().min(1).max(200).optional(),
      requiredClaim: z.object({ name: z.string().min(1).max(100), value: z.string().max(500) }).strict().optional(),
    })
    .strict()
    .default({ emailDomains: [] }),
  loginActions: z
    .object({
      addUsergroupIds: z.array(z.uuid()).default([]),
      groupMappings: z.array(z.object({ group: z.string().min(1).max(200), usergroupId: z.uuid() }).strict()).default([]),
    })
    .strict()
    .default({ addUsergroupIds: [], groupMappings: [] }),
  /** Leeway for token times (iat, exp, nbf) against our clock. */
  clockToleranceSeconds: z.number().int().min(0).max(300).default(30),
  /**
   * Trust the identity service's own MFA: external sign-ins skip our second factor. Off (the
   * default, both audiences): people with 2FA here (or required to have it) complete ours after
   * the identity service, so installing an app never silently takes away a second factor
   * someone set up here; nothing tells us the service asked for one (no amr/acr check).
   */
  trustProviderMfa: z.boolean().default(false),
  /** Where people who sign in only with this app change a forgotten password (sent from the reset form). */
  lostPasswordUrl: serviceUrl.optional(),
  /** Where Automatic-mode logout sends people when the service has no logout endpoint. */
  logoutUrl: serviceUrl.optional(),
};

export const ExternalSettingsSchema = z.object(externalShape);
export type ExternalSettings = z.infer<typeof ExternalSettingsSchema>;

/**
 * An app's stored config read through its protocol's schema: parsed (defaults filled, types
 * narrowed) once per config object, since apps are cached and frozen (see AuthAppRegistry) and
 * every sign-in reads the same one several times. The stored config holds no secrets (split off
 * at write time), so the schema given is the protocol's shape without the checks that need them.
 */
export function storedConfigOf<S extends z.ZodType>(app: { config: Record<string, unknown> }, schema: S): z.output<S> {
  let parsed = PARSED.get(schema);
  if (!parsed) PARSED.set(schema, (parsed = new WeakMap()));
  const known = parsed.get(app.config);
  if (known !== undefined) return known as z.output<S>;
  const config = deepFreeze(schema.parse(app.config));
  if (Object.isFrozen(app.config)) parsed.set(app.config, config);
  return config;
}
const PARSED = new WeakMap<z.ZodType, WeakMap<object, unknown>>();

/** Splits a validated config into what is stored in clear and what is encrypted. */
export function splitSecrets(secretKeys: readonly string[], config: Record<string, unknown>) {
  const publicPart: Record<string, unknown> = {};
  const secretPart: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue; // a key removed by an update (SAML key rotation)
    (secretKeys.includes(key) ? secretPart : publicPart)[key] = value;
  }
  return { publicPart, secretPart };
}
