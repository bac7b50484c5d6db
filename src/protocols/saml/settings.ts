import type { z } from 'zod';
import type { AuthApp } from '../../core/apps.ts';
import { storedConfigOf } from '../../core/app-config.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { SAML_PRESET_STORED_SCHEMAS, SamlStoredSchema, type SamlAppConfig, type SamlPresetType } from './config.ts';

export type { SamlAppConfig } from './config.ts';

/** The generic `saml` type, or an Okta, OneLogin or Microsoft preset with `protocol: "saml"`. */
export function isSamlApp(app: Pick<AuthApp, 'type' | 'config'>): boolean {
  return app.type === 'saml' || (app.config.protocol === 'saml' && isSamlPreset(app.type));
}

const isSamlPreset = (type: string): type is SamlPresetType => Object.hasOwn(SAML_PRESET_STORED_SCHEMAS, type);

type MetadataUrlOf = (app: Pick<AuthApp, 'config'>) => string | undefined;
const fromConfig = <S extends z.ZodType>(schema: S, build: (config: z.output<S>) => string | undefined): MetadataUrlOf =>
  (app) => build(storedConfigOf(app, schema));

// Each preset's metadata URL, from the short values its admin copies.
const PRESET_METADATA_URLS: Record<SamlPresetType, MetadataUrlOf> = {
  okta: fromConfig(SAML_PRESET_STORED_SCHEMAS.okta, ({ domain, appId }) =>
    domain && appId ? `https://${domain}/app/${encodeURIComponent(appId)}/sso/saml/metadata` : undefined),
  onelogin: fromConfig(SAML_PRESET_STORED_SCHEMAS.onelogin, ({ domain, appId }) =>
    domain && appId ? `https://${domain}/saml/metadata/${encodeURIComponent(appId)}` : undefined),
  microsoft: fromConfig(SAML_PRESET_STORED_SCHEMAS.microsoft, ({ tenant, appId }) =>
    tenant && appId
      ? `https://login.microsoftonline.com/${encodeURIComponent(tenant)}/federationmetadata/2007-06/federationmetadata.xml?appid=${encodeURIComponent(appId)}`
      : undefined),
};

/** A preset in SAML mode names its IdP by short values; this is the metadata URL they stand for. */
export function presetMetadataUrl(app: Pick<AuthApp, 'type' | 'config'>): string | undefined {
  return isSamlPreset(app.type) ? PRESET_METADATA_URLS[app.type](app) : undefined;
}

export const NAME_ID_FORMAT_URN: Record<SamlAppConfig['nameIdFormat'], string> = {
  emailAddress: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
};

export function samlConfigOf(app: Pick<AuthApp, 'config'>): SamlAppConfig {
  return storedConfigOf(app, SamlStoredSchema);
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
