import { z } from 'zod';
import { externalSettingsOf } from '../core/account-resolution.ts';
import type { AppCatalog, AppType } from '../core/app-config.ts';
import type { AuthApp } from '../core/apps.ts';
import { jwtProtocol } from './jwt/sign-in.ts';
import { ldapProtocol } from './ldap/protocol.ts';
import { oauth2Protocol } from './oauth2/sign-in.ts';
import { oidcProtocol } from './oidc/sign-in.ts';
import { samlProtocol } from './saml/sign-in.ts';
import type { ConfigField, ProtocolPreset, SignInProtocol } from './sign-in-protocol.ts';

// The one list of sign-in protocols. Each brings its presets: an app's `type` (the column,
// the API field) names one, and `google` is OpenID Connect with Google's issuer and checks.
// Stored apps keep their type; this list says what it speaks.
// Adding a sign-in method: its folder under src/protocols/, and one line here
// (docs/ARCHITECTURE.md, "Adding a sign-in method").
export const SIGN_IN_PROTOCOLS: readonly SignInProtocol[] = [
  oidcProtocol,
  samlProtocol,
  jwtProtocol,
  oauth2Protocol,
  ldapProtocol,
];

const PASSWORD_PRESET: ProtocolPreset = { name: 'Email and password', schema: z.object({}).strict(), fields: [] };

type Kind = { protocol: SignInProtocol; preset: ProtocolPreset };
/** type -> its own protocol; and the protocols a `config.protocol` field may switch it to. */
const OWNERS = new Map<AppType, Kind>();
const SWITCHES = new Map<AppType, Kind[]>();
for (const protocol of SIGN_IN_PROTOCOLS) {
  for (const [type, preset] of Object.entries(protocol.presets)) {
    if (preset.whenProtocolField) SWITCHES.set(type, [...(SWITCHES.get(type) ?? []), { protocol, preset }]);
    else if (OWNERS.has(type)) throw new Error(`app type ${type} is claimed by ${OWNERS.get(type)!.protocol.name} and ${protocol.name}`);
    else OWNERS.set(type, { protocol, preset });
  }
}

function kindOf(type: AppType, config: Record<string, unknown>): Kind | undefined {
  const switched = SWITCHES.get(type)?.find((kind) => config.protocol === kind.protocol.name);
  return switched ?? OWNERS.get(type);
}

/** The protocol an app speaks, or undefined for the password app. The one lookup. */
export function protocolOf(app: Pick<AuthApp, 'type' | 'config'>): SignInProtocol | undefined {
  return kindOf(app.type, app.config)?.protocol;
}

/** Every installable type, `password` first. */
export const APP_TYPES: readonly AppType[] = ['password', ...OWNERS.keys()];
export const AppTypeSchema = z.string().refine((type) => APP_TYPES.includes(type), { message: `one of ${APP_TYPES.join(', ')}` });

/** The default name of a new app of this type. */
export function defaultAppName(type: AppType): string {
  return type === 'password' ? PASSWORD_PRESET.name : (OWNERS.get(type)?.preset.name ?? type);
}

/** The admin console's form fields of this type, in the mode its config names (Okta in SAML mode). */
export function adminFieldsOf(type: AppType, config: Record<string, unknown> = {}): readonly ConfigField[] {
  return kindOf(type, config)?.preset.fields ?? [];
}

/** The protocol a type speaks in the mode its config names: what its form's copy values come from. */
export function protocolOfType(type: AppType, config: Record<string, unknown>): SignInProtocol | undefined {
  return kindOf(type, config)?.protocol;
}

/** Every form the console can draw: each type in each of its modes (`protocol` set for a switched one). */
export const ADMIN_FORMS: readonly { type: AppType; protocol?: string; preset: ProtocolPreset }[] = [
  ...[...OWNERS].map(([type, kind]) => ({ type, preset: kind.preset })),
  ...[...SWITCHES].flatMap(([type, kinds]) => kinds.map((kind) => ({ type, protocol: kind.protocol.name, preset: kind.preset }))),
];

/** The labels of every protocol's copy-URLs. */
export const URL_LABELS: Readonly<Record<string, string>> = Object.assign({}, ...SIGN_IN_PROTOCOLS.map((p) => p.urlLabels));

/** What the app registry (core/apps.ts) asks about types, answered by the protocols. */
export const APP_CATALOG: AppCatalog = {
  types: APP_TYPES,
  schemaFor: (type, config) => (type === 'password' ? PASSWORD_PRESET.schema : kindOf(type, config)!.preset.schema),
  // A vendor's secrets in either mode: switching Okta to SAML must not leave a secret in clear.
  secretKeysOf: (type) => [...new Set([OWNERS.get(type), ...(SWITCHES.get(type) ?? [])].flatMap((kind) => kind?.protocol.secretKeys ?? []))],
  defaultNameOf: defaultAppName,
  prepareNew: async (type, config, label) => kindOf(type, config)?.protocol.prepareNew?.(config, label) ?? config,
  lostPasswordUrlOf: (app) => {
    const protocol = protocolOf(app);
    if (!protocol) return undefined;
    return protocol.lostPasswordUrl ? protocol.lostPasswordUrl(app) : externalSettingsOf(app).lostPasswordUrl;
  },
};
