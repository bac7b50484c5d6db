import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { seriousViolations } from '../helpers/axe.ts';
import { launchChromium, submitPasswordForm } from '../helpers/browser.ts';
import { screenshot } from '../helpers/screenshots.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';
const LOGO = fileURLToPath(new URL('../fixtures/brand/logo.png', import.meta.url));
const BRAND_COLOR = '#0b6e4f';
const BRAND_RGB = 'rgb(11, 110, 79)';
const SIGN_IN_TEXT = 'Sign in with your Acme account. Trouble? Call 555-0100.';


// An admin brands the helpdesk in Chromium: sets the name, picks the colour, uploads the logo,
// previews the sign-in page, saves from the preview; then a visitor's sign-in page and Help
// Center home show them, with the CSP in force (the colour comes only through brand.css), and
// axe finds nothing serious at 360 and 1280 px.
describe('brand in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    server = await startTestServer({ publicUrlIsListening: true });
    browser = await launchChromium();
    const { services } = server;
    const everyone = await services.usergroups.systemGroupId('everyone');
    await services.articles.create({ title: 'Resetting your router', body: 'Unplug it for ten seconds, then plug it back in.', usergroupIds: [everyone] });
    await services.articles.create({ title: 'Changing your billing address', body: 'Open Billing, then Address.', usergroupIds: [everyone] });
    await services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
  });
  after(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.close();
  });

  /** A page whose CSP violations (an inline style or script the policy blocked) are collected. */
  const openPage = async (options: { width: number; bypassCSP?: boolean; locale?: string }) => {
    const context = await browser.newContext({ viewport: { width: options.width, height: 800 }, bypassCSP: options.bypassCSP ?? false, locale: options.locale });
    contexts.push(context);
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    return { page, cspViolations };
  };
  const logoWidth = (page: Page) => page.locator('header.site img.logo').evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0));
  const buttonColor = (page: Page, name: string) => page.getByRole('button', { name, exact: true }).first().evaluate((b) => getComputedStyle(b).backgroundColor);

  it('an admin sets name, colour and logo, previews the sign-in page, and saves from the preview', async () => {
    const { page, cspViolations } = await openPage({ width: 1280 });
    await page.goto(`${server.url}/admin/brand`);
    await submitPasswordForm(page, 'ada@example.com', PASSWORD);
    assert.equal(new URL(page.url()).pathname, '/admin/brand');

    await page.getByLabel('Helpdesk name').fill('Acme Support');
    await page.getByLabel('Sign-in page text').fill(SIGN_IN_TEXT);
    await page.locator('#f-color-picker').fill(BRAND_COLOR);
    await page.getByLabel('Upload a logo').setInputFiles(LOGO);
    await screenshot(page, 'admin-brand-filled-1280');
    await page.getByRole('button', { name: 'Preview' }).click();

    // The preview: the sign-in page drawn with the unsaved values, nothing stored yet.
    await page.getByText('Preview, not saved').waitFor();
    assert.equal(await page.locator('header.site .brand span').first().textContent(), 'Acme Support');
    assert.equal(await page.locator('header.site img.logo').getAttribute('alt'), 'Acme Support');
    assert.equal(await logoWidth(page), 48, 'the data: URL logo is drawn');
    assert.equal(await buttonColor(page, 'Sign in'), BRAND_RGB, 'the previewed colour reaches the button through the preview stylesheet');
    assert.equal(await page.locator('.sign-in-text').textContent(), SIGN_IN_TEXT);
    assert.equal((await server.services.brand.current()).name, null, 'a preview stores nothing');
    await screenshot(page, 'admin-brand-preview-1280');

    await page.locator('.preview-bar').getByRole('button', { name: 'Save' }).click();
    assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, '/admin/brand?notice=saved');
    await page.getByText('Saved.').waitFor();
    const brand = await server.services.brand.current();
    assert.deepEqual([brand.name, brand.color, brand.signInText, brand.logo?.contentType], ['Acme Support', BRAND_COLOR, SIGN_IN_TEXT, 'image/png']);
    assert.equal(await page.locator('img.logo-now').evaluate((img: HTMLImageElement) => img.naturalWidth), 48, 'the console shows the stored logo');
    await screenshot(page, 'admin-brand-1280');
    assert.deepEqual(cspViolations, []);
  });

  for (const width of [360, 1280]) {
    it(`a visitor's sign-in page and Help Center home show the brand at ${width} px, with the CSP in force`, async () => {
      const { page, cspViolations } = await openPage({ width });
      await page.goto(`${server.url}/login`);
      assert.equal(await page.title(), 'Sign in · Acme Support');
      assert.equal(await page.locator('header.site img.logo').getAttribute('alt'), 'Acme Support');
      assert.equal(await logoWidth(page), 48);
      assert.equal(await page.locator('.sign-in-text').textContent(), SIGN_IN_TEXT);
      assert.equal(await buttonColor(page, 'Sign in'), BRAND_RGB, 'the button is the brand colour');
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), true, 'no sideways scrolling');
      await screenshot(page, `brand-sign-in-${width}`);

      await page.goto(`${server.url}/`);
      assert.match(await page.title(), /Acme Support/);
      assert.equal(await logoWidth(page), 48);
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), true, 'no sideways scrolling');
      await screenshot(page, `brand-home-${width}`);
      assert.deepEqual(cspViolations, [], 'nothing was blocked: no inline style carries the colour');
    });

    it(`the branded pages speak a German browser's language at ${width} px`, async () => {
      // Chromium's locale sets Accept-Language (de-DE,de): brand and language come together.
      const { page, cspViolations } = await openPage({ width, locale: 'de-DE' });
      await page.goto(`${server.url}/login`);
      assert.equal(await page.locator('html').getAttribute('lang'), 'de');
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Anmelden');
      assert.equal(await page.locator('header.site img.logo').getAttribute('alt'), 'Acme Support');
      assert.equal(await buttonColor(page, 'Anmelden'), BRAND_RGB, 'the button is the brand colour');
      await screenshot(page, `brand-sign-in-de-${width}`);
      await page.goto(`${server.url}/`);
      assert.equal(await page.locator('html').getAttribute('lang'), 'de');
      await screenshot(page, `brand-home-de-${width}`);
      assert.deepEqual(cspViolations, []);
    });

    it(`axe finds nothing serious on the branded pages and the Brand section at ${width} px`, async () => {
      // axe is injected as a script, which the CSP forbids: this context bypasses it for the check alone.
      const { page } = await openPage({ width, bypassCSP: true });
      const problems: string[] = [];
      for (const path of ['/login', '/', '/agent/login']) {
        await page.goto(`${server.url}${path}`);
        problems.push(...(await seriousViolations(page)));
      }
      await page.goto(`${server.url}/admin/brand`);
      await submitPasswordForm(page, 'ada@example.com', PASSWORD);
      assert.equal(new URL(page.url()).pathname, '/admin/brand');
      problems.push(...(await seriousViolations(page)));
      await screenshot(page, `admin-brand-${width}`);
      assert.deepEqual(problems, []);
    });
  }
});
