import assert from 'node:assert/strict';
import type { AuthApp } from '../../src/core/apps.ts';
import type { Audience } from '../../src/core/audience.ts';
import type { TestClient, TestResponse, TestServer } from './server.ts';

const cli = { type: 'cli' } as const;

/** The callback address an identity service is given for an app (PUBLIC_URL of the test config). */
export const callbackUrlFor = (server: TestServer, slug: string) => `${publicBase(server)}/sso/${slug}/callback`;

const publicBase = (server: TestServer) => {
  const publicUrl = server.services.config.publicUrl;
  return `${publicUrl.origin}${publicUrl.pathname.replace(/\/$/, '')}`;
};

/**
 * Frontdoor builds its addresses from PUBLIC_URL (http://localhost:8080 in tests, maybe with a
 * path) while it listens on a free port: the "browser" maps one to the other, as a reverse
 * proxy would, stripping the path.
 */
export function toListeningAddress(server: TestServer, url: string): string {
  const base = publicBase(server);
  return url.startsWith(`${base}/`) ? server.url + url.slice(base.length) : url;
}

export async function installOidcApp(
  server: TestServer,
  input: { audience: Audience; slug: string; issuer: string; clientId: string; clientSecret: string; sso?: 'disabled' | 'automatic'; type?: 'oidc'; config?: Record<string, unknown> },
): Promise<AuthApp> {
  return server.services.apps.create(
    {
      audience: input.audience,
      type: input.type ?? 'oidc',
      slug: input.slug,
      showButton: true,
      ...(input.sso ? { sso: input.sso } : {}),
      config: { issuer: input.issuer, clientId: input.clientId, clientSecret: input.clientSecret, ...input.config },
    },
    cli,
  );
}

export type Authorized = {
  /** Where the provider sent the browser back to (Frontdoor's callback, at its listening address). */
  callbackUrl: string;
  /** The authorization request Frontdoor made. */
  authorizationUrl: URL;
};

/**
 * A browser following redirects from `startPath` through the identity service until it is
 * sent back to Frontdoor's callback, which it does not load: the test decides what to do
 * with it (load it, replay it, tamper with it).
 */
export async function authorizeAtProvider(
  server: TestServer,
  browser: TestClient,
  startPath: string,
  options: { tamperAuthorization?: (url: URL) => void } = {},
): Promise<Authorized> {
  let current = new URL(startPath, server.url);
  let response = await browser.get(current.href);
  let hops = 0;
  let authorizationUrl: URL | undefined;
  while (hops++ < 20) {
    assert.ok(response.location, `expected a redirect on the way to the provider, got ${response.status}: ${response.text.slice(0, 500)}`);
    const next = new URL(toListeningAddress(server, new URL(response.location, current).href));
    if (next.pathname.startsWith('/sso/') && next.pathname.endsWith('/callback')) {
      assert.ok(authorizationUrl, 'the browser never reached the identity service');
      return { callbackUrl: next.href, authorizationUrl };
    }
    if (!authorizationUrl && next.origin !== server.url) {
      authorizationUrl = new URL(next.href);
      options.tamperAuthorization?.(next);
    }
    current = next;
    response = await browser.get(next.href);
  }
  throw new Error('too many redirects');
}

/** The whole round trip: start, the identity service, and the callback; returns the callback's answer. */
export async function signInThroughProvider(server: TestServer, browser: TestClient, startPath: string): Promise<TestResponse> {
  const { callbackUrl } = await authorizeAtProvider(server, browser, startPath);
  return browser.get(callbackUrl);
}

/** The error code and trace id an SSO error page shows. */
export function errorPageFacts(response: TestResponse): { code: string; traceId: string; retryHref: string | undefined } {
  const match = /Error <code>([^<]+)<\/code> · trace <code>([^<]+)<\/code>/.exec(response.text);
  assert.ok(match, `not an error page (status ${response.status}): ${response.text.slice(0, 400)}`);
  const retry = /<a class="button" href="([^"]+)">Try again<\/a>/.exec(response.text);
  return { code: match[1]!, traceId: match[2]!, retryHref: retry?.[1]?.replaceAll('&amp;', '&') };
}

/**
 * Signs out at the identity service as a person would: its end_session page (RP-initiated
 * logout, or the provider's own sign-out), "Yes, sign me out", then wherever it leads.
 */
export async function confirmSignOutAtProvider(browser: TestClient, endSessionUrl: string): Promise<TestResponse> {
  const confirmPage = await browser.get(endSessionUrl);
  assert.equal(confirmPage.status, 200, confirmPage.text.slice(0, 300));
  assert.match(confirmPage.text, /Do you want to sign-out/);
  const form = /<form[^>]*action="([^"]+)"[^>]*>\s*<input type="hidden" name="xsrf" value="([^"]+)"/.exec(confirmPage.text);
  assert.ok(form, 'the logout confirmation form');
  let response = await browser.postForm(new URL(form[1]!, endSessionUrl).href, { xsrf: form[2]!, logout: 'yes' });
  let current = new URL(endSessionUrl);
  for (let hops = 0; response.location && hops < 10; hops++) {
    current = new URL(response.location, current);
    response = await browser.get(current.href);
  }
  return response;
}
