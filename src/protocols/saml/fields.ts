import { clockToleranceField, EXTERNAL_FIELDS } from '../external-fields.ts';
import type { AppFieldKey } from '../../i18n/apps/fields-en.ts';
import type { ConfigField } from '../sign-in-protocol.ts';
import { SAML_NAME_ID_FORMATS } from './config.ts';

// The admin console's fields of the SAML presets (config.ts has each key's schema).

const IDP_BY_HAND: readonly ConfigField[] = [
  { key: 'idpMetadataUrl', label: 'apps.field.saml.idpMetadataUrl', kind: 'url', hint: 'apps.hint.saml.idpMetadataUrl' },
  { key: 'idpMetadataXml', label: 'apps.field.saml.idpMetadataXml', kind: 'textarea', hint: 'apps.hint.saml.idpMetadataXml' },
  { key: 'idpEntityId', label: 'apps.field.saml.idpEntityId', kind: 'text', hint: 'apps.hint.saml.idpEntityId' },
  { key: 'idpSsoUrl', label: 'apps.field.saml.idpSsoUrl', kind: 'url', hint: 'apps.hint.saml.idpSsoUrl' },
  { key: 'idpSloUrl', label: 'apps.field.saml.idpSloUrl', kind: 'url', group: 'logout', hint: 'apps.hint.saml.idpSloUrl' },
  { key: 'idpCertificate', label: 'apps.field.saml.idpCertificate', kind: 'pem', group: 'security', hint: 'apps.hint.saml.idpCertificate' },
  { key: 'idpCertificates', label: 'apps.field.saml.idpCertificates', kind: 'pemList', group: 'security', hint: 'apps.hint.saml.idpCertificates' },
];

const COMMON: readonly ConfigField[] = [
  { key: 'idpCertificateFingerprint', label: 'apps.field.saml.fingerprint', kind: 'text', group: 'security', hint: 'apps.hint.saml.fingerprint' },
  { key: 'metadataRefreshHours', label: 'apps.field.saml.metadataRefresh', kind: 'number', hint: 'apps.hint.saml.metadataRefresh' },
  {
    key: 'nameIdFormat', label: 'apps.field.saml.nameIdFormat', kind: 'select', group: 'claims', options: SAML_NAME_ID_FORMATS.map((f) => [f, f] as const),
    hint: 'apps.hint.saml.nameIdFormat',
  },
  { key: 'attributes.email', label: 'apps.field.emailAttribute', kind: 'text', group: 'claims', hint: 'apps.hint.saml.emailAttribute' },
  { key: 'attributes.firstName', label: 'apps.field.saml.firstNameAttribute', kind: 'text', group: 'claims', hint: 'apps.hint.saml.usualNames' },
  { key: 'attributes.lastName', label: 'apps.field.saml.lastNameAttribute', kind: 'text', group: 'claims', hint: 'apps.hint.saml.usualNames' },
  { key: 'attributes.displayName', label: 'apps.field.saml.displayNameAttribute', kind: 'text', group: 'claims', hint: 'apps.hint.saml.displayNameAttribute' },
  { key: 'attributes.groups', label: 'apps.field.groupsAttribute', kind: 'text', group: 'claims', hint: 'apps.hint.saml.groupsAttribute' },
  { key: 'signAuthnRequests', label: 'apps.field.saml.signAuthnRequests', kind: 'boolean', group: 'security', hint: 'apps.hint.saml.signAuthnRequests' },
  {
    key: 'authnRequestBinding', label: 'apps.field.saml.binding', kind: 'select', group: 'security', options: [['redirect', 'apps.option.saml.redirect'], ['post', 'apps.option.saml.post']],
    hint: 'apps.hint.saml.binding',
  },
  { key: 'wantAssertionsSigned', label: 'apps.field.saml.wantAssertionsSigned', kind: 'boolean', group: 'security', hint: 'apps.hint.saml.wantAssertionsSigned' },
  { key: 'wantResponseSigned', label: 'apps.field.saml.wantResponseSigned', kind: 'boolean', group: 'security', hint: 'apps.hint.saml.wantResponseSigned' },
  { key: 'requireEncryptedAssertions', label: 'apps.field.saml.requireEncrypted', kind: 'boolean', group: 'security', hint: 'apps.hint.saml.requireEncrypted' },
  { key: 'allowIdpInitiated', label: 'apps.field.saml.allowIdpInitiated', kind: 'boolean', group: 'security', hint: 'apps.hint.saml.allowIdpInitiated' },
  { key: 'allowSha1', label: 'apps.field.saml.allowSha1', kind: 'boolean', group: 'security', hint: 'apps.hint.saml.allowSha1' },
  clockToleranceField('apps.hint.clockTolerance.saml'),
  ...EXTERNAL_FIELDS,
];

/** The SP key pair: generated at install, rotated through the API (docs/SAML.md), never typed. */
export const SAML_MANAGED_KEYS = ['spCertificate', 'spPrivateKey', 'spNextCertificate', 'spNextPrivateKey', 'spPreviousCertificate', 'spPreviousPrivateKey'] as const;
/** A vendor card in SAML mode sets `protocol: "saml"`. */
export const SAML_PRESET_MANAGED_KEYS = [...SAML_MANAGED_KEYS, 'protocol'] as const;

const appId = (hint: AppFieldKey): ConfigField => ({ key: 'appId', label: 'apps.field.saml.appId', kind: 'text', hint });

export const SAML_FIELDS = {
  saml: [...IDP_BY_HAND, ...COMMON],
  okta: [
    { key: 'domain', label: 'apps.field.oktaDomain', kind: 'text', hint: 'apps.hint.saml.oktaDomain' },
    appId('apps.hint.saml.oktaAppId'),
    ...IDP_BY_HAND, ...COMMON,
  ],
  onelogin: [
    { key: 'domain', label: 'apps.field.oneloginDomain', kind: 'text', hint: 'apps.hint.saml.oneloginDomain' },
    appId('apps.hint.saml.oneloginAppId'),
    ...IDP_BY_HAND, ...COMMON,
  ],
  microsoft: [
    { key: 'tenant', label: 'apps.field.saml.tenant', kind: 'text', hint: 'apps.hint.saml.tenant' },
    appId('apps.hint.saml.microsoftAppId'),
    ...IDP_BY_HAND, ...COMMON,
  ],
} satisfies Record<string, readonly ConfigField[]>;
