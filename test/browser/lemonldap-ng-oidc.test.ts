import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { AuthApp } from '../../src/core/apps.ts';
import { launchChromium } from '../helpers/browser.ts';
import { screenshot } from '../helpers/screenshots.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { LEMONLDAP_USERS, LemonLdapNg, lemonLdapNgMissing } from '../peers/debian/lemonldap-ng.ts';

// Debian's LemonLDAP::NG 2.16 as the OpenID Provider, in Chromium: nobody here wrote it, so
// what it sends is what Frontdoor meets in the wild. Its discovery, its login form (the
// Demo backend's users), its token endpoint with the default client authentication (it
// compares Basic credentials without form-decoding them), PKCE (required for this client),
// and RP-initiated logout. Skipped only where the package is absent; .ci/run installs it.
const missing = lemonLdapNgMissing();
const CLIENT = { clientId: 'frontdoor-tests', clientSecret: 'demo-client-secret' };
// A secret with base64's + / =, which form-urlencoding changes and LemonLDAP::NG does not decode.
const BASE64_CLIENT = { clientId: 'frontdoor-base64', clientSecret: 'T2s+/x9Q==' };
const cli = { type: 'cli' } as const;

describe('LemonLDAP::NG as the OpenID Provider, in Chromium', { skip: missing }, () => {
  let server: TestServer;
  let llng: LemonLdapNg;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let app: AuthApp;
  let key: string;

  before(async () => {
    server = await startTestServer({ publicUrlIsListening: true });
    llng = await LemonLdapNg.start([
      { ...CLIENT, redirectUri: `${server.url}/sso/lemonldap-users/callback`, postLogoutRedirectUri: `${server.url}/` },
      { ...BASE64_CLIENT, redirectUri: `${server.url}/sso/lemonldap-base64/callback`, postLogoutRedirectUri: `${server.url}/` },
    ]);
    app = await server.services.apps.create({
      audience: 'users', type: 'oidc', slug: 'lemonldap-users', name: 'LemonLDAP::NG', showButton: true, sso: 'automatic',
      config: { issuer: llng.issuer, ...CLIENT, postLogoutRedirectUri: `${server.url}/` },
    }, cli);
    ({ key } = await server.services.apiKeys.create('tests', null));
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
  });
  after(async () => {
    await browser?.close();
    await llng?.close();
    await server?.close();
  });

  it('passes Test with its discovery document, keys and the default client authentication (client_secret_basic)', async () => {
    const tested = await server.client().sendJson('POST', `/api/v1/apps/${app.slug}/test`, undefined, { authorization: `Bearer ${key}` });
    assert.equal(tested.status, 200);
    assert.equal(tested.json.ok, true, `${JSON.stringify(tested.json.checks, null, 1)}\n${llng.log().slice(-2000)}`);
    const credentials = tested.json.checks.find((c: { name: string }) => c.name === 'client_credentials');
    assert.match(credentials.detail, /with client_secret_basic \(auto/);
  });

  it('with a secret that form-urlencoding changes, Test says to use client_secret_post, which then passes', async () => {
    const base64App = await server.services.apps.create({
      audience: 'users', type: 'oidc', slug: 'lemonldap-base64', name: 'LemonLDAP::NG (base64 secret)', showButton: true,
      config: { issuer: llng.issuer, ...BASE64_CLIENT },
    }, cli);
    const test = async () => {
      const tested = await server.client().sendJson('POST', `/api/v1/apps/${base64App.slug}/test`, undefined, { authorization: `Bearer ${key}` });
      return tested.json.checks.find((c: { name: string }) => c.name === 'client_credentials') as { ok: boolean; detail: string };
    };
    const refused = await test();
    assert.equal(refused.ok, false, refused.detail);
    assert.match(refused.detail, /accepts the same credentials with client_secret_post/);
    assert.match(refused.detail, /set clientAuth to "client_secret_post"/);
    await server.services.apps.update(base64App.slug, { config: { clientAuth: 'client_secret_post' } }, cli);
    const accepted = await test();
    assert.equal(accepted.ok, true, accepted.detail);
  });

  it('signs an anonymous visitor in through its login form (code flow with PKCE) and back to the page asked for', async () => {
    const authorizations: URL[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(`${llng.portalUrl}oauth2/authorize`)) authorizations.push(new URL(request.url()));
    });
    await page.goto(`${server.url}/account`);
    await page.waitForURL(`${llng.portalUrl}**`);
    await screenshot(page, 'lemonldap-ng-login');
    await page.locator('input[name="user"]').fill(LEMONLDAP_USERS.dwho.username);
    await page.locator('input[name="password"]').fill(LEMONLDAP_USERS.dwho.password);
    await page.locator('button[type="submit"]').first().click();
    await page.waitForURL(`${server.url}/account`);
    assert.match(await page.getByText('Signed in as').textContent() ?? '', new RegExp(LEMONLDAP_USERS.dwho.email.replace('.', '\\.')));
    const [person] = await server.services.db.query<{ name: string }>(
      'SELECT p.name FROM people p JOIN person_emails e ON e.person_id = p.id WHERE e.email = $1', [LEMONLDAP_USERS.dwho.email]);
    assert.equal(person?.name, LEMONLDAP_USERS.dwho.name);
    const request = authorizations[0];
    assert.ok(request, 'the browser went to the authorization endpoint');
    assert.equal(request.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(request.searchParams.get('response_type'), 'code');
  });

  it('signs out at the provider too (RP-initiated logout): back on the Help Center, the next visit meets its login form again', async () => {
    const logouts: URL[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(`${llng.portalUrl}oauth2/logout`)) logouts.push(new URL(request.url()));
    });
    await page.getByRole('button', { name: 'Sign out' }).click();
    // LemonLDAP::NG ends its session and sends the browser to post_logout_redirect_uri, the
    // Help Center, whose Automatic app sends an anonymous visitor to sign in: its login form,
    // not a silent sign-in, shows its session is gone.
    await page.locator('input[name="user"]').waitFor();
    assert.ok(page.url().startsWith(llng.portalUrl), page.url());
    const logout = logouts[0];
    assert.ok(logout, 'the browser went to the end_session endpoint');
    assert.ok(logout.searchParams.get('id_token_hint'), 'with the ID token as hint');
    assert.equal(logout.searchParams.get('post_logout_redirect_uri'), `${server.url}/`);
    const cookies = await context.cookies(server.url);
    assert.equal(cookies.some((c) => c.name === 'fd_session_users'), false, 'the Frontdoor session cookie is gone');
  });
});
