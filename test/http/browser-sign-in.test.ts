import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, submitPasswordForm } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';

// The pages as a person uses them: a real Chromium, real clicks, no JavaScript of ours.
describe('sign-in pages in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  before(async () => {
    server = await startTestServer();
    browser = await launchChromium();
    const registered = await server.services.usergroups.systemGroupId('registered');
    const everyone = await server.services.usergroups.systemGroupId('everyone');
    await server.services.articles.create({ title: 'Resetting your router', body: 'Unplug it.', usergroupIds: [everyone] });
    await server.services.articles.create({ title: 'Members: warranty claims', body: 'Fill the form.', usergroupIds: [registered] });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('registers, lands on the gated article asked for, signs out, and signs back in', async () => {
    const page = await browser.newPage();
    try {
      const members = (await server.services.articles.list()).find((a) => a.title.startsWith('Members'))!;
      await page.goto(`${server.url}/articles/${members.id}`);
      assert.match(page.url(), /\/login\?return_to=/, 'a gated article sends the visitor to sign in');
      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.getByLabel('Name').fill('Robin Reader');
      await page.getByLabel('Email').fill('robin@example.com');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();
      assert.equal(new URL(page.url()).pathname, `/articles/${members.id}`, 'back on the page asked for');
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Members: warranty claims');

      await page.getByRole('button', { name: 'Sign out' }).click();
      assert.equal(new URL(page.url()).pathname, '/');
      assert.equal(await page.getByText('Members: warranty claims').count(), 0, 'signed out: members content hidden');

      await page.getByRole('link', { name: 'Sign in' }).click();
      await submitPasswordForm(page, 'robin@example.com', 'wrong password here');
      assert.match(await page.getByRole('alert').textContent() ?? '', /email or password is not right/);
      assert.equal(await page.getByLabel('Email').inputValue(), 'robin@example.com', 'the email is kept');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      assert.equal(await page.getByText('Members: warranty claims').count(), 1);
    } finally {
      await page.close();
    }
  });

  it('works at 360 px wide and sends the security headers the pages rely on', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    try {
      const response = await page.goto(`${server.url}/login`);
      assert.match(response!.headers()['content-security-policy'] ?? '', /default-src 'none'/);
      assert.equal(response!.headers()['x-frame-options'], 'DENY');
      assert.equal(response!.headers()['strict-transport-security'], undefined, 'no HSTS over plain http');
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      assert.equal(overflow, 0, 'no horizontal scrolling on a small phone');
      const stylesApplied = await page.evaluate<string>("getComputedStyle(document.querySelector('button')).borderRadius");
      assert.equal(stylesApplied, '6px', 'the stylesheet loads under the Content-Security-Policy');
    } finally {
      await page.close();
    }
  });
});
