import type { AuthApp } from '../core/apps.ts';
import { jwtProtocol } from './jwt/sign-in.ts';
import { oidcProtocol } from './oidc/sign-in.ts';
import { samlProtocol } from './saml/sign-in.ts';
import type { SignInProtocol } from './sign-in-protocol.ts';

// The one list of sign-in protocols, and of the app types an admin can install. An app's
// `type` (the column, the API field) names a preset of a protocol: `google` is OpenID Connect
// with Google's issuer and checks. Stored apps keep their type; this table says what it speaks.
// Adding a sign-in method: its folder under src/protocols/, and one line here
// (docs/ARCHITECTURE.md, "Adding a sign-in method").

export type AppKind = {
  protocol: SignInProtocol;
  /** The preset of the protocol this type stands for (`generic` for the protocol itself). */
  preset: string;
  /** Vendors that speak SAML as well: their apps switch with `config.protocol: "saml"`. */
  alsoSaml?: boolean;
};

export const SIGN_IN_PROTOCOLS: readonly SignInProtocol[] = [oidcProtocol, samlProtocol, jwtProtocol];

export const APP_KINDS: Readonly<Record<string, AppKind>> = {
  oidc: { protocol: oidcProtocol, preset: 'generic' },
  google: { protocol: oidcProtocol, preset: 'google' },
  microsoft: { protocol: oidcProtocol, preset: 'microsoft', alsoSaml: true },
  okta: { protocol: oidcProtocol, preset: 'okta', alsoSaml: true },
  onelogin: { protocol: oidcProtocol, preset: 'onelogin', alsoSaml: true },
  saml: { protocol: samlProtocol, preset: 'generic' },
  jwt: { protocol: jwtProtocol, preset: 'generic' },
};

/** The protocol an app speaks, or undefined for the password app (and unknown types). */
export function protocolOf(app: Pick<AuthApp, 'type' | 'config'>): SignInProtocol | undefined {
  const kind = APP_KINDS[app.type];
  if (!kind) return undefined;
  if (kind.alsoSaml && app.config.protocol === 'saml') return samlProtocol;
  return kind.protocol;
}
