import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { generateJwtSharedSecret } from '../../src/protocols/jwt/keys.ts';
import { scimProvisioning } from '../../src/provisioning/scim/service.ts';
import { seriousViolations } from '../helpers/axe.ts';
import { launchChromium, submitPasswordForm } from '../helpers/browser.ts';
import { screenshot } from '../helpers/screenshots.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';
const cli = { type: 'cli' } as const;

// Issue 18 part 5: every console page, seeded with content, at a phone's 360 px and a laptop's
// 1280 px: nothing scrolls sideways, lists stack into labelled rows on the phone, no ordinary word
// is cut in two to fit a column, and axe-core finds no serious or critical violation.
describe('every console page at 360 px and 1280 px (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  const paths: string[] = [];

  before(async () => {
    server = await startTestServer({ publicUrlIsListening: true });
    browser = await launchChromium();
    const { services } = server;
    const support = await services.usergroups.create('Support engineers');
    await services.articles.create({ title: 'Resetting your router after a firmware upgrade', body: 'Unplug it for ten seconds.', usergroupIds: [support.id] });
    await services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    const user = await services.people.create({ audience: 'users', name: 'Bartholomew Longname-Withahyphen', email: 'bartholomew.longname-withahyphen@subdomain.example.com', password: PASSWORD });
    const app = await services.apps.create({ audience: 'users', type: 'oidc', slug: 'acme-id', name: 'Acme Identity Provider', showButton: true, config: { issuer: 'https://login.example.com/realms/customers-and-partners', clientId: 'frontdoor-helpdesk-client', clientSecret: 'client-secret-value' } }, cli);
    const { apiKey } = await services.apiKeys.create('Provisioning from the CRM', null);
    // Every app type's page, not only OIDC's: SAML's has the longest values to copy.
    const saml = await services.apps.create({ audience: 'agents', type: 'saml', slug: 'corporate-saml-directory', name: 'Corporate directory (SAML)', config: { idpMetadataUrl: 'https://idp.example.com/simplesaml/saml2/idp/metadata.php' } }, cli);
    const jwt = await services.apps.create({ audience: 'users', type: 'jwt', slug: 'customer-website', name: 'Our customer website', config: { remoteLoginUrl: 'https://www.example.com/helpdesk/remote-login', sharedSecret: generateJwtSharedSecret() } }, cli);
    // A failed sign-in's trace, with the long detail and claims an admin reads on its page.
    const traceId = 'trace-for-the-narrow-screen-check';
    await services.ssoTraces.recordRefusal({ id: traceId, appId: app.id, audience: 'users', ip: '203.0.113.7' }, {
      errorCode: 'sso.audience_mismatch', failedCheck: 'audience',
      detail: 'The token was issued for https://another-helpdesk.example.org/sso/acme-id/oidc/callback, not for this helpdesk.',
    });
    const { connection } = await scimProvisioning(services).connections.create({ audience: 'users', name: 'Entra ID provisioning for customers' }, null);
    paths.push('/admin/apps', `/admin/apps/${app.id}`, `/admin/apps/${saml.id}`, `/admin/apps/${jwt.id}`, '/admin/settings/registration', '/admin/settings/sessions', '/admin/usergroups', '/admin/articles',
      '/admin/people/users', '/admin/people/agents', `/admin/people/users/${user.id}`, '/admin/people/users/import', '/admin/audit', '/admin/sso-traces',
      `/admin/sso-traces/${traceId}`, '/admin/api-keys', '/admin/scim', `/admin/scim/${connection.id}`, '/admin/brand', '/admin/emails', '/admin/emails/approved/fr',
      // The confirmation pages of destructive actions, which name what they take with them.
      `/admin/apps/${app.id}/remove`, `/admin/usergroups/${support.id}/remove`, `/admin/people/users/${user.id}/disable`,
      `/admin/scim/${connection.id}/revoke`, `/admin/api-keys/${apiKey.id}/revoke`);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** What is wrong with the page's layout at this width, described; empty when nothing is. */
  const layoutProblems = (page: Page, narrow: boolean) => page.evaluate((narrow) => {
    const found: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) found.push(`scrolls sideways (${root.scrollWidth} > ${root.clientWidth})`);
    for (const cell of document.querySelectorAll('table.list td')) {
      if (narrow && getComputedStyle(cell).display !== 'block') found.push(`cell not stacked: ${cell.textContent}`);
      if (!cell.hasAttribute('data-label')) found.push(`cell without its column name: ${cell.textContent}`);
      // A word cut in two spans two line boxes: its range has rects on two lines. Codes, ids and
      // addresses (inside code, or longer than 24 letters) may wrap; ordinary words may not. A
      // hyphen is a proper place to break, so the parts between hyphens are the words checked.
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement?.closest('code')) continue;
        const text = node.textContent ?? '';
        for (const m of text.matchAll(/[^\s-]+/g)) {
          if (m[0].length > 24) continue;
          const range = document.createRange();
          range.setStart(node, m.index);
          range.setEnd(node, m.index + m[0].length);
          const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
          if (tops.size > 1) found.push(`word broken: ${m[0]}`);
        }
      }
    }
    return found;
  }, narrow);

  /** Visits each page (expecting its status), collecting what is wrong with it at this width. */
  const checkPages = async (page: Page, pages: [path: string, status: number][], width: number, prefix: string) => {
    const problems: string[] = [];
    let tables = 0;
    for (const [path, status] of pages) {
      const response = await page.goto(`${server.url}${path}`);
      assert.equal(response?.status(), status, path);
      tables += await page.locator('table.list').count();
      problems.push(...(await layoutProblems(page, width < 640)).map((p) => `${path}: ${p}`));
      problems.push(...(await seriousViolations(page)));
      const name = path.replace(/^\/admin/, '').replace(/\/[0-9a-f]{8}-[0-9a-f-]{27}/g, '/detail').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'home';
      await screenshot(page, `${prefix}-${name}-${width}`);
    }
    return { problems, tables };
  };

  const signIn = async (page: Page, loginPath: string, email: string) => {
    await page.goto(`${server.url}${loginPath}`);
    await submitPasswordForm(page, email, PASSWORD);
  };

  for (const width of [360, 1280]) {
    it(`every console page works at ${width} px`, async () => {
      const context = await browser.newContext({ bypassCSP: true, viewport: { width, height: 800 } });
      try {
        const page = await context.newPage();
        await signIn(page, '/admin/apps', 'ada@example.com');
        assert.equal(new URL(page.url()).pathname, '/admin/apps');
        const { problems, tables } = await checkPages(page, paths.map((path) => [path, 200]), width, 'admin');
        assert.ok(tables >= 8, `the seeded console shows its lists (${tables} tables)`);
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });

    it(`every Help Center, sign-in and account page works at ${width} px`, async () => {
      const context = await browser.newContext({ bypassCSP: true, viewport: { width, height: 800 } });
      try {
        const page = await context.newPage();
        const anonymous = await checkPages(page, [['/', 200], ['/login', 200], ['/register', 200], ['/password/forgot', 200], ['/agent/login', 200],
          ['/agent/password/forgot', 200], ['/no-such-page', 404]], width, 'public');
        await signIn(page, '/login', 'bartholomew.longname-withahyphen@subdomain.example.com');
        assert.equal(new URL(page.url()).pathname, '/');
        const signedIn = await checkPages(page, [['/', 200], ['/account', 200], ['/no-such-page', 404]], width, 'user');
        assert.deepEqual([...anonymous.problems, ...signedIn.problems], []);
      } finally {
        await context.close();
      }
    });
  }
});
