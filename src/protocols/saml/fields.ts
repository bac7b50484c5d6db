import { clockToleranceField, EXTERNAL_FIELDS } from '../external-fields.ts';
import type { ConfigField } from '../sign-in-protocol.ts';
import { SAML_NAME_ID_FORMATS } from './config.ts';

// The admin console's fields of the SAML presets (config.ts has each key's schema).

const IDP_BY_HAND: readonly ConfigField[] = [
  { key: 'idpMetadataUrl', label: 'IdP metadata URL', kind: 'url', hint: 'Fetched, checked and refreshed on a schedule. Or paste the metadata, or give the entity id, SSO URL and certificate.' },
  { key: 'idpMetadataXml', label: 'IdP metadata (XML, pasted)', kind: 'textarea', hint: 'Used instead of a URL; not refreshed, so paste it again after the IdP rotates its certificate.' },
  { key: 'idpEntityId', label: 'IdP entity id', kind: 'text', hint: 'Without metadata: the issuer the assertions must name.' },
  { key: 'idpSsoUrl', label: 'IdP SSO URL', kind: 'url', hint: 'Without metadata: where sign-in requests are sent.' },
  { key: 'idpSloUrl', label: 'IdP single logout URL', kind: 'url', group: 'logout', hint: 'Without metadata: where logout requests are sent. Empty: no single logout.' },
  { key: 'idpCertificate', label: 'IdP signing certificate (PEM)', kind: 'pem', group: 'security', hint: 'Without metadata: the certificate the assertions are signed with.' },
  { key: 'idpCertificates', label: 'More IdP signing certificates (PEM, one after the other)', kind: 'pemList', group: 'security', hint: 'Accepted side by side during a rollover; remove the old one once it is over.' },
];

const COMMON: readonly ConfigField[] = [
  { key: 'idpCertificateFingerprint', label: 'Pin the IdP certificate (SHA-256 fingerprint)', kind: 'text', group: 'security', hint: 'Only a metadata signing certificate with this fingerprint is trusted. Empty: any in the metadata.' },
  { key: 'metadataRefreshHours', label: 'Refresh the metadata every (hours)', kind: 'number', hint: 'Also fetched again once when a signature fails.' },
  {
    key: 'nameIdFormat', label: 'NameID format', kind: 'select', group: 'claims', options: SAML_NAME_ID_FORMATS.map((f) => [f, f] as const),
    hint: 'Asked for in the request; persistent keeps people linked when their email changes.',
  },
  { key: 'attributes.email', label: 'Email attribute', kind: 'text', group: 'claims', hint: 'Empty: the usual names (Okta, OneLogin, Entra, LDAP OIDs) are tried.' },
  { key: 'attributes.firstName', label: 'First name attribute', kind: 'text', group: 'claims', hint: 'Empty: the usual names.' },
  { key: 'attributes.lastName', label: 'Last name attribute', kind: 'text', group: 'claims', hint: 'Empty: the usual names.' },
  { key: 'attributes.displayName', label: 'Display name attribute', kind: 'text', group: 'claims', hint: 'Empty: the usual names; else first and last name.' },
  { key: 'attributes.groups', label: 'Groups attribute', kind: 'text', group: 'claims', hint: 'The values group mappings and filters match. Empty: the usual names.' },
  { key: 'signAuthnRequests', label: 'Sign sign-in requests', kind: 'boolean', group: 'security', hint: 'On: the IdP can tell our requests from forged ones (our SP certificate is in the metadata).' },
  {
    key: 'authnRequestBinding', label: 'Send sign-in requests by', kind: 'select', group: 'security', options: [['redirect', 'HTTP-Redirect (a link)'], ['post', 'HTTP-POST (a form)']],
    hint: 'What the IdP accepts; most take both.',
  },
  { key: 'wantAssertionsSigned', label: 'Require signed assertions', kind: 'boolean', group: 'security', hint: 'On (recommended): an assertion without its own valid signature is refused.' },
  { key: 'wantResponseSigned', label: 'Require a signed response', kind: 'boolean', group: 'security', hint: 'On: the whole response must be signed too.' },
  { key: 'requireEncryptedAssertions', label: 'Require encrypted assertions', kind: 'boolean', group: 'security', hint: 'On: plain assertions are refused (encrypted ones are always accepted).' },
  { key: 'allowIdpInitiated', label: 'Allow IdP-initiated sign-in', kind: 'boolean', group: 'security', hint: 'On: sign-ins started at the IdP are accepted, though they answer no request of ours (replay and login CSRF risk).' },
  { key: 'allowSha1', label: 'Accept SHA-1 signatures', kind: 'boolean', group: 'security', hint: 'Only for a legacy IdP: SHA-1 signatures can be forged.' },
  clockToleranceField('Leeway for the assertion’s times against our clock.'),
  ...EXTERNAL_FIELDS,
];

/** The SP key pair: generated at install, rotated through the API (docs/SAML.md), never typed. */
export const SAML_MANAGED_KEYS = ['spCertificate', 'spPrivateKey', 'spNextCertificate', 'spNextPrivateKey', 'spPreviousCertificate', 'spPreviousPrivateKey'] as const;
/** A vendor card in SAML mode sets `protocol: "saml"`. */
export const SAML_PRESET_MANAGED_KEYS = [...SAML_MANAGED_KEYS, 'protocol'] as const;

const appId = (hint: string): ConfigField => ({ key: 'appId', label: 'Application id at the IdP', kind: 'text', hint });

export const SAML_FIELDS = {
  saml: [...IDP_BY_HAND, ...COMMON],
  okta: [
    { key: 'domain', label: 'Okta domain', kind: 'text', hint: 'With the application id, the metadata URL is built for you (e.g. acme.okta.com).' },
    appId('In the Okta app’s URL, after /app/ (e.g. exk1abc…).'),
    ...IDP_BY_HAND, ...COMMON,
  ],
  onelogin: [
    { key: 'domain', label: 'OneLogin domain', kind: 'text', hint: 'With the application id, the metadata URL is built for you (e.g. acme.onelogin.com).' },
    appId('The number in the OneLogin app’s SSO tab.'),
    ...IDP_BY_HAND, ...COMMON,
  ],
  microsoft: [
    { key: 'tenant', label: 'Directory (tenant) id or domain', kind: 'text', hint: 'With the application id, the federation metadata URL is built for you.' },
    appId('The Entra enterprise application’s Application ID (a GUID).'),
    ...IDP_BY_HAND, ...COMMON,
  ],
} satisfies Record<string, readonly ConfigField[]>;
