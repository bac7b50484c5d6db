import * as client from 'openid-client';
import { importJWK } from 'jose';
import { checkMessage, type CheckMessage } from '../../i18n/check-details.ts';

/**
 * How Frontdoor authenticates to a provider's token endpoint (RFC 6749 2.3, OIDC Core 9),
 * and which of those ways an app uses: the admin's choice, or (`auto`, the default) one read
 * from the provider's discovery document.
 */
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];
export type ClientAuthSetting = ClientAuthMethod | 'auto';

export type ClientCredentials = { clientSecret?: unknown; privateKeyJwk?: unknown };

export type ClientAuthChoice = {
  method: ClientAuthMethod;
  /** What the provider's discovery lists (OIDC Discovery 1.0 section 3: client_secret_basic when it lists nothing). */
  supported: string[];
  /** Why this method, for the Test report: a message in the reader's language (i18n/check-details.ts). */
  reason: CheckMessage;
};

/** The provider's `token_endpoint_auth_methods_supported`, with the default Discovery 1.0 gives an absent one. */
export function supportedClientAuthMethods(metadata: Pick<client.ServerMetadata, 'token_endpoint_auth_methods_supported'>): string[] {
  const listed = metadata.token_endpoint_auth_methods_supported;
  return Array.isArray(listed) && listed.length > 0 ? listed.filter((m): m is string => typeof m === 'string') : ['client_secret_basic'];
}

/** The methods this app's credentials allow, in the order `auto` prefers them. */
export function methodsWithCredentials(credentials: ClientCredentials): ClientAuthMethod[] {
  const methods: ClientAuthMethod[] = [];
  // A key is preferred over a secret: the provider never holds anything that signs as us.
  if (credentials.privateKeyJwk) methods.push('private_key_jwt');
  // client_secret_basic before client_secret_post: RFC 6749 2.3.1 makes Basic the one every
  // server MUST support, it is what providers register clients with by default (Okta,
  // OneLogin, oidc-provider, Keycloak), and discovery says what the provider supports, not
  // what this client was registered with.
  if (credentials.clientSecret) methods.push('client_secret_basic', 'client_secret_post');
  return methods;
}

/**
 * The method an app uses. An admin's explicit choice always wins. `auto` takes the first of
 * the app's possible methods (key, then Basic, then POST) that the provider lists; when it
 * lists none of them, Basic (or the key) anyway, and Test says what the provider wants.
 * A public client (`none`) is never chosen automatically: a forgotten secret must not turn
 * an app into one.
 */
export function chooseClientAuthMethod(setting: ClientAuthSetting, supported: string[], credentials: ClientCredentials): ClientAuthChoice {
  if (setting !== 'auto') return { method: setting, supported, reason: checkMessage('check.oidc.reasonSet') };
  const possible = methodsWithCredentials(credentials);
  const listed = possible.find((method) => supported.includes(method));
  if (listed) return { method: listed, supported, reason: checkMessage('check.oidc.reasonFirstListed', { supported: supported.join(', ') }) };
  const fallback = possible[0] ?? 'client_secret_basic';
  return { method: fallback, supported, reason: checkMessage('check.oidc.reasonNoneListed', { supported: supported.join(', ') }) };
}

/**
 * The value as the application/x-www-form-urlencoded serializer writes it (WHATWG URL,
 * "application/x-www-form-urlencoded serializing": what a browser sends for a form field).
 */
export function formUrlEncoded(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/**
 * client_secret_basic as providers read it. RFC 6749 2.3.1 asks for the client id and secret
 * to be form-urlencoded before they go into the Basic header; many servers (LemonLDAP::NG,
 * and others that predate the erratum) base64-decode the header and compare it as it is.
 * openid-client's ClientSecretBasic escapes every character the HTML 4 form encoding allows
 * it to, `-` `_` `.` `~` `*` included, so `demo-client-secret` goes out as
 * `demo%2Dclient%2Dsecret` and such servers answer 401. We write the WHATWG form encoding
 * instead: a server that decodes reads exactly the same value from either (both are valid
 * form encodings of it), and for credentials made of letters, digits and `-` `.` `_` `*`
 * (hex, UUIDs, base64url: what providers generate) the encoded text is the text itself, so a
 * server that does not decode reads it right too. Other characters (`+` `/` `=` of base64,
 * `:`) are percent-encoded, as the RFC asks; a provider that does not decode them needs
 * client_secret_post, which the Test report then names.
 */
export function clientSecretBasic(clientSecret: string): client.ClientAuth {
  return (_server, clientMetadata, _body, headers) => {
    const credentials = `${formUrlEncoded(clientMetadata.client_id)}:${formUrlEncoded(clientSecret)}`;
    headers.set('authorization', `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`);
  };
}

type PrivateKey = Extract<Parameters<typeof client.PrivateKeyJwt>[0], { kid?: string }>;

/** openid-client's authentication for a method, from the app's credentials. */
export async function clientAuthFor(method: ClientAuthMethod, credentials: ClientCredentials): Promise<client.ClientAuth> {
  switch (method) {
    case 'none':
      return client.None();
    case 'client_secret_post':
      return client.ClientSecretPost(String(credentials.clientSecret));
    case 'private_key_jwt': {
      const jwk = JSON.parse(String(credentials.privateKeyJwk)) as { alg?: string; kid?: string };
      const key = (await importJWK(jwk, jwk.alg ?? 'RS256')) as PrivateKey['key'];
      return client.PrivateKeyJwt({ key, ...(jwk.kid ? { kid: jwk.kid } : {}) });
    }
    case 'client_secret_basic':
      return clientSecretBasic(String(credentials.clientSecret));
  }
}
