import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, submitPasswordForm } from '../helpers/browser.ts';
import { screenshot } from '../helpers/screenshots.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startOidcPeer, type OidcPeer } from '../peers/oidc-provider.ts';

const PASSWORD = 'correct horse battery';
const CLIENT = { clientId: 'frontdoor-help-center', clientSecret: 'help-center-client-secret' };

// The admin's whole path with a real OpenID Provider, in Chromium: install the app from the
// catalogue, press Test, a visitor signs in with its button, the admin's test sign-in in a
// new tab, the switch to Automatic; then an anonymous visitor is sent to the provider and
// back to the page asked for, and signing out ends on the provider's logout screen.
describe('an OIDC app from the admin console to Automatic, in Chromium', () => {
  let server: TestServer;
  let peer: OidcPeer;
  let browser: Browser;
  let admin: Page;
  let membersArticle: string;

  before(async () => {
    server = await startTestServer({ publicUrlIsListening: true });
    peer = await startOidcPeer({
      clients: [{ ...CLIENT, redirectUris: [`${server.url}/sso/oidc-users/callback`] }],
      accounts: [
        { id: 'uma-sub', email: 'uma@example.com', email_verified: true, name: 'Uma Provider' },
        { id: 'ada-sub', email: 'ada.tester@example.com', email_verified: true, name: 'Ada Tester' },
      ],
    });
    browser = await launchChromium();
    await server.services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    const registered = await server.services.usergroups.systemGroupId('registered');
    membersArticle = (await server.services.articles.create({ title: 'Members: warranty claims', body: 'Fill the form.', usergroupIds: [registered] })).id;
    admin = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  });
  after(async () => {
    await browser?.close();
    await peer?.close();
    await server?.close();
  });

  it('installs the app from the catalogue and its Test reports every check', async () => {
    await admin.goto(`${server.url}/admin`);
    await screenshot(admin, 'agent-login');
    await submitPasswordForm(admin, 'ada@example.com', PASSWORD);
    assert.equal(new URL(admin.url()).pathname, '/admin/apps');

    await admin.getByRole('link', { name: 'Add an app' }).click();
    await admin.getByRole('link', { name: 'OpenID Connect', exact: true }).click();
    await admin.getByLabel('Name', { exact: false }).first().fill('Acme ID');
    await admin.getByLabel('Issuer URL').fill(peer.issuer);
    await admin.getByLabel('Client id').fill(CLIENT.clientId);
    await admin.getByLabel('Client secret').fill(CLIENT.clientSecret);
    await admin.getByRole('button', { name: 'Install' }).click();
    assert.match(await admin.getByRole('status').first().textContent() ?? '', /installed/);
    assert.equal(await admin.getByLabel('Redirect URI (callback)').inputValue(), `${server.url}/sso/oidc-users/callback`,
      'the callback to copy is the one registered at the provider');
    await screenshot(admin, 'admin-app-detail');

    await admin.getByRole('button', { name: 'Test the setup' }).click();
    const report = admin.locator('ul.checks');
    assert.match(await admin.getByRole('status').filter({ has: report }).textContent() ?? '', /Every check passed/);
    const checks = await report.locator('li').allTextContents();
    assert.ok(checks.length >= 2, `several checks reported: ${checks.join(' | ')}`);
    assert.ok(checks.every((c) => c.startsWith('ok')), checks.join(' | '));
    assert.ok(checks.some((c) => /discovery/i.test(c)), `the discovery document was checked: ${checks.join(' | ')}`);

    // A passing Test is not a sign-in: Automatic stays out of reach until one succeeds.
    await admin.getByRole('link', { name: 'Make this the Automatic app…' }).click();
    assert.match(await admin.locator('main').textContent() ?? '', /Not yet: this app has had no successful test sign-in/);
    assert.equal(await admin.getByRole('button', { name: 'Make it Automatic' }).count(), 0);
    await admin.getByRole('link', { name: 'Cancel' }).click();
  });

  it('signs a Help Center visitor in through the "Sign in with Acme ID" button', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      peer.signInAs('uma-sub');
      await page.goto(`${server.url}/login?return_to=${encodeURIComponent(`/articles/${membersArticle}`)}`);
      await screenshot(page, 'help-center-login-buttons');
      await page.getByRole('button', { name: 'Sign in with Acme ID' }).or(page.getByRole('link', { name: 'Sign in with Acme ID' })).click();
      await page.waitForURL(`${server.url}/articles/${membersArticle}`);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Members: warranty claims');
      assert.match(await page.getByText('Signed in as').textContent() ?? '', /uma@example\.com/);
      assert.equal(peer.interactions, 1, 'through the provider\'s login screen');
    } finally {
      await context.close();
    }
  });

  it('warns what Automatic does, runs the admin\'s test sign-in in a new tab, and switches', async () => {
    await admin.getByRole('link', { name: 'Make this the Automatic app…' }).click();
    const warning = await admin.locator('main').textContent() ?? '';
    assert.match(warning, /hidden from anonymous visitors/);
    assert.match(warning, /Everyone must have an account at Acme ID/);
    // The visitor's sign-in above already counts as a successful sign-in with this app.
    await admin.getByRole('button', { name: 'Make it Automatic' }).waitFor();

    peer.signInAs('ada-sub');
    await admin.goto(admin.url().replace(/\/automatic$/, ''));
    const [tab] = await Promise.all([admin.waitForEvent('popup'), admin.getByRole('button', { name: 'Test sign-in' }).click()]);
    await tab.waitForURL(/\/test-sign-in\/[0-9a-f-]{36}$/);
    assert.match(await tab.locator('dl.facts').textContent() ?? '', /ada\.tester@example\.com/, 'the test sign-in went through, to its report');
    await tab.close();

    await admin.reload();
    assert.match(await admin.getByText('Last successful sign-in').textContent() ?? '', /trace/);
    await admin.getByRole('link', { name: 'Make this the Automatic app…' }).click();
    await admin.getByRole('button', { name: 'Make it Automatic' }).click();
    assert.match(await admin.getByRole('status').first().textContent() ?? '', /Automatic/);
    const app = (await server.services.apps.list('users')).find((a) => a.name === 'Acme ID');
    assert.equal(app?.sso, 'automatic');
    await admin.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Apps' }).click();
    assert.match(await admin.locator('tr.automatic').textContent() ?? '', /Acme ID.*the Automatic app/s);
    await screenshot(admin, 'admin-apps');
  });

  it('sends an anonymous visitor to the provider and back to the page asked for; signing out ends on the provider\'s logout screen', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      peer.signInAs('uma-sub');
      const before = peer.interactions;
      await page.goto(`${server.url}/articles/${membersArticle}`);
      await page.waitForURL(`${server.url}/articles/${membersArticle}`);
      assert.equal(peer.interactions, before + 1, 'the provider was visited on the way');
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Members: warranty claims');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${peer.issuer}/session/end**`);
      assert.match(await page.textContent('body') ?? '', /Do you want to sign-out/);
      await page.getByRole('button', { name: /Yes, sign me out/ }).click();
      await page.getByText('Sign-out Success').waitFor();
      const cookies = await context.cookies(server.url);
      assert.equal(cookies.some((c) => c.name === 'fd_session_users'), false, 'the Frontdoor session cookie is gone');

      // Signed out at both ends: the next visit meets the provider's login screen again.
      const again = peer.interactions;
      await page.goto(`${server.url}/`);
      await page.waitForURL(`${server.url}/`);
      assert.equal(peer.interactions, again + 1);
    } finally {
      await context.close();
    }
  });
});
