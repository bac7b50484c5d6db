import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, submitPasswordForm } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';

const overflowOf = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');

// The console as an admin on a small phone uses it: real Chromium, real clicks and keys,
// 360 px wide, no script of ours.
describe('admin console in Chromium at 360 px', () => {
  let server: TestServer;
  let browser: Browser;
  before(async () => {
    server = await startTestServer();
    browser = await launchChromium();
    await server.services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('signs in, installs an app from the catalogue, and flips a registration setting, without horizontal scrolling', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    try {
      await page.goto(`${server.url}/admin`);
      assert.match(page.url(), /\/agent\/login\?return_to=%2Fadmin/);
      await submitPasswordForm(page, 'ada@example.com', PASSWORD);
      assert.equal(new URL(page.url()).pathname, '/admin/apps', 'back in the console after sign-in');
      assert.equal(await overflowOf(page), 0, 'the app lists fit');

      await page.getByRole('link', { name: 'Add an app' }).click();
      await page.getByRole('link', { name: 'Agents (agent console)' }).click();
      await page.getByRole('link', { name: 'OpenID Connect', exact: true }).click();
      await page.getByLabel('Name', { exact: false }).first().fill('Corporate login');
      await page.getByLabel('Issuer URL').fill('https://login.example.com');
      await page.getByLabel('Client id').fill('frontdoor-agents');
      await page.getByLabel('Client secret').fill('s3cret-value');
      assert.equal(await overflowOf(page), 0, 'the install form fits');
      await page.getByRole('button', { name: 'Install' }).click();

      assert.match(await page.getByRole('status').first().textContent() ?? '', /installed/);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Corporate login');
      assert.match(await page.getByLabel('Redirect URI (callback)').inputValue(), /\/sso\/oidc-agents\/callback$/);
      assert.equal(await page.locator('form', { has: page.getByRole('button', { name: 'Test sign-in' }) }).getAttribute('target'), '_blank');
      assert.equal(await overflowOf(page), 0, 'the app page fits');
      const app = (await server.services.apps.list('agents')).find((a) => a.name === 'Corporate login');
      assert.equal(app?.config.clientId, 'frontdoor-agents');

      // Keyboard: the section navigation is reachable, and focus is visible.
      await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Registration' }).focus();
      const outline = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle');
      assert.notEqual(outline, 'none', 'focus is visible');
      await Promise.all([page.waitForURL('**/admin/settings/registration'), page.keyboard.press('Enter')]);

      const validation = page.getByLabel('Email validation', { exact: false });
      const wasOn = await validation.isChecked();
      await validation.setChecked(!wasOn);
      await page.getByRole('button', { name: 'Save settings' }).click();
      assert.match(await page.getByRole('status').first().textContent() ?? '', /Saved/);
      assert.equal(await page.getByLabel('Email validation', { exact: false }).isChecked(), !wasOn);
      assert.equal((await server.services.registration.settings()).emailValidation, !wasOn);
      assert.equal(await overflowOf(page), 0, 'the settings form fits');

      for (const path of ['/admin/people/users', '/admin/audit', '/admin/sso-traces', '/admin/usergroups', '/admin/articles', '/admin/api-keys']) {
        await page.goto(`${server.url}${path}`);
        assert.equal(await overflowOf(page), 0, `${path} fits`);
      }
    } finally {
      await page.close();
    }
  });
});
