import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';

// What every auth app shares (the trust and provisioning settings of external apps), and the
// contract (AppCatalog) through which the app registry asks the sign-in protocols
// (src/protocols/registry.ts) for each type's schema, secret keys and default name. The
// type column has no CHECK (migration 0010): a type is valid when the catalog knows it.

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
}

const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https URL' });
// Plain http is accepted only for loopback identity services (local development and tests).
export const serviceUrl = z.url({ protocol: /^https?$/ }).refine(
  (value) => value.startsWith('https://') || /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/.test(value),
  'must be https (http only for localhost)',
);
const clientId = z.string().trim().min(1).max(500);
const clientSecret = z.string().min(1).max(2000);
const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a domain like example.okta.com');

const oidcClaims = z
  .object({ email: z.string().min(1).default('email'), name: z.string().min(1).default('name'), groups: z.string().min(1).default('groups') })
  .strict();

/**
 * Settings every external app (OIDC family, SAML, JWT) shares: how much its identity service
 * is trusted, who it lets in, and what a sign-in does to the account.
 */
const externalShape = {
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
      emailDomains: z.array(domain).default([]),
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

/** OpenID Connect settings shared by the generic type and the presets. */
const oidcShape = {
  clientId,
  clientSecret: clientSecret.optional(),
  /**
   * How Frontdoor authenticates at the token endpoint. `auto`: from the provider's discovery
   * (`token_endpoint_auth_methods_supported`; src/protocols/oidc/client-authentication.ts).
   * `none`: a public client protected by PKCE alone, for services that issue no secret.
   */
  clientAuth: z.enum(['auto', 'client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']).default('auto'),
  /** For private_key_jwt: the client's private key as a JWK (JSON text). */
  privateKeyJwk: z.string().min(2).max(20_000).optional(),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/)).min(1).default(['openid', 'email', 'profile']),
  claims: oidcClaims.default({ email: 'email', name: 'name', groups: 'groups' }),
  /** Optional: sent at RP-initiated logout; unset, people stay on the provider's logout screen. */
  postLogoutRedirectUri: z.url().optional(),
  /** The Okta, OneLogin and Microsoft presets speak OIDC unless `protocol: "saml"` (see SAML_PRESET_SCHEMAS). */
  protocol: z.literal('oidc').optional(),
  ...externalShape,
};

const pemOrBase64Certificate = z.string().trim().min(100).max(20_000);
const fingerprint = z
  .string()
  .trim()
  .transform((v) => v.replace(/[:\s]/g, '').toLowerCase())
  .pipe(z.string().regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, 'a SHA-256 (64 hex digits) or SHA-1 (40 hex digits) fingerprint'));

export const SAML_NAME_ID_FORMATS = ['emailAddress', 'persistent', 'unspecified', 'transient'] as const;

