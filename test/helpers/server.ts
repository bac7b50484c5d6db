import { createServer, type AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../src/core/clock.ts';
import type { Services } from '../../src/core/services.ts';
import type { Database } from '../../src/storage/database.ts';
import { buildServer } from '../../src/http/server.ts';
import { testServices } from './services.ts';

export type TestServer = {
  url: string;
  services: Services;
  app: FastifyInstance;
  /** A new browser-like client with its own cookie jar. */
  client(): TestClient;
  close(): Promise<void>;
};

/**
 * A real Frontdoor listening on a free loopback port, on a fresh database; or, given
 * `database`, another node on that one (closing it then leaves the database to its owner).
 */
export async function startTestServer(
  options: {
    clock?: Clock; env?: Record<string, string>; database?: Database; oidcPresetIssuers?: ReadonlyMap<string, string>;
    /** PUBLIC_URL is the address it listens on (a real browser must reach the URLs it builds). */
    publicUrlIsListening?: boolean;
  } = {},
): Promise<TestServer> {
  // The port PUBLIC_URL names stays held by a probe while the services are built (seconds on
  // PGlite): a port merely found free was taken meanwhile by another test's outgoing connection
  // in CI (EADDRINUSE). Linux never hands a bound port out as an ephemeral one, so holding it
  // leaves only the instant between the probe's close and our listen.
  const probe = options.publicUrlIsListening ? await heldPort() : undefined;
  const port = probe?.port ?? 0;
  const env = probe ? { ...options.env, PUBLIC_URL: `http://127.0.0.1:${port}` } : options.env;
  const services = await testServices({ ...options, env });
  const app = await buildServer(services, { logger: false, oidcPresetIssuers: options.oidcPresetIssuers });
  await probe?.release();
  await app.listen({ port, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    services,
    app,
    client: () => new TestClient(url),
    async close() {
      await services.mail.idle();
      await app.close();
      if (!options.database) await services.db.close();
    },
  };
}

/**
 * The first admin agent, Ada (ada@example.com), created with `password` and signed in through
 * the real agent sign-in form: the client of most admin-console tests.
 */
export async function signedInAdmin(server: TestServer, password: string): Promise<TestClient> {
  await server.services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password, isAdmin: true });
  const admin = server.client();
  const signedIn = await admin.signIn('ada@example.com', password, 'agents');
  if (signedIn.status !== 303) throw new Error(`the admin's sign-in answered ${signedIn.status}, not 303`);
  return admin;
}

/** A loopback port held by a listening probe until `release()`. */
async function heldPort(): Promise<{ port: number; release(): Promise<void> }> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  return { port, release: () => new Promise<void>((resolve) => probe.close(() => resolve())) };
}

export type TestResponse = { status: number; headers: Headers; text: string; json: any; location: string | null };

/** fetch with a cookie jar, no automatic redirects, and helpers for our forms. */
export class TestClient {
  readonly baseUrl: string;
  readonly cookies = new Map<string, string>();

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  async request(method: string, path: string, init: { body?: string | FormData; headers?: Record<string, string> } = {}): Promise<TestResponse> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, body: init.body, redirect: 'manual' }).catch((error: Error) => {
      // fetch says only "fetch failed"; the cause says who dropped the connection.
      const cause = error.cause as { code?: string; message?: string } | undefined;
      throw new Error(`${method} ${path}: ${error.message} (${[cause?.code, cause?.message].filter(Boolean).join(': ')})`, { cause: error });
    });
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair, ...attributes] = setCookie.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index).trim();
      const value = pair!.slice(index + 1).trim();
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0$/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json, location: response.headers.get('location') };
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request('GET', path, { headers });
  }

  /** Posts a form as a browser would (application/x-www-form-urlencoded). */
  postForm(path: string, fields: Record<string, string>) {
    return this.request('POST', path, {
      body: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  /** Posts a multipart form (file uploads); fetch writes the content type with its boundary. */
  postMultipart(path: string, form: FormData) {
    return this.request('POST', path, { body: form });
  }

  sendJson(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    return this.request(method, path, {
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    });
  }

  /** Loads a page and returns the CSRF token of its first form. */
  async csrfFrom(path: string): Promise<string> {
    const page = await this.get(path);
    const match = /name="_csrf" value="([^"]+)"/.exec(page.text);
    if (!match) throw new Error(`no CSRF token on ${path} (status ${page.status})`);
    return match[1]!;
  }

  /** Signs in through the real password form; returns the final response. */
  async signIn(email: string, password: string, audience: 'users' | 'agents' = 'users', extra: Record<string, string> = {}) {
    const path = audience === 'users' ? '/login' : '/agent/login';
    // Someone already signed in is redirected away from the form; the token is per browser,
    // so take it from the API then.
    const csrf = await this.csrfFrom(extra.break_glass ? `${path}?break_glass=1` : path).catch(async () => (await this.apiCsrfHeader())['x-csrf-token']!);
    return this.postForm(path, { _csrf: csrf, email, password, ...extra });
  }

  /** The X-CSRF-Token header value for cookie-authenticated admin API changes. */
  async apiCsrfHeader(): Promise<Record<string, string>> {
    const response = await this.get('/api/v1/csrf-token');
    return { 'x-csrf-token': response.json.token };
  }
}
