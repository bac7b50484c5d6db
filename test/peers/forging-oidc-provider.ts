import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey, type JWTPayload } from 'jose';

/**
 * A tiny hand-made OpenID Provider that answers every sign-in at once and issues the ID token
 * the test asks for, including ones a correct provider never would: another issuer, another
 * audience, signed with a key it does not publish, unsigned (`alg: none`), already expired,
 * issued in the future. It serves discovery, JWKS, authorization and token endpoints over
 * node:http like any provider, so Frontdoor's checks run exactly as in production.
 */

export type IdTokenForgery = {
  /** Claims to add or override (iss, aud, exp, iat, nonce, hd, email_verified...). */
  claims?: Record<string, unknown>;
  /** `published`: the key in the JWKS; `unpublished`: a key nobody published; `none`: unsigned. */
  signWith?: 'published' | 'unpublished' | 'none';
};

type PendingCode = { clientId: string; nonce: string | undefined; redirectUri: string };

export class ForgingOidcPeer {
  readonly issuer: string;
  readonly #server: Server;
  #keys: { published: CryptoKey; unpublished: CryptoKey; jwk: Record<string, unknown> };
  readonly #codes = new Map<string, PendingCode>();
  /** The subject and claims of the person "signing in". */
  subject = 'forged-person';
  baseClaims: Record<string, unknown> = {};
  forgery: IdTokenForgery = {};
  /** How often the JWKS was fetched. */
  jwksRequests = 0;

  constructor(issuer: string, server: Server, keys: { published: CryptoKey; unpublished: CryptoKey; jwk: Record<string, unknown> }) {
    this.issuer = issuer;
    this.#server = server;
    this.#keys = keys;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.issuer);
    if (url.pathname === '/.well-known/openid-configuration') return json(res, 200, this.#discovery());
    if (url.pathname === '/jwks') {
      this.jwksRequests += 1;
      return json(res, 200, { keys: [this.#keys.jwk] });
    }
    if (url.pathname === '/authorize') return this.#authorize(url, res);
    if (url.pathname === '/token' && req.method === 'POST') return this.#token(await readForm(req), res);
    json(res, 404, { error: 'not_found' });
  }

  #discovery() {
    return {
      issuer: this.issuer,
      authorization_endpoint: `${this.issuer}/authorize`,
      token_endpoint: `${this.issuer}/token`,
      jwks_uri: `${this.issuer}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    };
  }

  // Everyone is signed in at once: the test is about the token, not the login screen.
  #authorize(url: URL, res: ServerResponse): void {
    const code = randomBytes(16).toString('base64url');
    const redirectUri = url.searchParams.get('redirect_uri') ?? '';
    this.#codes.set(code, { clientId: url.searchParams.get('client_id') ?? '', nonce: url.searchParams.get('nonce') ?? undefined, redirectUri });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('state', url.searchParams.get('state') ?? '');
    res.writeHead(302, { location: back.href }).end();
  }

  async #token(form: URLSearchParams, res: ServerResponse): Promise<void> {
    const pending = this.#codes.get(form.get('code') ?? '');
    if (!pending) return json(res, 400, { error: 'invalid_grant', error_description: 'unknown or used code' });
    this.#codes.delete(form.get('code')!);
    const now = Math.floor(Date.now() / 1000);
    const claims: JWTPayload = {
      iss: this.issuer, aud: pending.clientId, sub: this.subject, iat: now, exp: now + 300,
      ...(pending.nonce ? { nonce: pending.nonce } : {}), ...this.baseClaims, ...this.forgery.claims,
    };
    json(res, 200, { access_token: randomBytes(16).toString('base64url'), token_type: 'Bearer', expires_in: 300, id_token: await this.#sign(claims) });
  }

  async #sign(claims: JWTPayload): Promise<string> {
    const signWith = this.forgery.signWith ?? 'published';
    if (signWith === 'none') return new UnsecuredJWT(claims).encode();
    const key = signWith === 'published' ? this.#keys.published : this.#keys.unpublished;
    // The unpublished key claims the published key's kid: a forger would do just that.
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: String(this.#keys.jwk.kid), typ: 'JWT' }).sign(key);
  }

  /** Key rotation: a new signing key with a new kid replaces the published one. */
  async rotateKeys(): Promise<void> {
    this.#keys = { ...(await forgerKeys(`forger-key-${randomBytes(4).toString('hex')}`)), unpublished: this.#keys.unpublished };
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

async function forgerKeys(kid: string): Promise<{ published: CryptoKey; jwk: Record<string, unknown> }> {
  const published = await generateKeyPair('RS256');
  return { published: published.privateKey, jwk: { ...(await exportJWK(published.publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export async function startForgingOidcPeer(): Promise<ForgingOidcPeer> {
  const { published, jwk } = await forgerKeys('forger-key');
  const unpublished = await generateKeyPair('RS256');
  let peer: ForgingOidcPeer | undefined;
  const server = createServer((req, res) => {
    peer!.handle(req, res).catch((error: Error) => json(res, 500, { error: 'server_error', error_description: error.message }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  peer = new ForgingOidcPeer(issuer, server, { published, unpublished: unpublished.privateKey, jwk });
  return peer;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
