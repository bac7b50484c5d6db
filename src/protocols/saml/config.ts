import { z } from 'zod';
import { domainName, externalShape, serviceUrl } from '../../core/app-config.ts';

// The SAML 2.0 service-provider config (issue 4; docs/SAML.md): the generic `saml` type, and
// the Okta, OneLogin and Microsoft presets in SAML mode (`protocol: "saml"`).

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

type IdpSource = {
  idpMetadataUrl?: string | undefined; idpMetadataXml?: string | undefined; idpEntityId?: string | undefined; idpSsoUrl?: string | undefined;
  idpCertificate?: string | undefined; idpCertificates: string[]; domain?: string | undefined; tenant?: string | undefined; appId?: string | undefined;
};
const needsIdp = (c: IdpSource) =>
  Boolean(
    c.idpMetadataUrl || c.idpMetadataXml || (c.idpEntityId && c.idpSsoUrl && (c.idpCertificate || c.idpCertificates?.length)) || ((c.domain || c.tenant) && c.appId),
  );

const samlAppShape = {
  ...samlShape,
  ...externalShape,
  // SAML has no email_verified: whether the identity service vouches for the email is
  // the admin's call, so linking by email is off until they say it does.
  trustEmail: z.boolean().default(false),
};

/** What a saved SAML app's config is read with (its SP private keys already split off). */
export const SamlStoredSchema = z.object(samlAppShape);
export type SamlAppConfig = z.output<typeof SamlStoredSchema>;

const installSchema = <S extends z.ZodType<IdpSource>>(stored: S) =>
  stored.refine(needsIdp, 'give the identity service metadata (URL or XML), or its entity id, SSO URL and certificate');


const presetAppId = z.string().trim().regex(/^[A-Za-z0-9_-]{1,100}$/, 'the application id shown by the identity service');
const microsoftTenant = z.string().trim().regex(/^([0-9a-f-]{36}|[a-z0-9-]+\.onmicrosoft\.com)$/i, 'a tenant id or tenant domain');

/**
 * The Okta, OneLogin and Microsoft presets in SAML mode: the generic SAML settings, plus the
 * short values the metadata URL is built from (`domain` or `tenant`, and the application id),
 * so the admin copies one id instead of a URL. Read without `protocol` (the registry chose them by it).
 */
export const SAML_PRESET_STORED_SCHEMAS = {
  okta: SamlStoredSchema.extend({ domain: domainName.optional(), appId: presetAppId.optional() }),
  onelogin: SamlStoredSchema.extend({ domain: domainName.optional(), appId: presetAppId.optional() }),
  microsoft: SamlStoredSchema.extend({ tenant: microsoftTenant.optional(), appId: z.uuid().optional() }),
};
export type SamlPresetType = keyof typeof SAML_PRESET_STORED_SCHEMAS;

const saml = z.literal('saml');
/** The schemas a new or edited SAML app is validated with. */
export const SAML_CONFIG_SCHEMAS = {
  saml: installSchema(SamlStoredSchema.strict()),
  okta: installSchema(SAML_PRESET_STORED_SCHEMAS.okta.extend({ protocol: saml }).strict()),
  onelogin: installSchema(SAML_PRESET_STORED_SCHEMAS.onelogin.extend({ protocol: saml }).strict()),
  microsoft: installSchema(SAML_PRESET_STORED_SCHEMAS.microsoft.extend({ protocol: saml }).strict()),
} satisfies Record<'saml' | SamlPresetType, z.ZodType>;
