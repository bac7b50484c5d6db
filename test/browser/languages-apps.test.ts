import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { screenshot } from '../helpers/screenshots.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// Issue 18 part 7 in Chromium: an admin whose browser asks for German installs an OpenID Connect
// app; the install form (labels, hints, fieldsets, values to copy) is German. Pictures at 360 and
// 1280 px for docs/ADMIN-CONSOLE.md (`npm run screenshots:languages` copies them to docs/screenshots/).

const PASSWORD = 'correct horse battery';

describe('the auth app install form in German, in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    server = await startTestServer({ publicUrlIsListening: true });
    browser = await launchChromium();
    await server.services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
  });
  after(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.close();
  });

  it('is German at 360 and 1280 px, with German labels on the values to copy', async () => {
    for (const width of [360, 1280]) {
      const context = await browser.newContext({ viewport: { width, height: 800 }, locale: 'de-DE' });
      contexts.push(context);
      const page = await context.newPage();
      const install = '/admin/apps/new?audience=users&type=oidc';
      await page.goto(`${server.url}/agent/login?return_to=${encodeURIComponent(install)}`);
      await page.locator('input[name="email"]').fill('ada@example.com');
      await page.locator('input[name="password"]').fill(PASSWORD);
      await page.locator('form[action="/agent/login"] button[type="submit"]').click();
      await page.waitForURL(`${server.url}${install}`);
      assert.equal(await page.locator('html').getAttribute('lang'), 'de');
      await page.getByRole('heading', { name: 'Diese Werte an den Identitätsdienst übergeben' }).waitFor();
      await page.getByLabel('Redirect-URI (Callback)').waitFor();
      await page.locator('legend', { hasText: 'Verbindung' }).waitFor();
      await page.getByLabel('Kurzname (in den Anmeldeadressen)').fill('firma');
      // The values to copy follow the slug (console.js asks POST /admin/apps/validate, answered under the German labels).
      await page.waitForFunction(() => (document.querySelector('input[data-copy="Redirect-URI (Callback)"]') as HTMLInputElement | null)?.value.includes('/firma/'));
      await screenshot(page, `languages-app-install-de-${width}`);
    }
  });
});
