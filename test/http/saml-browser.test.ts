import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { installSamlApp } from '../helpers/saml.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { SamlIdp } from '../peers/saml-idp.ts';

// A whole SAML sign-in in a real Chromium: Frontdoor's HTTP-POST binding page must submit
// itself under its own Content-Security-Policy (one script, allowed by hash), and the
// cross-site POST back to the ACS must sign the browser in without any cookie of ours.
describe('SAML sign-in in Chromium', () => {
  let server: TestServer;
  let idp: SamlIdp;
  let browser: Browser;
  before(async () => {
    server = await startTestServer();
    idp = await SamlIdp.start();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await idp?.close();
    await server?.close();
  });

  for (const binding of ['post', 'redirect'] as const) {
    it(`signs in through the IdP with the HTTP-${binding === 'post' ? 'POST' : 'Redirect'} binding and lands on the page asked for`, async () => {
      const { app, sp } = await installSamlApp(server, idp, { slug: `saml-browser-${binding}`, config: { authnRequestBinding: binding } });
      const email = `chromium-${binding}@example.com`;
      idp.browserLogin = { sp, user: { nameId: email, email, firstName: 'Chrome', lastName: binding }, acsTarget: `${server.url}/sso/${app.slug}/saml/acs` };
      const page = await browser.newPage();
      try {
        await page.goto(`${server.url}/sso/${app.slug}/start?return_to=%2Faccount`);
        await page.waitForURL(`${server.url}/account`);
        assert.equal(idp.browserRequests.at(-1)?.binding, binding, 'the IdP received our AuthnRequest by that binding');
        const cookies = await page.context().cookies(server.url);
        assert.ok(cookies.some((c) => c.name === 'fd_session_users'), 'a session cookie was set on the POST back');
        const person = (await server.services.db.query<{ name: string }>('SELECT p.name FROM people p JOIN person_emails e ON e.person_id = p.id WHERE e.email = $1', [email]))[0];
        assert.equal(person?.name, `Chrome ${binding}`);
      } finally {
        await page.close();
      }
    });
  }
});
