import type { AppType } from '../../../core/app-config.ts';

// What the console shows of each app type: the fields of its form and the labels of the
// addresses an admin copies to the identity service. Data only, in one place (issue 17: each
// protocol is to bring its own).

export type ConfigField = { key: string; label: string; kind: 'text' | 'url' | 'secret' | 'textarea' | 'algorithm'; required?: boolean; hint?: string };

export const URL_LABELS: Record<string, string> = {
  start: 'Sign-in start (Test sign-in)', callback: 'Redirect URI (callback)', backchannelLogout: 'Back-channel logout URI',
  entityId: 'SP entity id', acs: 'ACS (Assertion Consumer Service) URL', slo: 'Single logout URL', metadata: 'SP metadata URL', jwt: 'JWT endpoint',
};

const CLIENT: ConfigField[] = [
  { key: 'clientId', label: 'Client id', kind: 'text', required: true },
  { key: 'clientSecret', label: 'Client secret', kind: 'secret' },
];
export const CONFIG_FIELDS: Record<AppType, ConfigField[]> = {
  password: [],
  oidc: [{ key: 'issuer', label: 'Issuer URL', kind: 'url', required: true, hint: 'Its discovery document is read from /.well-known/openid-configuration.' }, ...CLIENT],
  google: CLIENT,
  microsoft: [{ key: 'tenant', label: 'Directory (tenant) id', kind: 'text', required: true }, ...CLIENT],
  okta: [{ key: 'domain', label: 'Okta domain', kind: 'text', required: true, hint: 'e.g. acme.okta.com' }, ...CLIENT],
  onelogin: [{ key: 'domain', label: 'OneLogin domain', kind: 'text', required: true, hint: 'e.g. acme.onelogin.com' }, ...CLIENT],
  saml: [
    { key: 'idpMetadataUrl', label: 'IdP metadata URL', kind: 'url', hint: 'Or give the entity id, SSO URL and certificate below.' },
    { key: 'idpEntityId', label: 'IdP entity id', kind: 'text' },
    { key: 'idpSsoUrl', label: 'IdP SSO URL', kind: 'url' },
    { key: 'idpCertificate', label: 'IdP signing certificate (PEM)', kind: 'textarea' },
  ],
  jwt: [
    { key: 'remoteLoginUrl', label: 'Remote login URL', kind: 'url', required: true, hint: 'Where people who must sign in are sent, with return_to.' },
    { key: 'algorithms', label: 'Algorithm', kind: 'algorithm', hint: 'HS256: Frontdoor generates a shared secret and shows it once.' },
    { key: 'publicKey', label: 'Public key (PEM or JWK), for RS256, ES256, EdDSA', kind: 'textarea' },
    { key: 'jwksUrl', label: 'Or a JWKS URL', kind: 'url' },
  ],
};
