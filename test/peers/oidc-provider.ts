import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

/**
 * A real OpenID Provider (panva's oidc-provider) on a loopback port, for integration tests:
 * discovery, JWKS, authorization code with PKCE, userinfo, RP-initiated logout
 * (end_session) and back-channel logout. Its login screen is replaced by a policy the test
 * controls: the next browser that arrives is signed in as `signInAs(...)`'s account, or is
 * answered with an error (the person pressed Cancel). Consent is granted for every client
 * (they are all first-party here), so one interaction is all a flow needs.
 */

export type PeerAccount = {
  id: string;
  email?: string;
  /** Anything: true, false, or the string "false" a sloppy provider sends. */
  email_verified?: unknown;
  name?: string;
  groups?: string[];
  /** Google's hosted domain claim. */
  hd?: string;
  /** Further claims, in the ID token too (e.g. `department`). */
  extra?: Record<string, unknown>;
};

export type PeerClient = {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  backchannelLogoutUri?: string;
  postLogoutRedirectUris?: string[];
  /** How the client is registered to authenticate at the token endpoint (default client_secret_basic). */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  /** The client's public keys, for private_key_jwt. */
  jwks?: { keys: Record<string, unknown>[] };
};

type NextInteraction = { accountId: string } | { error: string; description: string };

export type OidcPeerOptions = {
  clients: PeerClient[];
  accounts: PeerAccount[];
  /** Lifetime of ID tokens (default an hour); short ones let a test expire them by moving Frontdoor's clock. */
  idTokenTtlSeconds?: number;
  /** How long an authorization code may wait for its exchange (default 60 s; the benchmark prepares hundreds first). */
  authorizationCodeTtlSeconds?: number;
  /** false: the ID token carries only `sub` (and sid); email and profile come from userinfo, as with Okta. */
  claimsInIdToken?: boolean;
  /** The token endpoint's client authentication methods (its discovery's token_endpoint_auth_methods_supported); oidc-provider's defaults when unset. */
  clientAuthMethods?: string[];
  /**
   * Read client_secret_basic credentials as they are, without the form-decoding RFC 6749
   * 2.3.1 asks for: what LemonLDAP::NG and other servers do (`demo%2Dsecret` is then not
   * `demo-secret`). Done by escaping the header's `%` and `+` before oidc-provider decodes it.
   */
  readsBasicUndecoded?: boolean;
};

export class OidcPeer {
  readonly issuer: string;
  readonly provider: Provider;
  readonly #server: Server;
  readonly #accounts: Map<string, PeerAccount>;
  #next: NextInteraction;
  /** Every interaction the provider asked for, so tests can count visits to the login screen. */
  interactions = 0;
  /** Back-channel logout deliveries the client refused or could not take (oidc-provider only emits them). */
  readonly backchannelErrors: Error[] = [];

  readonly #signingKey: CryptoKey;

  constructor(issuer: string, provider: Provider, server: Server, accounts: Map<string, PeerAccount>, signingKey: CryptoKey) {
    this.issuer = issuer;
    this.#signingKey = signingKey;
    this.provider = provider;
    this.#server = server;
    this.#accounts = accounts;
    this.#next = { accountId: [...accounts.keys()][0]! };
    provider.on('backchannel.error', (_ctx: unknown, error: Error) => this.backchannelErrors.push(error));
  }

  /** The account the next browser at the login screen signs in as. */
  signInAs(accountId: string): void {
    if (!this.#accounts.has(accountId)) throw new Error(`no peer account ${accountId}`);
    this.#next = { accountId };
  }

  /** The next browser at the login screen gets this OAuth error instead (e.g. access_denied). */
  refuseNext(error = 'access_denied', description = 'The person cancelled the sign-in.'): void {
    this.#next = { error, description };
  }

  /** Adds or replaces an account (claims can change between sign-ins). */
  putAccount(account: PeerAccount): void {
    this.#accounts.set(account.id, account);
  }

  /**
   * The provider ends the sessions of this account at this client and tells the client over
   * the back channel, as it does when the person signs out at the provider (Back-Channel
   * Logout 1.0, 2.5).
   */
  async sendBackchannelLogout(clientId: string, accountId: string, sid: string): Promise<void> {
    const client = await this.provider.Client.find(clientId);
    if (!client) throw new Error(`no client ${clientId}`);
    // A public method of oidc-provider's Client that its types do not declare.
    await (client as unknown as { backchannelLogout(sub: string, sid: string): Promise<void> }).backchannelLogout(accountId, sid);
  }

  /** A logout token exactly as the provider signs them, handed to the test (to replay it). */
  async issueLogoutToken(clientId: string, accountId: string, sid: string): Promise<string> {
    const client = await this.provider.Client.find(clientId);
    if (!client) throw new Error(`no client ${clientId}`);
    // The same construction as oidc-provider's Client#backchannelLogout.
    const token = new this.provider.IdToken({ sub: accountId }, { client });
    (token as unknown as { mask: unknown }).mask = { sub: null };
    token.set('events', { 'http://schemas.openid.net/event/backchannel-logout': {} });
    token.set('jti', randomBytes(12).toString('base64url'));
    token.set('sid', sid);
    return token.issue({ use: 'logout' });
  }

  /**
   * A logout token signed with the provider's own key but with the claims the test chooses
   * (no events, a nonce, another issuer, expired...): what a broken or malicious sender might
   * post, with a valid signature.
   */
  async signLogoutToken(claims: JWTPayload): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'peer-rs256', typ: 'logout+jwt' }).sign(this.#signingKey);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async handleInteraction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.interactions += 1;
    const details = await this.provider.interactionDetails(req, res);
    const next = this.#next;
    if ('error' in next) {
      await this.provider.interactionFinished(req, res, { error: next.error, error_description: next.description }, { mergeWithLastSubmission: false });
      return;
    }
    if (details.prompt.name !== 'login') throw new Error(`unexpected prompt ${details.prompt.name}`);
    await this.provider.interactionFinished(req, res, { login: { accountId: next.accountId } }, { mergeWithLastSubmission: false });
  }
}