/** SAML 2.0 service-provider settings (issue 4); see docs/SAML.md for each. */
const samlShape = {
  /** The identity service's metadata: fetched, validated and refreshed on a schedule. */
  idpMetadataUrl: serviceUrl.optional(),
  /** Or the metadata pasted as XML. */
  idpMetadataXml: z.string().min(1).max(1_000_000).optional(),
  /** Or the fields, one by one. */
  idpEntityId: z.string().min(1).max(1000).optional(),
  idpSsoUrl: serviceUrl.optional(),
  idpSloUrl: serviceUrl.optional(),
  idpCertificate: pemOrBase64Certificate.optional(),
  /** More signing certificates, accepted side by side during a rollover. */
  idpCertificates: z.array(pemOrBase64Certificate).max(10).default([]),
  /** Pins the metadata's signing certificates: only one with this fingerprint is trusted. */
  idpCertificateFingerprint: fingerprint.optional(),
  /** How often metadata from a URL is fetched again (it is also refetched once on a signature failure). */
  metadataRefreshHours: z.number().int().min(1).max(24 * 7).default(24),
  nameIdFormat: z.enum(SAML_NAME_ID_FORMATS).default('emailAddress'),
  /** Attribute names; unset, the usual names (Okta, OneLogin, Entra claims, LDAP OIDs) are tried. */
  attributes: z
    .object({
      email: z.string().min(1).max(500).optional(),
      firstName: z.string().min(1).max(500).optional(),
      lastName: z.string().min(1).max(500).optional(),
      displayName: z.string().min(1).max(500).optional(),
      groups: z.string().min(1).max(500).optional(),
    })
    .strict()
    .default({}),
  signAuthnRequests: z.boolean().default(true),
  /** How the AuthnRequest travels: HTTP-Redirect (a link) or HTTP-POST (an auto-submitted form). */
  authnRequestBinding: z.enum(['redirect', 'post']).default('redirect'),
  /** The assertion itself must carry a valid signature (on by default; off accepts a signed response). */
  wantAssertionsSigned: z.boolean().default(true),
  /** The whole response must carry a valid signature. */
  wantResponseSigned: z.boolean().default(false),
  /** Require encrypted assertions (encrypted ones are always accepted). */
  requireEncryptedAssertions: z.boolean().default(false),
  /** IdP-initiated (unsolicited) sign-in; off by default: it cannot be tied to a request we made. */
  allowIdpInitiated: z.boolean().default(false),
  /** Accept RSA-SHA1 signatures and SHA-1 digests from a legacy identity service. */
  allowSha1: z.boolean().default(false),
  /** The SP key pair (generated at install; rotatable through the API). The private keys are secrets. */
  spCertificate: pemOrBase64Certificate.optional(),
  spPrivateKey: z.string().min(100).max(20_000).optional(),
  spNextCertificate: pemOrBase64Certificate.optional(),
  spNextPrivateKey: z.string().min(100).max(20_000).optional(),
  spPreviousCertificate: pemOrBase64Certificate.optional(),
  spPreviousPrivateKey: z.string().min(100).max(20_000).optional(),
};

// `auto` needs a secret or a key: it never makes a public client of an app whose secret was forgotten.
const needsClientCredential = (c: { clientAuth: string; clientSecret?: string | undefined; privateKeyJwk?: string | undefined }) =>
  c.clientAuth === 'none' ||
  (c.clientAuth === 'private_key_jwt' ? Boolean(c.privateKeyJwk) : c.clientAuth === 'auto' ? Boolean(c.clientSecret || c.privateKeyJwk) : Boolean(c.clientSecret));
const credentialMessage = {
  message: 'give clientSecret, or privateKeyJwk (with clientAuth auto or private_key_jwt), or clientAuth none for a public client',
  path: ['clientSecret'],
};

export const JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'ES256', 'EdDSA'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];
const HS_KEY_BYTES: Partial<Record<JwtAlgorithm, number>> = { HS256: 32, HS384: 48, HS512: 64 };
export const isHmacAlgorithm = (alg: string) => alg in HS_KEY_BYTES;

const claimName = z.string().trim().min(1).max(100);
export const JWT_DEFAULT_CLAIMS = {
  email: 'email', name: 'name', firstName: 'first_name', lastName: 'last_name', externalId: 'external_id', groups: 'groups',
};
const jwtClaims = z
  .object({
    email: claimName.default('email'),
    name: claimName.default('name'),
    firstName: claimName.default('first_name'),
    lastName: claimName.default('last_name'),
    /** The identity claim; `id`, then `sub`, then the email are used when it is absent. */
    externalId: claimName.default('external_id'),
    /** Usergroup names; `tags` is read when it is absent. */
    groups: claimName.default('groups'),
  })
  .strict();

/**
 * Which keys can verify the allowed algorithms. One app is either HMAC or public-key, never
 * both: a verifier that accepts HS256 and RS256 for one app can be handed an HS256 token
 * whose HMAC key is the (public) RSA key (the classic key-confusion attack).
 */
