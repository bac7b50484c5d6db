import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { seriousViolations } from '../helpers/axe.ts';
import { launchChromium, submitPasswordForm } from '../helpers/browser.ts';
import { screenshot } from '../helpers/screenshots.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startOidcPeer, type OidcPeer } from '../peers/oidc-provider.ts';

const PASSWORD = 'correct horse battery';
const CLIENT = { clientId: 'frontdoor-staff', clientSecret: 'staff-client-secret' };

// Issue 18 part 1, done when: an admin installs an OIDC, a SAML and a JWT app from the
// catalogue with forms only (no JSON), in Chromium under the real CSP: the values to copy
// follow the slug before install, a bad URL is flagged next to its field as it is typed and
// the flag goes when it is fixed, a value is copied with its button; the catalogue and the
// install forms pass axe with nothing serious at 360 and 1280 px, and fit without scrolling sideways.
describe('installing apps from the catalogue with forms only (Chromium)', () => {
  let server: TestServer;
  let peer: OidcPeer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    server = await startTestServer({ publicUrlIsListening: true });
    peer = await startOidcPeer({
      clients: [{ ...CLIENT, redirectUris: [`${server.url}/sso/staff-login/callback`] }],
      accounts: [{ id: 'ada-sub', email: 'ada@example.com', email_verified: true, name: 'Ada' }],
    });
    browser = await launchChromium();
    await server.services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = await context.newPage();
    await page.goto(`${server.url}/admin/apps`);
    await submitPasswordForm(page, 'ada@example.com', PASSWORD);
    assert.equal(new URL(page.url()).pathname, '/admin/apps');
  });
  after(async () => {
    await browser?.close();
    await peer?.close();
    await server?.close();
  });

  const copyField = (label: string) => page.getByRole('textbox', { name: label, exact: true });

  it('installs an OIDC app: copy values from the slug, a bad URL flagged as typed and cleared when fixed, a value copied, Test passes', async () => {
    await page.getByRole('link', { name: 'Add an app' }).click();
    await screenshot(page, 'admin-app-catalogue');
    await page.getByRole('link', { name: 'Agents (agent console)' }).click();
    await page.getByRole('link', { name: 'OpenID Connect', exact: true }).click();
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Add OpenID Connect for Agents (agent console)');

    await page.getByLabel('Slug', { exact: false }).fill('staff-login');
    const callback = copyField('Redirect URI (callback)');
    await page.waitForFunction(() => (document.querySelector('[data-copy="Redirect URI (callback)"]') as HTMLInputElement).value.includes('/sso/staff-login/'));
    assert.equal(await callback.inputValue(), `${server.url}/sso/staff-login/callback`, 'the callback follows the slug before install');
    assert.equal(await copyField('Back-channel logout URI').inputValue(), `${server.url}/sso/staff-login/backchannel-logout`);

    const issuer = page.getByLabel('Issuer URL', { exact: false }).first();
    await issuer.fill('ftp://login.example.com');
    const issuerError = page.locator('#f-config-issuer-error');
    await issuerError.waitFor({ state: 'visible' });
    assert.equal(await issuer.getAttribute('aria-invalid'), 'true');
    assert.match(await issuer.getAttribute('aria-describedby') ?? '', /f-config-issuer-error/, 'the problem is read with the field');
    assert.match(await page.locator('[data-problem-count]').textContent() ?? '', /1 problem/);
    await screenshot(page, 'admin-app-form-problem');
    await issuer.fill(peer.issuer);
    await issuerError.waitFor({ state: 'detached' });
    assert.equal(await issuer.getAttribute('aria-invalid'), null);

    await page.locator('button[data-copy-from="f-copy-callback"]').click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${server.url}/sso/staff-login/callback`, 'the Copy button copies the value');

    await page.getByLabel('Name', { exact: false }).first().fill('Staff login');
    await page.getByLabel('Client id', { exact: false }).fill(CLIENT.clientId);
    await page.getByLabel('Client secret', { exact: false }).fill(CLIENT.clientSecret);
    await page.getByRole('button', { name: 'Install' }).click();
    assert.match(await page.getByRole('status').first().textContent() ?? '', /installed/);
    assert.equal(await copyField('Redirect URI (callback)').inputValue(), `${server.url}/sso/staff-login/callback`, 'the same value after install');
    await page.getByRole('button', { name: 'Test the setup' }).click();
    assert.match(await page.locator('.notice', { has: page.locator('ul.checks') }).textContent() ?? '', /Every check passed/);
    const app = await server.services.apps.require('staff-login');
    assert.equal(app.audience, 'agents');
    assert.equal(app.config.issuer, peer.issuer);
  });

  it('installs a SAML app from its fields, its SP certificate there to copy before install and the same after', async () => {
    const certificate = await readFile(new URL('../fixtures/node-saml/cert.pem', import.meta.url), 'utf8');
    await page.goto(`${server.url}/admin/apps/new?audience=users`);
    await page.getByRole('link', { name: 'SAML 2.0', exact: true }).click();
    await page.getByLabel('Slug', { exact: false }).fill('partners-saml');
    await page.waitForFunction(() => (document.querySelector('[data-copy="ACS (Assertion Consumer Service) URL"]') as HTMLInputElement).value.includes('/sso/partners-saml/'));
    assert.equal(await copyField('SP entity id').inputValue(), `${server.url}/sso/partners-saml/saml/metadata`);
    const before = await page.getByRole('textbox', { name: 'SP certificate (PEM)' }).inputValue();
    assert.match(before, /^-----BEGIN CERTIFICATE-----/);
    await page.getByLabel('IdP entity id', { exact: false }).fill('https://idp.partner.example.com');
    await page.getByLabel('IdP SSO URL', { exact: false }).fill('https://idp.partner.example.com/sso');
    await page.getByLabel('IdP signing certificate (PEM)', { exact: false }).fill(certificate);
    await page.getByLabel('NameID format', { exact: false }).selectOption('persistent');
    await page.getByLabel('Email attribute', { exact: false }).fill('mail');
    await page.getByRole('button', { name: 'Install' }).click();
    assert.match(await page.getByRole('status').first().textContent() ?? '', /installed/);
    assert.equal(await page.getByRole('textbox', { name: 'SP certificate (PEM)' }).inputValue(), before.trim(), 'the certificate given to the IdP before install is the app’s');
    const app = await server.services.apps.require('partners-saml');
    assert.equal(app.config.nameIdFormat, 'persistent');
    assert.deepEqual(app.config.attributes, { email: 'mail' });
    assert.equal(app.config.wantAssertionsSigned, true, 'the safe default stood');
  });

  it('installs a JWT app and shows its generated secret once', async () => {
    await page.goto(`${server.url}/admin/apps/new?audience=users`);
    await page.getByRole('link', { name: 'JWT', exact: true }).click();
    await page.getByLabel('Slug', { exact: false }).fill('our-site');
    await page.getByLabel('Remote login URL', { exact: false }).first().fill('https://www.example.com/login');
    await page.getByRole('button', { name: 'Install' }).click();
    assert.match(await page.getByRole('status').first().textContent() ?? '', /installed/);
    assert.match(await page.getByText(/shared secret, shown to you until/i).textContent() ?? '', /shown to you until/);
    assert.equal(await copyField('JWT endpoint').inputValue(), `${server.url}/sso/our-site/jwt`);
    assert.deepEqual((await server.services.apps.require('our-site')).secretsSet, ['sharedSecret']);
  });

  for (const width of [360, 1280]) {
    it(`the catalogue and the install forms pass axe and fit at ${width} px`, async () => {
      // axe is injected as an inline script, which our CSP (rightly) refuses.
      const checking = await browser.newContext({ bypassCSP: true, viewport: { width, height: 800 } });
      try {
        const narrow = await checking.newPage();
        await narrow.goto(`${server.url}/admin/apps`);
        await submitPasswordForm(narrow, 'ada@example.com', PASSWORD);
        const problems: string[] = [];
        for (const path of ['/admin/apps/new', '/admin/apps/new?audience=users&type=oidc', '/admin/apps/new?audience=agents&type=okta&protocol=saml', '/admin/apps/new?audience=users&type=jwt']) {
          assert.equal((await narrow.goto(`${server.url}${path}`))?.status(), 200, path);
          const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          if (overflow > 0) problems.push(`${path}: scrolls sideways by ${overflow} px`);
          problems.push(...(await seriousViolations(narrow)));
          await screenshot(narrow, `admin-app-form${path.replace(/^\/admin\/apps\/new\??/, '-').replace(/[^a-z0-9]+/g, '-').replace(/-$/, '')}-${width}`);
        }
        assert.deepEqual(problems, []);
      } finally {
        await checking.close();
      }
    });
  }
});