export async function startOidcPeer(options: OidcPeerOptions): Promise<OidcPeer> {
  const accounts = new Map(options.accounts.map((a) => [a.id, a]));
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'peer-rs256', alg: 'RS256', use: 'sig' };

  // The port is known only after listening, and the issuer must be known before the
  // provider exists: listen first, then route requests to the provider made for that port.
  let peer: OidcPeer | undefined;
  const server = createServer((req, res) => {
    if (!peer) return void res.writeHead(503).end();
    const authorization = req.headers.authorization;
    if (options.readsBasicUndecoded && authorization?.startsWith('Basic ')) {
      const asSent = Buffer.from(authorization.slice('Basic '.length), 'base64').toString('utf8');
      req.headers.authorization = `Basic ${Buffer.from(asSent.replace(/[%+]/g, (c) => (c === '%' ? '%25' : '%2B'))).toString('base64')}`;
    }
    if (req.url?.startsWith('/interaction/')) {
      peer.handleInteraction(req, res).catch((error: Error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`interaction failed: ${error.message}`);
      });
      return;
    }
    peer.provider.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const configuration: Configuration = {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: c.tokenEndpointAuthMethod ?? 'client_secret_basic',
      ...(c.jwks ? { jwks: c.jwks } : {}),
      ...(c.backchannelLogoutUri ? { backchannel_logout_uri: c.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
      ...(c.postLogoutRedirectUris ? { post_logout_redirect_uris: c.postLogoutRedirectUris } : {}),
    })),
    jwks: { keys: [signingKey] },
    ...(options.clientAuthMethods ? { clientAuthMethods: options.clientAuthMethods as Configuration['clientAuthMethods'] } : {}),
    cookies: { keys: [randomBytes(32).toString('hex')] },
    pkce: { required: () => true },
    // By default all granted claims go into the ID token as well, as Google and Entra do.
    conformIdTokenClaims: options.claimsInIdToken === false,
    claims: {
      openid: ['sub', 'hd'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'department'],
      groups: ['groups'],
    },
    scopes: ['openid', 'email', 'profile', 'groups', 'offline_access'],
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true },
      backchannelLogout: { enabled: true },
    },
    // oidc-provider refuses to call loopback addresses (SSRF protection, through a dispatcher
    // it passes here); Frontdoor's back-channel endpoint is on loopback in these tests.
    fetch: (url, init) => {
      const { dispatcher: _ssrfGuard, ...rest } = init as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(url, rest);
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: { IdToken: options.idTokenTtlSeconds ?? 3600, AccessToken: 600, AuthorizationCode: options.authorizationCodeTtlSeconds ?? 60, Interaction: 600, Grant: 3600, Session: 3600 },
    // First-party clients only: every requested scope and claim is granted without a consent screen.
    async loadExistingGrant(ctx) {
      const oidc = ctx.oidc;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session!.grantIdFor(oidc.client!.clientId);
      if (grantId) return oidc.provider.Grant.find(grantId);
      const grant = new oidc.provider.Grant({ clientId: oidc.client!.clientId, accountId: oidc.session!.accountId! });
      grant.addOIDCScope('openid email profile groups');
      grant.addOIDCClaims(['sub', 'sid', 'email', 'email_verified', 'name', 'groups', 'hd', 'department']);
      await grant.save();
      return grant;
    },
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          const current = accounts.get(id) ?? account;
          const claims: Record<string, unknown> = { sub: id, ...current.extra };
          for (const key of ['email', 'email_verified', 'name', 'groups', 'hd'] as const) {
            if (current[key] !== undefined) claims[key] = current[key];
          }
          return claims as { sub: string };
        },
      };
    },
  };
  const provider = new Provider(issuer, configuration);
  peer = new OidcPeer(issuer, provider, server, accounts, privateKey);
  return peer;
}
