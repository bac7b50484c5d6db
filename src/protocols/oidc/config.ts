import { z } from 'zod';
import { domainName, externalShape, serviceUrl } from '../../core/app-config.ts';

// The config schemas of the OpenID Connect presets (generic, Google, Microsoft, Okta,
// OneLogin). Each is an object shape (`stored`: what a saved app's config is read with, its
// secrets already split off) and the install schema that also asks for a client credential.

const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https URL' });
const clientId = z.string().trim().min(1).max(500);
const clientSecret = z.string().min(1).max(2000);

const oidcClaims = z
  .object({ email: z.string().min(1).default('email'), name: z.string().min(1).default('name'), groups: z.string().min(1).default('groups') })
  .strict();

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
  /** The Okta, OneLogin and Microsoft presets speak OIDC unless `protocol: "saml"` (see protocols/saml/config.ts). */
  protocol: z.literal('oidc').optional(),
  ...externalShape,
};

// `auto` needs a secret or a key: it never makes a public client of an app whose secret was forgotten.
const needsClientCredential = (c: { clientAuth: string; clientSecret?: string | undefined; privateKeyJwk?: string | undefined }) =>
  c.clientAuth === 'none' ||
  (c.clientAuth === 'private_key_jwt' ? Boolean(c.privateKeyJwk) : c.clientAuth === 'auto' ? Boolean(c.clientSecret || c.privateKeyJwk) : Boolean(c.clientSecret));
const credentialMessage = {
  message: 'give clientSecret, or privateKeyJwk (with clientAuth auto or private_key_jwt), or clientAuth none for a public client',
  path: ['clientSecret'],
};

/** What every OIDC preset's stored config has. */
export const OidcCommonSchema = z.object(oidcShape);
export type OidcCommonConfig = z.output<typeof OidcCommonSchema>;

export const OIDC_STORED_SCHEMAS = {
  oidc: z.object({ issuer: serviceUrl, ...oidcShape }),
  google: z.object({ ...oidcShape, hostedDomains: z.array(domainName).default([]) }),
  microsoft: z.object({
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
  }),
  // `issuer` overrides the one built from the domain: an Okta custom authorization server
  // (https://acme.okta.com/oauth2/default). Google has no such field: it has one issuer, and
  // its hosted-domain check means something only for tokens that issuer signed.
  okta: z.object({ domain: domainName, issuer: httpsUrl.optional(), ...oidcShape }),
  onelogin: z.object({ domain: domainName, issuer: httpsUrl.optional(), ...oidcShape }),
};

export type OidcType = keyof typeof OIDC_STORED_SCHEMAS;

/** The schemas a new or edited app of each OIDC preset is validated with (secrets included). */
export const OIDC_CONFIG_SCHEMAS = {
  oidc: OIDC_STORED_SCHEMAS.oidc.strict().refine(needsClientCredential, credentialMessage),
  google: OIDC_STORED_SCHEMAS.google.strict().refine(needsClientCredential, credentialMessage),
  microsoft: OIDC_STORED_SCHEMAS.microsoft.strict().refine(needsClientCredential, credentialMessage),
  okta: OIDC_STORED_SCHEMAS.okta.strict().refine(needsClientCredential, credentialMessage),
  onelogin: OIDC_STORED_SCHEMAS.onelogin.strict().refine(needsClientCredential, credentialMessage),
} satisfies Record<OidcType, z.ZodType>;
