import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { accountCounts } from '../helpers/counts.ts';
import { seriousViolations } from '../helpers/axe.ts';
import { launchChromium, submitPasswordForm } from '../helpers/browser.ts';
import { installOidcApp } from '../helpers/oidc-flow.ts';
import { screenshot } from '../helpers/screenshots.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startOidcPeer, type OidcPeer } from '../peers/oidc-provider.ts';

const PASSWORD = 'correct horse battery';
const CLIENT = { clientId: 'frontdoor-test-sign-in', clientSecret: 'test-sign-in-client-secret' };

// Test sign-in in Chromium (issue 18, "Done when"): the admin presses Test sign-in, a new tab
// goes through the OpenID Provider's login and lands on the report; the admin's own browser is
// still signed in as the admin, never as the test person.
describe('Test sign-in in Chromium', () => {
  let server: TestServer;
  let peer: OidcPeer;
  let browser: Browser;

  before(async () => {
    server = await startTestServer({ publicUrlIsListening: true });
    peer = await startOidcPeer({
      clients: [{ ...CLIENT, redirectUris: [`${server.url}/sso/acme-id/callback`] }],
      accounts: [{ id: 'tess-sub', email: 'tess@example.com', email_verified: true, name: 'Tess Tester' }],
    });
    browser = await launchChromium();
    await server.services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    await installOidcApp(server, { audience: 'users', slug: 'acme-id', issuer: peer.issuer, ...CLIENT, config: { scopes: ['openid', 'email', 'profile'] } });
  });
  after(async () => {
    await browser?.close();
    await peer?.close();
    await server?.close();
  });

  it('the new tab goes through the provider\'s login and lands on the claims report; the admin stays the admin', async () => {
    // bypassCSP only so that axe-core can be injected into the report page (as accessibility.test.ts does).
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    const admin = await context.newPage();
    await admin.goto(`${server.url}/admin`);
    await submitPasswordForm(admin, 'ada@example.com', PASSWORD);
    await admin.getByRole('link', { name: 'OpenID Connect' }).first().click();
    const before = await accountCounts(server.services.db);

    peer.signInAs('tess-sub');
    const interactions = peer.interactions;
    const [tab] = await Promise.all([context.waitForEvent('page'), admin.getByRole('button', { name: 'Test sign-in' }).click()]);
    await tab.waitForURL(/\/admin\/apps\/[^/]+\/test-sign-in\/[0-9a-f-]{36}$/);
    assert.ok(peer.interactions > interactions, 'through the provider\'s login');
    assert.match(await tab.getByRole('heading', { level: 1 }).textContent() ?? '', /^Test sign-in: /);
    assert.match(await tab.getByRole('status').textContent() ?? '', /This sign-in would succeed/);
    const facts = await tab.locator('dl.facts').textContent() ?? '';
    assert.match(facts, /tess@example\.com/);
    assert.match(facts, /Tess Tester/);
    assert.match(facts, /Would create a new account/);
    assert.match(await tab.locator('table').textContent() ?? '', /email_verified/, 'the claims received');
    await screenshot(tab, 'admin-test-sign-in-report');
    assert.deepEqual(await seriousViolations(tab), [], 'axe: no serious violations on the report');
    await tab.setViewportSize({ width: 360, height: 800 });
    assert.equal(await tab.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth'), 0, 'the report fits 360 px');
    await screenshot(tab, 'admin-test-sign-in-report-360');

    // The admin's own browser (both tabs share its cookies) is still the admin, with no Help Center session.
    await admin.reload();
    assert.match(await admin.getByText('Signed in as').textContent() ?? '', /ada@example\.com/);
    // The context's request client carries the browser's cookies.
    assert.equal((await context.request.get(`${server.url}/api/v1/session?audience=users`)).status(), 401);
    assert.equal((await context.request.get(`${server.url}/api/v1/session?audience=agents`)).status(), 200);
    assert.deepEqual(await accountCounts(server.services.db), before, 'nobody was created or signed in');
    await context.close();
  });

  it('in German: the Test\'s details and the test sign-in report', async () => {
    // A browser whose Accept-Language asks for German (issue 18 part 7).
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'de-DE' });
    const admin = await context.newPage();
    await admin.goto(`${server.url}/admin`);
    await admin.getByLabel('E-Mail-Adresse').fill('ada@example.com');
    await admin.getByLabel('Passwort').fill(PASSWORD);
    await admin.getByRole('button', { name: 'Anmelden' }).click();
    await admin.getByRole('link', { name: 'OpenID Connect' }).first().click();

    await admin.getByRole('button', { name: 'Einrichtung testen' }).click();
    await admin.waitForURL(/\/admin\/apps\/[^/]+\/test\/[0-9a-f-]{36}$/);
    const checks = await admin.locator('ul.checks').textContent() ?? '';
    assert.match(checks, new RegExp(`Discovery: ${peer.issuer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} veröffentlicht seine Konfiguration`));
    assert.match(checks, /Client-Zugangsdaten: Der Anbieter kennt diesen Client/);
    assert.doesNotMatch(checks, /publishes its configuration|the provider knows this client|signing key\(s\)/);

    peer.signInAs('tess-sub');
    const [tab] = await Promise.all([context.waitForEvent('page'), admin.getByRole('button', { name: 'Testanmeldung' }).click()]);
    await tab.waitForURL(/\/admin\/apps\/[^/]+\/test-sign-in\/[0-9a-f-]{36}$/);
    assert.match(await tab.getByRole('status').textContent() ?? '', /Diese Anmeldung würde gelingen\./);
    assert.match(await tab.locator('li[data-check="answer"]').textContent() ?? '', /von der oidc-Anmeldung verifiziert, wie bei jeder Anmeldung$/);
    assert.match(await tab.locator('dl.facts').textContent() ?? '', /Würde ein neues Konto für tess@example\.com anlegen\./);
    assert.doesNotMatch(await tab.locator('main').textContent() ?? '', /Would create|verified by the|not asked/);
    await context.close();
  });
});
