import type { AuthApp } from '../../core/apps.ts';
import { SAML_PRESET_SCHEMAS, type SAML_NAME_ID_FORMATS } from '../../core/app-config.ts';
import { FrontdoorError } from '../../core/errors.ts';

export type SamlAppConfig = {
  idpMetadataUrl?: string;
  idpMetadataXml?: string;
  idpEntityId?: string;
  idpSsoUrl?: string;
  idpSloUrl?: string;
  idpCertificate?: string;
  idpCertificates: string[];
  idpCertificateFingerprint?: string;
  metadataRefreshHours: number;
  nameIdFormat: (typeof SAML_NAME_ID_FORMATS)[number];
  attributes: { email?: string; firstName?: string; lastName?: string; displayName?: string; groups?: string };
  signAuthnRequests: boolean;
  authnRequestBinding: 'redirect' | 'post';
  wantAssertionsSigned: boolean;
  wantResponseSigned: boolean;
  requireEncryptedAssertions: boolean;
  allowIdpInitiated: boolean;
  allowSha1: boolean;
  clockToleranceSeconds: number;
  logoutUrl?: string;
  spCertificate?: string;
  spNextCertificate?: string;
  spPreviousCertificate?: string;
};

/** The generic `saml` type, or an Okta, OneLogin or Microsoft preset with `protocol: "saml"`. */
export function isSamlApp(app: Pick<AuthApp, 'type' | 'config'>): boolean {
  return app.type === 'saml' || (app.config.protocol === 'saml' && app.type in SAML_PRESET_SCHEMAS);
}

/** A preset in SAML mode names its IdP by short values; this is the metadata URL they stand for. */
export function presetMetadataUrl(app: Pick<AuthApp, 'type' | 'config'>): string | undefined {
  const { domain, tenant, appId } = app.config as { domain?: string; tenant?: string; appId?: string };
  if (!appId) return undefined;
  const id = encodeURIComponent(appId);
  switch (app.type) {
    case 'okta':
      return domain ? `https://${domain}/app/${id}/sso/saml/metadata` : undefined;
    case 'onelogin':
      return domain ? `https://${domain}/saml/metadata/${id}` : undefined;
    case 'microsoft':
      return tenant ? `https://login.microsoftonline.com/${encodeURIComponent(tenant)}/federationmetadata/2007-06/federationmetadata.xml?appid=${id}` : undefined;
    default:
      return undefined;
  }
}

export const NAME_ID_FORMAT_URN: Record<SamlAppConfig['nameIdFormat'], string> = {
  emailAddress: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
};

export function samlConfigOf(app: AuthApp): SamlAppConfig {
  return app.config as unknown as SamlAppConfig;
}

/** Our side of the federation: the values an admin copies into the identity service. */
export type SpDescriptor = {
  entityId: string;
  acsUrl: string;
  sloUrl: string;
  metadataUrl: string;
};

export function samlUrlsFor(app: Pick<AuthApp, 'slug'>, publicUrl: URL): SpDescriptor {
  const base = `${publicUrl.origin}${publicUrl.pathname.replace(/\/$/, '')}/sso/${app.slug}`;
  // The metadata URL doubles as the entity id: unique per app, and it resolves to the metadata.
  return { entityId: `${base}/saml/metadata`, acsUrl: `${base}/saml/acs`, sloUrl: `${base}/saml/slo`, metadataUrl: `${base}/saml/metadata` };
}

/** The SP keys of an app: the current one signs; current, next and previous all decrypt. */
export type SpKeys = { current: { privateKey: string; certificate: string }; decryption: string[]; published: string[] };

export function spKeysOf(app: AuthApp, secrets: Record<string, unknown>): SpKeys {
  const config = samlConfigOf(app);
  const privateKey = typeof secrets.spPrivateKey === 'string' ? secrets.spPrivateKey : undefined;
  if (!privateKey || !config.spCertificate) {
    throw new FrontdoorError('sso.saml.metadata_invalid', 'This SAML app has no service-provider key yet; save the app again to create one.', { check: 'sp_key' });
  }
  const decryption = [privateKey, secrets.spNextPrivateKey, secrets.spPreviousPrivateKey].filter((k): k is string => typeof k === 'string');
  const published = [config.spCertificate, config.spNextCertificate, config.spPreviousCertificate].filter((c): c is string => typeof c === 'string');
  return { current: { privateKey, certificate: config.spCertificate }, decryption, published };
}
