import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { screenshot } from '../helpers/screenshots.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// Issue 18 part 7 in Chromium, the console's People section: an admin whose browser asks for
// German reads a person's page in German at 360 and 1280 px. Pictures for docs/ADMIN-CONSOLE.md
// ("Languages"; `npm run screenshots:languages` copies them to docs/screenshots/).

const PASSWORD = 'correct horse battery';

describe('the console’s People section in German (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let userId: string;

  before(async () => {
    server = await startTestServer({ publicUrlIsListening: true });
    browser = await launchChromium();
    const s = server.services;
    await s.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    await s.usergroups.create('Beta');
    userId = (await s.people.create({ audience: 'users', name: 'Dora Deutsch', email: 'dora@example.com', password: PASSWORD })).id;
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('pictures: a person’s page in German at 360 and 1280 px', async () => {
    for (const width of [360, 1280]) {
      const context = await browser.newContext({ viewport: { width, height: 800 }, locale: 'de-DE' });
      try {
        const page = await context.newPage();
        await page.goto(`${server.url}/agent/login?return_to=${encodeURIComponent(`/admin/people/users/${userId}`)}`);
        await page.locator('input[name="email"]').fill('ada@example.com');
        await page.locator('input[name="password"]').fill(PASSWORD);
        await page.locator('form[action="/agent/login"] button[type="submit"]').click();
        await page.waitForURL(`${server.url}/admin/people/users/${userId}`);
        assert.equal(await page.locator('html').getAttribute('lang'), 'de');
        await page.getByRole('heading', { name: 'Name und E-Mail-Adressen' }).waitFor();
        await page.getByRole('button', { name: 'Name und E-Mail-Adresse speichern' }).waitFor();
        assert.equal(await page.getByText('Linked identities').count(), 0);
        await screenshot(page, `languages-admin-person-de-${width}`);
      } finally {
        await context.close();
      }
    }
  });
});
