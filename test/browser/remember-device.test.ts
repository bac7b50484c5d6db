import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { base32Decode, totpCode } from '../../src/core/credentials/totp.ts';
import { launchChromium, submitPasswordForm } from '../helpers/browser.ts';
import { screenshot } from '../helpers/screenshots.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// Issue 18 part 8 in Chromium: the admin turns "Remember this device" on; a person ticks it at
// the second factor and is not asked again in that browser, while another person in that same
// browser, and the same person in another browser, still are.
const PASSWORD = 'correct horse battery';
const cli = { type: 'cli' } as const;

describe('remember this device in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let secret: Buffer;

  before(async () => {
    server = await startTestServer({ publicUrlIsListening: true });
    browser = await launchChromium();
    const s = server.services;
    for (const [name, email] of [['Tess', 'tess@example.com'], ['Bob', 'bob@example.com']] as const) {
      const person = await s.people.create({ audience: 'users', name, email, password: PASSWORD });
      const enrolment = await s.twoFactor.beginTotp(person);
      const key = base32Decode(enrolment.secret.replace(/\s/g, ''));
      await s.twoFactor.confirmTotp(person, totpCode(key, new Date()), undefined);
      if (email === 'tess@example.com') secret = key;
    }
    await s.sessionPolicy.update({ users: { rememberDeviceDays: 30 } }, cli);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const signInWithPassword = async (page: Page, email: string) => {
    await page.goto(`${server.url}/login`);
    await submitPasswordForm(page, email, PASSWORD);
    await page.waitForLoadState('load');
  };
  const signOut = async (page: Page) => {
    await page.goto(`${server.url}/logout`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForLoadState('load');
  };

  it('ticked at the second factor, the browser skips it next time; not for another person, nor another browser', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await signInWithPassword(page, 'tess@example.com');
    assert.equal(new URL(page.url()).pathname, '/login/2fa');
    const totpForm = page.locator('form', { has: page.getByLabel('Code from your authenticator app') });
    const remember = totpForm.getByLabel('Remember this device for 30 days');
    assert.equal(await remember.isChecked(), false, 'never ticked for the person');
    await remember.check();
    await screenshot(page, 'remember-device-challenge');
    // The next step's code: the enrolment used this one.
    await page.getByLabel('Code from your authenticator app').fill(totpCode(secret, new Date(Date.now() + 30_000)));
    await totpForm.getByRole('button', { name: 'Continue' }).click();
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).pathname, '/');
    const cookie = (await context.cookies()).find((c) => c.name === 'fd_device_users');
    assert.ok(cookie, 'the device cookie is set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');

    await signOut(page);
    await signInWithPassword(page, 'tess@example.com');
    assert.equal(new URL(page.url()).pathname, '/', 'the second factor is skipped in this browser');
    await page.goto(`${server.url}/account`);
    await page.getByRole('heading', { name: 'Remembered devices' }).waitFor();
    await screenshot(page, 'remember-device-account');

    await signOut(page);
    await signInWithPassword(page, 'bob@example.com');
    assert.equal(new URL(page.url()).pathname, '/login/2fa', "Tess's device does nothing for Bob");

    const other = await browser.newContext();
    const otherPage = await other.newPage();
    await signInWithPassword(otherPage, 'tess@example.com');
    assert.equal(new URL(otherPage.url()).pathname, '/login/2fa', 'another browser is asked');
    await other.close();
    await context.close();
  });
});
