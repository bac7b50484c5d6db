import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { base32Decode, totpCode } from '../../src/core/credentials/totp.ts';
import { launchChromium, submitPasswordForm } from '../helpers/browser.ts';
import { screenshot } from '../helpers/screenshots.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';
const cli = { type: 'cli' } as const;

type Violation = { id: string; impact: string | null; help: string; nodes: { target: string[]; failureSummary?: string }[] };

// axe-core, injected into each main page by Chromium. The pages forbid injected scripts
// (Content-Security-Policy), so these browser contexts bypass CSP for the check alone.
describe('accessibility of the main pages (axe-core in Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let axeSource: string;
  let contexts: BrowserContext[] = [];
  let article: string;
  let appId: string;
  let totpSecret: Buffer;

  before(async () => {
    axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    server = await startTestServer({ publicUrlIsListening: true });
    browser = await launchChromium();
    const { services } = server;
    const everyone = await services.usergroups.systemGroupId('everyone');
    article = (await services.articles.create({ title: 'Resetting your router', body: 'Unplug it for ten seconds, then plug it back in.', usergroupIds: [everyone] })).id;
    await services.articles.create({ title: 'Changing your billing address', body: 'Open Billing, then Address.', usergroupIds: [everyone] });
    await services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    const tess = await services.people.create({ audience: 'users', name: 'Tess Totp', email: 'tess@example.com', password: PASSWORD });
    const enrolment = await services.twoFactor.beginTotp(tess);
    totpSecret = base32Decode(enrolment.secret.replace(/\s/g, ''));
    await services.twoFactor.confirmTotp(tess, totpCode(totpSecret, new Date()), undefined);
    appId = (await services.apps.create({ audience: 'users', type: 'oidc', slug: 'acme-id', name: 'Acme ID', showButton: true, config: { issuer: 'https://login.example.com', clientId: 'frontdoor', clientSecret: 'client-secret-value' } }, cli)).id;
  });
  after(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.close();
  });

  const newPage = async (width = 1280): Promise<Page> => {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width, height: 800 } });
    contexts.push(context);
    return context.newPage();
  };

  /** Runs axe on the page as it is; returns the serious and critical violations, described. */
  const seriousViolations = async (page: Page): Promise<string[]> => {
    await page.addScriptTag({ content: axeSource });
    const { violations, passes } = await page.evaluate<{ violations: Violation[]; passes: number }>(
      'axe.run(document).then((r) => ({ violations: r.violations, passes: r.passes.length }))',
    );
    assert.ok(passes >= 10, `axe checked ${new URL(page.url()).pathname} (${passes} rules passed)`);
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  };

  const check = async (page: Page, path: string, shot?: string) => {
    if (path) await page.goto(`${server.url}${path}`);
    const found = await seriousViolations(page);
    if (shot) await screenshot(page, shot);
    return found.map((f) => `${new URL(page.url()).pathname}: ${f}`);
  };

  it('Help Center pages for anonymous visitors have no serious or critical violations', async () => {
    const page = await newPage();
    const problems = [
      ...(await check(page, '/', 'help-center-home')),
      ...(await check(page, `/articles/${article}`)),
      ...(await check(page, '/login', 'help-center-login')),
      ...(await (async () => {
        // The form with its error message, as after a wrong password.
        await page.getByLabel('Email').fill('nobody@example.com');
        await page.getByLabel('Password').fill('not the password');
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await page.getByRole('alert').waitFor();
        return check(page, '');
      })()),
      ...(await check(page, '/register', 'registration')),
      ...(await check(page, '/password/forgot')),
    ];
    const mobile = await newPage(360);
    problems.push(...(await check(mobile, '/login', 'help-center-login-360')));
    assert.deepEqual(problems, []);
  });

  it('the 2FA challenge and the account page have no serious or critical violations', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/login?return_to=%2Faccount`);
    await page.getByLabel('Email').fill('tess@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/login/2fa');
    const problems = await check(page, '');
    await page.getByLabel('Code from your authenticator app').fill(totpCode(totpSecret, new Date(Date.now() + 30_000)));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${server.url}/account`);
    problems.push(...(await check(page, '')));
    assert.deepEqual(problems, []);
  });

  it('the agent login and the admin console have no serious or critical violations', async () => {
    const page = await newPage();
    const problems = await check(page, '/agent/login?return_to=%2Fadmin');
    await submitPasswordForm(page, 'ada@example.com', PASSWORD);
    await page.waitForURL((url) => url.pathname.startsWith('/admin'));
    for (const [path, shot] of [
      ['/admin', undefined], ['/admin/apps', undefined], [`/admin/apps/${appId}`, 'admin-app-detail-oidc'], ['/admin/apps/new', undefined],
      ['/admin/settings/registration', 'admin-registration'], ['/admin/people/users', 'admin-people'], ['/admin/audit', 'admin-audit'],
      ['/admin/usergroups', undefined], ['/admin/sso-traces', undefined], ['/admin/api-keys', undefined], ['/admin/scim', undefined],
      ['/admin/settings/sessions', 'admin-sessions'],
    ] as const) {
      problems.push(...(await check(page, path, shot)));
    }
    assert.deepEqual(problems, []);
  });
});
