import { clockToleranceField, EXTERNAL_FIELDS } from '../external-fields.ts';
import type { AppFieldKey } from '../../i18n/apps/fields-en.ts';
import type { ConfigField } from '../sign-in-protocol.ts';

// The admin console's fields of the OpenID Connect presets (config.ts has each key's schema).

const CLIENT: readonly ConfigField[] = [
  { key: 'clientId', label: 'apps.field.clientId', kind: 'text', required: true, hint: 'apps.hint.oidc.clientId' },
  { key: 'clientSecret', label: 'apps.field.clientSecret', kind: 'secret', hint: 'apps.hint.oidc.clientSecret' },
  {
    key: 'clientAuth', label: 'apps.field.oidc.clientAuth', kind: 'select', group: 'security',
    options: [['auto', 'apps.option.oidc.auto'], ['client_secret_basic', 'apps.option.oidc.basic'], ['client_secret_post', 'apps.option.oidc.post'], ['private_key_jwt', 'apps.option.oidc.privateKey'], ['none', 'apps.option.oidc.none']],
    hint: 'apps.hint.oidc.clientAuth',
  },
  { key: 'privateKeyJwk', label: 'apps.field.oidc.privateKeyJwk', kind: 'secret', group: 'security', hint: 'apps.hint.oidc.privateKeyJwk' },
  { key: 'scopes', label: 'apps.field.scopes', kind: 'list', hint: 'apps.hint.oidc.scopes' },
];

const CLAIMS: readonly ConfigField[] = [
  { key: 'claims.email', label: 'apps.field.emailClaim', kind: 'text', group: 'claims', hint: 'apps.hint.oidc.emailClaim' },
  { key: 'claims.name', label: 'apps.field.nameClaim', kind: 'text', group: 'claims', hint: 'apps.hint.nameClaim' },
  { key: 'claims.groups', label: 'apps.field.groupsClaim', kind: 'text', group: 'claims', hint: 'apps.hint.oidc.groupsClaim' },
];

const TAIL: readonly ConfigField[] = [
  ...CLAIMS,
  clockToleranceField('apps.hint.clockTolerance.oidc'),
  { key: 'postLogoutRedirectUri', label: 'apps.field.oidc.postLogoutRedirectUri', kind: 'url', group: 'logout', hint: 'apps.hint.oidc.postLogoutRedirectUri' },
  ...EXTERNAL_FIELDS,
];

const issuerOverride = (hint: AppFieldKey): ConfigField => ({ key: 'issuer', label: 'apps.field.oidc.issuerOverride', kind: 'url', hint });

/** The keys of an OIDC preset no admin types: the mode (OIDC unless a SAML card installed it). */
export const OIDC_MANAGED_KEYS = ['protocol'] as const;

export const OIDC_FIELDS = {
  oidc: [
    { key: 'issuer', label: 'apps.field.oidc.issuer', kind: 'url', required: true, hint: 'apps.hint.oidc.issuer' },
    ...CLIENT, ...TAIL,
  ],
  google: [
    ...CLIENT,
    { key: 'hostedDomains', label: 'apps.field.oidc.hostedDomains', kind: 'list', group: 'security', hint: 'apps.hint.oidc.hostedDomains' },
    ...TAIL,
  ],
  microsoft: [
    { key: 'tenant', label: 'apps.field.oidc.tenant', kind: 'text', required: true, hint: 'apps.hint.oidc.tenant' },
    issuerOverride('apps.hint.oidc.microsoftIssuer'),
    ...CLIENT, ...TAIL,
  ],
  okta: [
    { key: 'domain', label: 'apps.field.oktaDomain', kind: 'text', required: true, hint: 'apps.hint.oidc.oktaDomain' },
    issuerOverride('apps.hint.oidc.oktaIssuer'),
    ...CLIENT, ...TAIL,
  ],
  onelogin: [
    { key: 'domain', label: 'apps.field.oneloginDomain', kind: 'text', required: true, hint: 'apps.hint.oidc.oneloginDomain' },
    issuerOverride('apps.hint.oidc.oneloginIssuer'),
    ...CLIENT, ...TAIL,
  ],
} satisfies Record<string, readonly ConfigField[]>;
