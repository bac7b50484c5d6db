import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { seriousViolations } from '../helpers/axe.ts';
import { launchChromium } from '../helpers/browser.ts';
import { screenshot } from '../helpers/screenshots.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// Issue 15, parts 3 and 4, as a newcomer sees them in Chromium: the printed setup link, the
// form, the console's welcome and the Help Center's; axe-core finds nothing serious on them.
const PASSWORD = 'correct horse battery staple';

describe('first run in Chromium: setup link, first admin, welcome', () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    server = await startTestServer({ publicUrlIsListening: true });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });


  it('the Help Center says what to do; the link opens the form; the admin lands on the welcome', async () => {
    // The pages forbid injected scripts (CSP): this context bypasses it for axe alone.
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems: string[] = [];

    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { name: 'Welcome: this Help Center has no articles yet' }).waitFor();
    problems.push(...(await seriousViolations(page)));
    await screenshot(page, 'first-run-help-center');

    const link = (await server.services.setup.issueLinkIfNoAdmin())!;
    assert.equal(link.origin, server.url, 'the link is under PUBLIC_URL');
    await page.goto(link.href);
    await page.getByRole('heading', { name: 'Set up Frontdoor' }).waitFor();
    problems.push(...(await seriousViolations(page)));
    await screenshot(page, 'first-run-setup');
    await page.getByLabel('Name').fill('Grace Hopper');
    await page.getByLabel('Email').fill('grace@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create the admin' }).click();
    await page.getByRole('heading', { name: 'Frontdoor is set up' }).waitFor();
    problems.push(...(await seriousViolations(page)));

    await page.getByRole('link', { name: 'Sign in to the admin console' }).click();
    await page.getByLabel('Email').fill('grace@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${server.url}/admin/apps`);
    await page.getByRole('heading', { name: 'Welcome: what to do next' }).waitFor();
    problems.push(...(await seriousViolations(page)));
    await screenshot(page, 'first-run-admin-welcome');

    // The link is used up: the same address now says setup is done.
    const again = await page.goto(link.href);
    assert.equal(again?.status(), 410);
    await context.close();
    assert.deepEqual(problems, []);
  });
});
