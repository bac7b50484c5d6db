import { clockToleranceField, EXTERNAL_FIELDS } from '../external-fields.ts';
import type { ConfigField } from '../sign-in-protocol.ts';

// The admin console's fields of the OpenID Connect presets (config.ts has each key's schema).

const CLIENT: readonly ConfigField[] = [
  { key: 'clientId', label: 'Client id', kind: 'text', required: true, hint: 'The id the service gave this app when you registered the redirect URI.' },
  { key: 'clientSecret', label: 'Client secret', kind: 'secret', hint: 'Stored encrypted and never shown again. Not needed with a private key or a public client.' },
  {
    key: 'clientAuth', label: 'Client authentication at the token endpoint', kind: 'select', group: 'security',
    options: [['auto', 'Automatic (from the discovery document)'], ['client_secret_basic', 'Secret in HTTP Basic (client_secret_basic)'], ['client_secret_post', 'Secret in the form body (client_secret_post)'], ['private_key_jwt', 'Private key (signed assertion)'], ['none', 'None: public client with PKCE only']],
    hint: 'Automatic uses what the service announces; None is only for services that issue no secret.',
  },
  { key: 'privateKeyJwk', label: 'Client private key (JWK, JSON)', kind: 'secret', group: 'security', hint: 'For private key authentication; stored encrypted and never shown again.' },
  { key: 'scopes', label: 'Scopes (one per line)', kind: 'list', hint: 'openid is needed; email and profile bring the email and name.' },
];

const CLAIMS: readonly ConfigField[] = [
  { key: 'claims.email', label: 'Email claim', kind: 'text', group: 'claims', hint: 'The ID token claim read as the email.' },
  { key: 'claims.name', label: 'Name claim', kind: 'text', group: 'claims', hint: 'The claim read as the display name.' },
  { key: 'claims.groups', label: 'Groups claim', kind: 'text', group: 'claims', hint: 'The claim whose values group mappings and filters match.' },
];

const TAIL: readonly ConfigField[] = [
  ...CLAIMS,
  clockToleranceField('Leeway for the ID token’s iat and exp against our clock; more accepts older tokens.'),
  { key: 'postLogoutRedirectUri', label: 'Post-logout redirect URI', kind: 'url', group: 'logout', hint: 'Sent at logout so the service brings people back; register it there too. Empty: they stay on the service’s logout page.' },
  ...EXTERNAL_FIELDS,
];

const issuerOverride = (hint: string): ConfigField => ({ key: 'issuer', label: 'Issuer URL (override)', kind: 'url', hint });

/** The keys of an OIDC preset no admin types: the mode (OIDC unless a SAML card installed it). */
export const OIDC_MANAGED_KEYS = ['protocol'] as const;

export const OIDC_FIELDS = {
  oidc: [
    { key: 'issuer', label: 'Issuer URL', kind: 'url', required: true, hint: 'Its discovery document is read from /.well-known/openid-configuration.' },
    ...CLIENT, ...TAIL,
  ],
  google: [
    ...CLIENT,
    { key: 'hostedDomains', label: 'Google Workspace domains (one per line)', kind: 'list', group: 'security', hint: 'Only accounts of these domains get in (the signed hd claim). Empty: any Google account.' },
    ...TAIL,
  ],
  microsoft: [
    { key: 'tenant', label: 'Directory (tenant) id', kind: 'text', required: true, hint: 'The GUID on the Entra overview page; only accounts of this directory get in.' },
    issuerOverride('Only for a sovereign cloud (login.microsoftonline.us …). Empty: the global Entra issuer of the tenant.'),
    ...CLIENT, ...TAIL,
  ],
  okta: [
    { key: 'domain', label: 'Okta domain', kind: 'text', required: true, hint: 'e.g. acme.okta.com' },
    issuerOverride('A custom authorization server (https://acme.okta.com/oauth2/default). Empty: the org issuer.'),
    ...CLIENT, ...TAIL,
  ],
  onelogin: [
    { key: 'domain', label: 'OneLogin domain', kind: 'text', required: true, hint: 'e.g. acme.onelogin.com' },
    issuerOverride('OneLogin’s other issuer form. Empty: https://<domain>/oidc/2.'),
    ...CLIENT, ...TAIL,
  ],
} satisfies Record<string, readonly ConfigField[]>;
