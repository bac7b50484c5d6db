import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { AuthApp } from '../../src/core/apps.ts';
import { launchChromium } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { freeLoopbackPort } from '../peers/debian/local-service.ts';
import { LEMONLDAP_USERS, LemonLdapNg, lemonLdapNgMissing } from '../peers/debian/lemonldap-ng.ts';

// Debian's LemonLDAP::NG 2.16 as a SAML 2.0 IdP (Lasso), in Chromium: Frontdoor is given its
// metadata URL (a document that starts with `<?xml version="1.0"?>`), the IdP is given
// Frontdoor's SP metadata, and a person signs in at its login form (Demo backend). Skipped
// only where the package is absent; .ci/run installs it.
const missing = lemonLdapNgMissing();
const cli = { type: 'cli' } as const;

describe('LemonLDAP::NG as the SAML IdP, in Chromium', { skip: missing }, () => {
  let server: TestServer;
  let llng: LemonLdapNg;
  let browser: Browser;
  let app: AuthApp;
  let postApp: AuthApp;
  let key: string;

  before(async () => {
    server = await startTestServer({ publicUrlIsListening: true });
    // The SP must exist before the IdP that trusts it starts (its metadata is in the IdP's configuration).
    const port = await freeLoopbackPort();
    app = await server.services.apps.create({
      audience: 'users', type: 'saml', slug: 'lemonldap-saml', name: 'LemonLDAP::NG', showButton: true, sso: 'automatic',
      config: { idpMetadataUrl: LemonLdapNg.samlMetadataUrlAt(LemonLdapNg.portalUrlAt(port)) },
    }, cli);
    postApp = await server.services.apps.create({
      audience: 'users', type: 'saml', slug: 'lemonldap-saml-post', name: 'LemonLDAP::NG (POST)', showButton: true,
      config: { idpMetadataUrl: LemonLdapNg.samlMetadataUrlAt(LemonLdapNg.portalUrlAt(port)), authnRequestBinding: 'post' },
    }, cli);
    const spMetadata = await Promise.all([app, postApp].map(async (a) => {
      const response = await server.client().get(`/sso/${a.slug}/saml/metadata`);
      assert.equal(response.status, 200);
      return response.text;
    }));
    llng = await LemonLdapNg.start([], { samlServiceProviders: spMetadata, port });
    ({ key } = await server.services.apiKeys.create('tests', null));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await llng?.close();
    await server?.close();
  });

  const errors = () => llng.log().split('\n').filter((line) => /\[(error|warn)\]/.test(line)).slice(-20).join('\n');

  it('passes Test with its metadata URL (a document with an XML declaration)', async () => {
    assert.match(await fetch(llng.samlMetadataUrl).then((r) => r.text()), /^<\?xml version="1\.0"\?>/);
    const tested = await server.client().sendJson('POST', `/api/v1/apps/${app.slug}/test`, undefined, { authorization: `Bearer ${key}` });
    assert.equal(tested.json.ok, true, JSON.stringify(tested.json.checks, null, 1));
  });

  it('signs in with the AuthnRequest sent by HTTP-POST, the assertion signed', async () => {
    const context = await browser.newContext();
    let page: Page | undefined;
    try {
      page = await context.newPage();
      const posted: string[] = [];
      page.on('request', (request) => {
        if (request.method() === 'POST' && request.url() === `${server.url}/sso/${postApp.slug}/saml/acs`) {
          posted.push(Buffer.from(new URLSearchParams(request.postData() ?? '').get('SAMLResponse') ?? '', 'base64').toString('utf8'));
        }
      });
      await page.goto(`${server.url}/sso/${postApp.slug}/start?return_to=%2Faccount`);
      await page.waitForURL(`${llng.portalUrl}**`);
      await page.locator('input[name="user"]').fill(LEMONLDAP_USERS.dwho.username);
      await page.locator('input[name="password"]').fill(LEMONLDAP_USERS.dwho.password);
      await page.locator('button[type="submit"]').first().click();
      await page.waitForURL(`${server.url}/account`, { timeout: 15_000 });
      assert.match(await page.getByText('Signed in as').textContent() ?? '', /dwho@badwolf\.org/);
      assert.match(posted[0] ?? '', /<(\w+:)?Assertion\b[\s\S]*<(\w+:)?Signature\b[\s\S]*<\/(\w+:)?Assertion>/, 'the assertion carries its signature');
    } catch (error) {
      const body = (await page?.content().catch(() => ''))?.replace(/\s+/g, ' ');
      throw new Error(`${(error as Error).message}\nat ${page?.url()}: ${body?.slice(0, 3000)}\n${errors()}`);
    } finally {
      await context.close();
    }
  });

  it('Automatic, AuthnRequest by HTTP-Redirect: an anonymous visitor signs in at its login form and lands on the page asked for; single logout ends its session too', async () => {
    const context = await browser.newContext();
    let page: Page | undefined;
    try {
      page = await context.newPage();
      await page.goto(`${server.url}/account`);
      await page.waitForURL(`${llng.portalUrl}**`);
      await page.locator('input[name="user"]').fill(LEMONLDAP_USERS.rtyler.username);
      await page.locator('input[name="password"]').fill(LEMONLDAP_USERS.rtyler.password);
      await page.locator('button[type="submit"]').first().click();
      await page.waitForURL(`${server.url}/account`, { timeout: 15_000 });
      assert.match(await page.getByText('Signed in as').textContent() ?? '', /rtyler@badwolf\.org/);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('You are signed out here and at LemonLDAP::NG.').waitFor({ timeout: 15_000 });
      const cookies = await context.cookies(server.url);
      assert.equal(cookies.some((c) => c.name === 'fd_session_users'), false, 'the Frontdoor session cookie is gone');
      await page.goto(`${server.url}/account`);
      await page.waitForURL(`${llng.portalUrl}**`);
      await page.locator('input[name="user"]').waitFor();
    } catch (error) {
      const body = (await page?.content().catch(() => ''))?.replace(/\s+/g, ' ');
      throw new Error(`${(error as Error).message}\nat ${page?.url()}: ${body?.slice(0, 3000)}\n${errors()}`);
    } finally {
      await context.close();
    }
  });
});
