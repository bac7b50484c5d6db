import * as client from 'openid-client';
import type { AuthApp } from '../../core/apps.ts';
import {
  chooseClientAuthMethod, clientAuthFor, supportedClientAuthMethods, type ClientAuthChoice, type ClientAuthMethod,
} from './client-authentication.ts';
import { OIDC_TYPES, oidcSettingsOf } from './presets.ts';

/** The issuer each OIDC preset stands for, from the short value the admin typed (presets.ts). */
export function issuerOf(app: AuthApp): string {
  return oidcSettingsOf(app).issuer;
}

/** True when an app speaks OIDC: an OIDC type not switched to SAML (`protocol: "saml"`). */
export function isOidcApp(app: Pick<AuthApp, 'type' | 'config'>): boolean {
  return OIDC_TYPES.has(app.type) && app.config.protocol !== 'saml';
}

type CachedMetadata = { key: string; fetchedAt: number; metadata: Promise<client.ServerMetadata> };

// Discovery documents change rarely; refetch hourly, and at once when the app is edited.
const METADATA_TTL_MS = 60 * 60_000;

/**
 * Builds openid-client Configurations for apps. Discovery is cached per app; a fresh
 * Configuration is made per use (cheap) so that our clock (tests move it) becomes the
 * client's notion of now through `clockSkew`.
 */
export class OidcConfigurations {
  readonly #metadata = new Map<string, CachedMetadata>();
  readonly #presetIssuers: ReadonlyMap<string, string>;

  /**
   * `presetIssuers` (app slug -> issuer) exists for integration tests only: a Google app has
   * one issuer, which a test cannot run on a loopback port. It is a constructor argument,
   * never read from configuration or the environment, so no admin or request can set it.
   */
  constructor(options: { presetIssuers?: ReadonlyMap<string, string> } = {}) {
    this.#presetIssuers = options.presetIssuers ?? new Map();
  }

  /** The issuer this app's sign-ins are checked against. */
  issuerFor(app: AuthApp): string {
    return this.#presetIssuers.get(app.slug) ?? issuerOf(app);
  }

  /**
   * A Configuration for one use. `method` overrides the app's client authentication (the
   * Test button tries the others the provider lists after a refusal).
   */
  async forApp(app: AuthApp, secrets: Record<string, unknown>, now: Date, method?: ClientAuthMethod): Promise<client.Configuration> {
    const config = oidcSettingsOf(app);
    const metadata = await this.#discover(app);
    const chosen = method ?? chooseClientAuthMethod(config.clientAuth, supportedClientAuthMethods(metadata), secrets).method;
    const clientMetadata: Partial<client.ClientMetadata> = {
      token_endpoint_auth_method: chosen,
      [client.clockTolerance]: config.clockToleranceSeconds,
      [client.clockSkew]: Math.round((now.getTime() - Date.now()) / 1000),
    };
    const configuration = new client.Configuration(metadata, config.clientId, clientMetadata, await clientAuthFor(chosen, secrets));
    if (this.issuerFor(app).startsWith('http:')) client.allowInsecureRequests(configuration); // loopback only: the config schema allows nothing else
    // openid-client, like OIDC Core 3.1.3.7 (6) allows, trusts TLS for ID tokens from the token
    // endpoint and skips their signature. We promise (and test) that the signature is checked
    // against the provider's JWKS: a token endpoint answer proxied, cached or replayed by
    // anything between us and the provider must still be the provider's own.
    // The keys are fetched per sign-in on purpose: sharing openid-client's JWKS cache between
    // Configurations would refuse to refetch for 60 s after a fetch, failing sign-ins right
    // after a key rotation (tested in oidc-refusals).
    client.enableNonRepudiationChecks(configuration);
    return configuration;
  }

  /** How this app authenticates at the token endpoint, and why (from discovery unless the admin chose). */
  async clientAuthOf(app: AuthApp, secrets: Record<string, unknown>): Promise<ClientAuthChoice> {
    const setting = oidcSettingsOf(app).clientAuth;
    return chooseClientAuthMethod(setting, supportedClientAuthMethods(await this.#discover(app)), secrets);
  }

  /** Drops the cached discovery of an app (after an edit, or a key lookup failure). */
  forget(appId: string): void {
    this.#metadata.delete(appId);
  }

  async #discover(app: AuthApp): Promise<client.ServerMetadata> {
    const key = `${app.updatedAt}|${this.issuerFor(app)}`;
    const cached = this.#metadata.get(app.id);
    if (cached && cached.key === key && Date.now() - cached.fetchedAt < METADATA_TTL_MS) return cached.metadata;
    const issuer = new URL(this.issuerFor(app));
    const metadata = client
      .discovery(issuer, oidcSettingsOf(app).clientId, undefined, undefined, {
        ...(issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {}),
        timeout: 10,
      })
      .then((configuration) => ({ ...configuration.serverMetadata() }) as client.ServerMetadata);
    this.#metadata.set(app.id, { key, fetchedAt: Date.now(), metadata });
    metadata.catch(() => this.#metadata.delete(app.id)); // a failed discovery is retried next time
    return metadata;
  }
}