function checkJwtKeys(
  config: { algorithms: JwtAlgorithm[]; sharedSecret?: string | undefined; publicKey?: string | undefined; jwksUrl?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  const hmac = config.algorithms.filter(isHmacAlgorithm);
  const asymmetric = config.algorithms.filter((alg) => !isHmacAlgorithm(alg));
  if (hmac.length && asymmetric.length) {
    ctx.addIssue({
      code: 'custom', path: ['algorithms'],
      message: `mixes shared-secret (${hmac.join(', ')}) and public-key (${asymmetric.join(', ')}) algorithms; choose one kind (key confusion)`,
    });
    return;
  }
  if (hmac.length) {
    if (!config.sharedSecret) {
      ctx.addIssue({ code: 'custom', path: ['sharedSecret'], message: `${hmac.join(', ')} needs a shared secret: generate one with POST /api/v1/apps/{id}/jwt-secret` });
      return;
    }
    // RFC 7518 section 3.2: the HMAC key is at least as long as the hash output.
    const needed = Math.max(...hmac.map((alg) => HS_KEY_BYTES[alg]!));
    if (Buffer.byteLength(config.sharedSecret, 'utf8') < needed) {
      ctx.addIssue({ code: 'custom', path: ['sharedSecret'], message: `must be at least ${needed} bytes for ${hmac.join(', ')}` });
    }
    return;
  }
  if (config.publicKey && config.jwksUrl) {
    ctx.addIssue({ code: 'custom', path: ['publicKey'], message: 'give publicKey or jwksUrl, not both' });
    return;
  }
  if (!config.publicKey && !config.jwksUrl) {
    ctx.addIssue({ code: 'custom', path: ['publicKey'], message: `${asymmetric.join(', ')} needs the signing site's publicKey (PEM or JWK) or its jwksUrl` });
    return;
  }
  if (config.publicKey) {
    const problem = publicKeyProblem(config.publicKey, asymmetric);
    if (problem) ctx.addIssue({ code: 'custom', path: ['publicKey'], message: problem });
  }
}

/** Why this pasted key cannot verify these algorithms, or undefined when it can. */
export function publicKeyProblem(text: string, algorithms: readonly string[]): string | undefined {
  let key: KeyObject;
  try {
    if (/PRIVATE KEY/.test(text)) return 'is a private key: paste the public key only, and keep the private key on the signing server';
    if (text.trimStart().startsWith('{')) {
      const jwk = JSON.parse(text) as Record<string, unknown>;
      if ('d' in jwk || 'k' in jwk) return 'is a private or secret JWK: paste the public key only';
      key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } else {
      if (!/-----BEGIN (PUBLIC KEY|RSA PUBLIC KEY)-----/.test(text)) return 'must be a PEM public key (-----BEGIN PUBLIC KEY-----) or a JWK';
      key = createPublicKey(text);
    }
  } catch {
    return 'could not be read as a PEM public key or a JWK';
  }
  for (const alg of algorithms) {
    const fits =
      alg === 'RS256' ? key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048
      : alg === 'ES256' ? key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
      : alg === 'EdDSA' ? key.asymmetricKeyType === 'ed25519'
      : false;
    if (!fits) {
      const wanted = alg === 'RS256' ? 'an RSA key of at least 2048 bits' : alg === 'ES256' ? 'an EC P-256 key' : 'an Ed25519 key';
      return `cannot verify ${alg}: it needs ${wanted}, this is ${key.asymmetricKeyType ?? 'another kind of'} key`;
    }
  }
  return undefined;
}

type IdpSource = {
  idpMetadataUrl?: string; idpMetadataXml?: string; idpEntityId?: string; idpSsoUrl?: string; idpCertificate?: string;
  idpCertificates?: string[]; domain?: string; tenant?: string; appId?: string;
};
const needsIdp = (value: unknown) => {
  const c = value as IdpSource;
  return Boolean(
    c.idpMetadataUrl || c.idpMetadataXml || (c.idpEntityId && c.idpSsoUrl && (c.idpCertificate || c.idpCertificates?.length)) || ((c.domain || c.tenant) && c.appId),
  );
};

function samlSchema<E extends z.ZodRawShape>(extra: E) {
  return z
    .object({
      ...samlShape,
      ...externalShape,
      // SAML has no email_verified: whether the identity service vouches for the email is
      // the admin's call, so linking by email is off until they say it does.
      trustEmail: z.boolean().default(false),
      ...extra,
    })
    .strict()
    .refine(needsIdp, 'give the identity service metadata (URL or XML), or its entity id, SSO URL and certificate');
}

const presetAppId = z.string().trim().regex(/^[A-Za-z0-9_-]{1,100}$/, 'the application id shown by the identity service');

/**
 * The Okta, OneLogin and Microsoft presets in SAML mode (`protocol: "saml"`): the generic
 * SAML settings, plus the short values the metadata URL is built from (`domain` or `tenant`,
 * and the application id), so the admin copies one id instead of a URL.
 */
export const SAML_PRESET_SCHEMAS = {
  okta: samlSchema({ protocol: z.literal('saml'), domain: domain.optional(), appId: presetAppId.optional() }),
  onelogin: samlSchema({ protocol: z.literal('saml'), domain: domain.optional(), appId: presetAppId.optional() }),
  microsoft: samlSchema({
    protocol: z.literal('saml'),
    tenant: z.string().trim().regex(/^([0-9a-f-]{36}|[a-z0-9-]+\.onmicrosoft\.com)$/i, 'a tenant id or tenant domain').optional(),
    appId: z.uuid().optional(),
  }),
} satisfies Record<string, z.ZodType>;

export const APP_CONFIG_SCHEMAS = {
  password: z.object({}).strict(),
  oidc: z.object({ issuer: serviceUrl, ...oidcShape }).strict().refine(needsClientCredential, credentialMessage),
  google: z
    .object({ ...oidcShape, hostedDomains: z.array(domain).default([]) })
    .strict()
    .refine(needsClientCredential, credentialMessage),
  microsoft: z
    .object({
      ...oidcShape,
      // A sovereign cloud (login.microsoftonline.us, login.chinacloudapi.cn): its issuer URL.
      issuer: httpsUrl.optional(),
      // Only a tenant id: the discovery documents of `organizations`, `common` and tenant
      // domains name a templated issuer that no ID token carries, so such an app could never
      // sign anyone in. Refused here, at configuration time, rather than at every sign-in.
      tenant: z
        .string()
        .trim()
        .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'the Directory (tenant) id, a GUID from the Entra overview page; multi-tenant (organizations, common) is not supported yet'),
      // Entra's email claim is not verified by Microsoft for every account type (the nOAuth
      // attack): linking by email is off unless the admin turns it on knowingly.
      trustEmail: z.boolean().default(false),
    })
    .strict()
    .refine(needsClientCredential, credentialMessage),
  // `issuer` overrides the one built from the domain: an Okta custom authorization server
  // (https://acme.okta.com/oauth2/default). Google has no such field: it has one issuer, and
  // its hosted-domain check means something only for tokens that issuer signed.
  okta: z.object({ domain, issuer: httpsUrl.optional(), ...oidcShape }).strict().refine(needsClientCredential, credentialMessage),
  onelogin: z.object({ domain, issuer: httpsUrl.optional(), ...oidcShape }).strict().refine(needsClientCredential, credentialMessage),
  saml: samlSchema({}),
  jwt: z
    .object({
      /** Where people who need to sign in are sent, with `return_to`. */
      remoteLoginUrl: serviceUrl,
      algorithms: z.array(z.enum(JWT_ALGORITHMS)).min(1).default(['HS256']),
      /** HS256/384/512: generated by Frontdoor (POST /api/v1/apps/:id/jwt-secret), shown once. */
      sharedSecret: z.string().max(1000).refine((value) => Buffer.byteLength(value, 'utf8') >= 32, 'must be at least 32 bytes').optional(),
      /** RS256/ES256/EdDSA: the signing site's public key, as PEM (SPKI) or a JWK. */
      publicKey: z.string().trim().min(1).max(20_000).optional(),
      /** RS256/ES256/EdDSA: the signing site's JWKS, fetched and re-fetched when it rotates keys. */
      jwksUrl: serviceUrl.optional(),
      /** Checked when set: the token's `iss` must equal it. */
      issuer: z.string().trim().min(1).max(1000).optional(),
      /** Checked when set: the token's `aud` must contain it. */
      audience: z.string().trim().min(1).max(1000).optional(),
      claims: jwtClaims.default(JWT_DEFAULT_CLAIMS),
      /** Add people to the custom usergroups their `groups` (or `tags`) claim names. */
      mapGroups: z.boolean().default(false),
      /** How long after its `iat` a token is accepted (plus the clock tolerance). */
      maxTokenAgeSeconds: z.number().int().min(10).max(3600).default(300),
      ...externalShape,
      // Signing sites are ordinary web servers, often without disciplined NTP.
      clockToleranceSeconds: z.number().int().min(0).max(300).default(60),
    })
    .strict()
    .superRefine(checkJwtKeys),
} satisfies Record<string, z.ZodType>;

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

export type JwtAppConfig = z.infer<(typeof APP_CONFIG_SCHEMAS)['jwt']>;
