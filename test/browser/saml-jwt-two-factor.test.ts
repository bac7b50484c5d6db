import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import type { AuthApp } from '../../src/core/apps.ts';
import { generateJwtSharedSecret } from '../../src/protocols/jwt/keys.ts';
import { base32Decode, totpCode } from '../../src/core/credentials/totp.ts';
import { launchChromium } from '../helpers/browser.ts';
import { claimsAt, signToken } from '../helpers/jwt.ts';
import { installSamlApp } from '../helpers/saml.ts';
import { screenshot } from '../helpers/screenshots.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { SamlIdp } from '../peers/saml-idp.ts';

const cli = { type: 'cli' } as const;
const PASSWORD = 'correct horse battery';
const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

describe('SAML Automatic SSO and single logout in Chromium', () => {
  let server: TestServer;
  let idp: SamlIdp;
  let browser: Browser;
  before(async () => {
    server = await startTestServer({ publicUrlIsListening: true });
    idp = await SamlIdp.start();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await idp?.close();
    await server?.close();
  });

  it('sends an anonymous visitor to the IdP and back to the page asked for, and signs out through the IdP', async () => {
    const { app, sp } = await installSamlApp(server, idp, { slug: 'corp-saml', sso: 'automatic' });
    const registered = await server.services.usergroups.systemGroupId('registered');
    const article = (await server.services.articles.create({ title: 'Members: holiday rota', body: 'See the rota.', usergroupIds: [registered] })).id;
    const email = 'sam.saml@example.com';
    idp.browserLogin = { sp, user: { nameId: email, email, firstName: 'Sam', lastName: 'Saml' }, acsTarget: `${server.url}/sso/${app.slug}/saml/acs` };
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/articles/${article}`);
      await page.waitForURL(`${server.url}/articles/${article}`);
      assert.equal(idp.browserRequests.length, 1, 'the IdP was visited on the way');
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Members: holiday rota');
      assert.match(await page.getByText('Signed in as').textContent() ?? '', /sam\.saml@example\.com/);

      // Sign out: a signed LogoutRequest to the IdP's SLO address, which answers and sends the
      // browser back (this IdP has no SLO page of its own: the test answers for it).
      const atIdp = (path: string) => page.waitForRequest((request) => request.url().startsWith(`${idp.baseUrl}${path}`));
      const sloVisit = atIdp('/slo?SAMLRequest=');
      await page.getByRole('button', { name: 'Sign out' }).click();
      const { responseUrl, nameId } = await idp.answerLogout(sp, (await sloVisit).url());
      assert.equal(nameId, email, 'the IdP is told who signs out');
      assert.equal((await context.cookies(server.url)).some((c) => c.name === 'fd_session_users'), false, 'the local session is gone');

      // Let the browser's visit to the IdP land before it is sent on, as the IdP would send it.
      await page.waitForURL((url) => url.href.startsWith(`${idp.baseUrl}/slo?`));
      await page.goto(responseUrl);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'You are signed out');
      assert.match(await page.locator('main').textContent() ?? '', /signed out here and at Test IdP/);
      assert.equal(idp.browserRequests.length, 1, 'a signed-out page, not straight back to the IdP');
    } finally {
      await context.close();
    }
  });
});

describe('JWT sign-in and two-factor authentication in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let signingSite: Server;
  let siteUrl: string;
  let app: AuthApp;
  const secret = generateJwtSharedSecret();
  const siteVisits: string[] = [];

  before(async () => {
    server = await startTestServer({ publicUrlIsListening: true });
    browser = await launchChromium();
    // The helpdesk owner's website: its login page signs a token for "its" signed-in person
    // and posts it back to Frontdoor with a script of its own (Frontdoor's CSP is not its CSP).
    signingSite = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://site');
      if (url.pathname !== '/login') return void response.writeHead(404).end();
      const back = url.searchParams.get('return_to') ?? '';
      siteVisits.push(back);
      signToken(claimsAt(new Date(), { email: 'jo.jwt@example.com', name: 'Jo Jwt', external_id: 'site-42' }), secret, { alg: 'HS256', typ: 'JWT' })
        .then((token) => {
          response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>Acme website</title>
<form method="post" action="${escapeHtml(back)}"><input type="hidden" name="jwt" value="${token}"><button>Continue</button></form>
<script>document.forms[0].submit()</script>`);
        })
        .catch(() => response.writeHead(500).end());
    });
    await new Promise<void>((resolve) => signingSite.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(signingSite.address() as AddressInfo).port}`;
    app = await server.services.apps.create(
      { audience: 'users', type: 'jwt', slug: 'acme-site', name: 'Acme website', showButton: true, config: { remoteLoginUrl: `${siteUrl}/login`, algorithms: ['HS256'], sharedSecret: secret } },
      cli,
    );
  });
  after(async () => {
    await browser?.close();
    signingSite?.closeAllConnections();
    await new Promise<void>((resolve) => (signingSite ? signingSite.close(() => resolve()) : resolve()));
    await server?.close();
  });

  const newContext = (): Promise<BrowserContext> => browser.newContext({ viewport: { width: 1280, height: 800 } });

  it('signs in through the website\'s login page, which signs a JWT and posts it back', async () => {
    const context = await newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/login?return_to=%2Faccount`);
      await page.getByRole('button', { name: 'Sign in with Acme website' }).or(page.getByRole('link', { name: 'Sign in with Acme website' })).click();
      await page.waitForURL(`${server.url}/account`);
      assert.equal(new URL(siteVisits.at(-1)!).pathname, `/sso/${app.slug}/jwt`, 'the site was given our JWT address to come back to');
      assert.match(await page.getByText('Signed in as').textContent() ?? '', /jo\.jwt@example\.com/);
      const found = await server.services.people.findForSignIn('users', 'jo.jwt@example.com');
      assert.deepEqual(found?.person.identities, [{ appId: app.id, subject: 'site-42' }]);
    } finally {
      await context.close();
    }
  });

  it('shows an error page with the SSO trace id when the token is not valid', async () => {
    const context = await newContext();
    try {
      const page = await context.newPage();
      const response = await page.goto(`${server.url}/sso/${app.slug}/jwt?jwt=not-a-token`);
      assert.equal(response!.status() >= 400, true);
      const facts = page.locator('p', { hasText: 'Quote the trace' });
      assert.match(await facts.textContent() ?? '', /^Error \S+ · trace \S+\./);
      const traceId = await facts.locator('code').nth(1).textContent();
      const [trace] = await server.services.db.query<{ outcome: string }>('SELECT outcome FROM sso_traces WHERE id = $1', [traceId]);
      assert.equal(trace?.outcome, 'failure', 'the trace shown is the one recorded');
      await screenshot(page, 'sso-error');
    } finally {
      await context.close();
    }
  });

  it('enrols an authenticator app from the account page, then asks for its code at the next sign-in', async () => {
    await server.services.people.create({ audience: 'users', name: 'Tess Totp', email: 'tess@example.com', password: PASSWORD });
    const context = await newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/login?return_to=%2Faccount`);
      await page.getByLabel('Email').fill('tess@example.com');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL(`${server.url}/account`);
      await screenshot(page, 'account');

      const section = page.locator('section[aria-labelledby="tfa-h"]');
      await section.getByRole('button', { name: 'Turn on' }).click();
      const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
      assert.equal(await qr.evaluate((img) => (img as HTMLImageElement).naturalWidth > 0), true, 'the QR code is an image the browser can show');
      await screenshot(page, 'two-factor-setup');
      const secret = base32Decode((await page.locator('[data-totp-secret]').textContent() ?? '').replace(/\s/g, ''));
      await page.getByLabel('Code shown by the app').fill(totpCode(secret, new Date()));
      await page.getByRole('button', { name: 'Turn on' }).first().click();
      const codes = await page.getByRole('heading', { level: 1 }).textContent();
      assert.equal(codes, 'Your recovery codes');
      const person = await server.services.people.findForSignIn('users', 'tess@example.com');
      assert.deepEqual(person?.person.twoFactor.methods, ['totp']);

      await page.goto(`${server.url}/account`);
      assert.match(await page.locator('[data-state="two-factor-on"]').textContent() ?? '', /authenticator app/);
      await page.getByRole('button', { name: 'Sign out' }).click();

      await page.goto(`${server.url}/login?return_to=%2Faccount`);
      await page.getByLabel('Email').fill('tess@example.com');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL((url) => url.pathname === '/login/2fa');
      await screenshot(page, 'two-factor-challenge');
      const account = await page.goto(`${server.url}/account`);
      assert.notEqual(new URL(account!.url()).pathname, '/account', 'the account is closed until the second factor is given');
      await page.goBack();
      // A code of the next period (inside the accepted window): the enrolment's code is spent.
      await page.getByLabel('Code from your authenticator app').fill(totpCode(secret, new Date(Date.now() + 30_000)));
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL(`${server.url}/account`);
      assert.match(await page.getByText('Signed in as').textContent() ?? '', /tess@example\.com/);
    } finally {
      await context.close();
    }
  });
});
