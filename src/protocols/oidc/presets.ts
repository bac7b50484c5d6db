import type { z } from 'zod';
import { storedConfigOf } from '../../core/app-config.ts';
import type { AuthApp } from '../../core/apps.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { OIDC_STORED_SCHEMAS, type OidcCommonConfig, type OidcType } from './config.ts';

// What sets one OIDC preset apart from another is data here, not `if (app.type === ...)` in
// the protocol code: the issuer it trusts, extra authorization parameters, and its own checks
// of the signed claims.

type Claims = Record<string, unknown>;

/** The preset's quirks, from its own (typed) config. */
type PresetQuirks = {
  /** The issuer sign-ins are checked against. */
  issuer: string;
  /** Authorization request parameters beyond the standard ones (hints only: nothing is trusted from them). */
  authorizationParameters?: Record<string, string>;
  /** The stable subject, when it is not `sub`; throws when the claims cannot name one. */
  subjectOf?(claims: Claims): string;
  /** The preset's own checks of the signed claims, after the subject. */
  checkClaims?(claims: Claims): void;
};

/** An OIDC app's settings: its stored config with its preset's quirks. */
export type OidcSettings = OidcCommonConfig & PresetQuirks;

type SettingsReader = (app: Pick<AuthApp, 'config'>) => OidcSettings;

/** A preset: its stored schema and its quirks, read once per stored config. */
function preset<S extends z.ZodType<OidcCommonConfig>>(schema: S, quirksOf: (config: z.output<S>) => PresetQuirks): SettingsReader {
  const read = new WeakMap<object, OidcSettings>();
  return (app) => {
    const config = storedConfigOf(app, schema);
    let settings = read.get(config);
    if (!settings) read.set(config, (settings = { ...config, ...quirksOf(config) }));
    return settings;
  };
}

const PRESETS: Record<OidcType, SettingsReader> = {
  oidc: preset(OIDC_STORED_SCHEMAS.oidc, (config) => ({ issuer: config.issuer })),
  google: preset(OIDC_STORED_SCHEMAS.google, (config) => ({
    issuer: 'https://accounts.google.com',
    // A hint for Google's account chooser only; the `hd` claim is what is checked.
    ...(config.hostedDomains.length === 1 ? { authorizationParameters: { hd: config.hostedDomains[0]! } } : {}),
    checkClaims(claims) {
      // The `hd` request parameter is only a hint a user can edit; the signed claim decides.
      if (config.hostedDomains.length > 0 && (typeof claims.hd !== 'string' || !config.hostedDomains.includes(claims.hd.toLowerCase()))) {
        throw new FrontdoorError('sso.hosted_domain_mismatch', 'This Google account is not from a domain allowed here.', { check: 'hosted_domain' });
      }
    },
  })),
  microsoft: preset(OIDC_STORED_SCHEMAS.microsoft, (config) => ({
    issuer: config.issuer ?? `https://login.microsoftonline.com/${config.tenant}/v2.0`,
    subjectOf(claims) {
      // Entra: the object id within its tenant is the stable key; email and
      // preferred_username are editable by tenant admins and must never identify anyone.
      const { tid, oid } = claims;
      if (typeof tid !== 'string' || typeof oid !== 'string') {
        throw new FrontdoorError('sso.token_invalid', 'The Microsoft ID token has no tenant or object id.', { check: 'microsoft_tid_oid' });
      }
      // The tenant's own issuer is checked by openid-client, but Entra's issuer names the tenant
      // the token was minted for only by convention; `tid` is the claim Microsoft documents for
      // "which directory is this person from" (Entra ID token reference). A token of another
      // tenant must not sign anyone in here, whatever its issuer says.
      if (tid.toLowerCase() !== config.tenant.toLowerCase()) {
        throw new FrontdoorError('sso.token_invalid', 'This Microsoft account is not from the directory this sign-in is set up for.', {
          check: 'microsoft_tenant', detail: `tid ${tid} is not the configured tenant ${config.tenant}`,
        });
      }
      return `${tid}:${oid}`;
    },
  })),
  // `issuer` set: an Okta custom authorization server, or OneLogin's other issuer form.
  okta: preset(OIDC_STORED_SCHEMAS.okta, (config) => ({ issuer: config.issuer ?? `https://${config.domain}` })),
  onelogin: preset(OIDC_STORED_SCHEMAS.onelogin, (config) => ({ issuer: config.issuer ?? `https://${config.domain}/oidc/2` })),
};

const isOidcType = (type: string): type is OidcType => Object.hasOwn(OIDC_STORED_SCHEMAS, type);

/** The app types that can speak OIDC (the vendors only unless switched to SAML). */
export const OIDC_TYPES: ReadonlySet<string> = new Set(Object.keys(OIDC_STORED_SCHEMAS));

/** An OIDC app's settings, read once per stored config. */
export function oidcSettingsOf(app: Pick<AuthApp, 'type' | 'config'>): OidcSettings {
  if (!isOidcType(app.type)) throw new FrontdoorError('sso.protocol_unavailable', `${app.type} apps do not use OpenID Connect.`);
  return PRESETS[app.type](app);
}
