import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A loopback OAuth 2.0 server that answers like GitHub's documented web flow and REST API
// (docs.github.com: "Authorizing OAuth apps", "REST API endpoints for users", "for emails"):
// a refused code is status 200 with `error`, /user/emails lists every address with its
// `primary` and `verified` flags. It checks PKCE (S256), the client secret and the
// redirect_uri, as GitHub does, and keeps what it was asked so tests can assert on it.

export type GitHubPerson = {
  id: number;
  login: string;
  name: string | null;
  /** The public profile email (GitHub does not vouch for it). */
  email: string | null;
  emails: { email: string; primary: boolean; verified: boolean; visibility: 'public' | 'private' | null }[];
};

type Grant = { person: GitHubPerson; clientId: string; redirectUri: string; challenge: string; method: string };

export class GitHubOAuthPeer {
  readonly clientId = 'Iv1.frontdoor-test';
  readonly clientSecret = randomBytes(20).toString('hex');
  /** Who is signed in at "GitHub" when the browser arrives at /login/oauth/authorize. */
  person: GitHubPerson | undefined;
  /** Answer the authorize request with this OAuth error instead (access_denied: the person pressed Cancel). */
  denyWith: string | undefined;
  readonly authorizeRequests: URLSearchParams[] = [];
  readonly #grants = new Map<string, Grant>();
  readonly #tokens = new Map<string, GitHubPerson>();
  readonly #server: Server;
  url = '';

  private constructor() {
    this.#server = createServer((request, response) => {
      this.#answer(request, response).catch((error: Error) => {
        response.writeHead(500).end(error.message);
      });
    });
  }

  static async start(): Promise<GitHubOAuthPeer> {
    const peer = new GitHubOAuthPeer();
    await new Promise<void>((resolve) => peer.#server.listen(0, '127.0.0.1', resolve));
    peer.url = `http://127.0.0.1:${(peer.#server.address() as AddressInfo).port}`;
    return peer;
  }

  get apiUrl(): string {
    return `${this.url}/api/v3`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  async #answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const json = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    };
    if (request.method === 'GET' && url.pathname === '/login/oauth/authorize') {
      this.authorizeRequests.push(url.searchParams);
      const redirectUri = url.searchParams.get('redirect_uri')!;
      const back = new URL(redirectUri);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      if (this.denyWith || !this.person) {
        back.searchParams.set('error', this.denyWith ?? 'access_denied');
        back.searchParams.set('error_description', 'The user has denied your application access.');
      } else {
        const code = randomBytes(10).toString('hex');
        this.#grants.set(code, {
          person: this.person, clientId: url.searchParams.get('client_id') ?? '', redirectUri,
          challenge: url.searchParams.get('code_challenge') ?? '', method: url.searchParams.get('code_challenge_method') ?? '',
        });
        back.searchParams.set('code', code);
      }
      response.writeHead(302, { location: back.href }).end();
      return;
    }
    if (request.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      const form = new URLSearchParams(await bodyOf(request));
      const grant = this.#grants.get(form.get('code') ?? '');
      this.#grants.delete(form.get('code') ?? '');
      // GitHub answers these with status 200 and an error member.
      if (form.get('client_id') !== this.clientId || form.get('client_secret') !== this.clientSecret) {
        return json(200, { error: 'incorrect_client_credentials', error_description: 'The client_id and/or client_secret passed are incorrect.' });
      }
      const verifier = form.get('code_verifier') ?? '';
      const pkceOk = grant && grant.method === 'S256' && createHash('sha256').update(verifier).digest('base64url') === grant.challenge;
      if (!grant || !pkceOk || grant.clientId !== this.clientId) {
        return json(200, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
      }
      if (form.get('redirect_uri') !== grant.redirectUri) {
        return json(200, { error: 'redirect_uri_mismatch', error_description: 'The redirect_uri MUST match the registered callback URL for this application.' });
      }
      const token = `gho_${randomBytes(18).toString('hex')}`;
      this.#tokens.set(token, grant.person);
      return json(200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    if (request.method === 'GET' && url.pathname.startsWith('/api/v3/')) {
      const person = this.#tokens.get((request.headers.authorization ?? '').replace(/^Bearer /i, ''));
      if (!person) return json(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      if (url.pathname === '/api/v3/user') {
        return json(200, { login: person.login, id: person.id, node_id: `U_${person.id}`, type: 'User', name: person.name, email: person.email });
      }
      if (url.pathname === '/api/v3/user/emails') return json(200, person.emails);
    }
    json(404, { message: 'Not Found' });
  }
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
