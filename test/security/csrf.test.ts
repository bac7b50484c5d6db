import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { assertRefused, createsNothing } from '../helpers/attacks.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';
const ZERO_ID = '00000000-0000-0000-0000-000000000000';

// Every state-changing browser form, posted by a cross-site page: the victim's cookies ride
// along, the CSRF token cannot. Each must answer request.csrf_invalid and change nothing.
// POSTs without CSRF by design: /sso/:app/jwt (single-use jti), /sso/:app/saml/{acs,slo}
// (signed messages bound to a request), /sso/:app/backchannel-logout (server to server).
const FORM_ROUTES = (base: '' | '/agent') => [
  `${base}/login`, `${base}/logout`, `${base}/login/2fa`, `${base}/login/2fa/email`, `${base}/login/2fa/setup`, `${base}/login/2fa/setup/email`,
  `${base}/password/forgot`, `${base}/password/reset`, `${base}/account/sessions/${ZERO_ID}/end`, `${base}/account/sessions/end-others`,
  `${base}/account/password`, `${base}/account/2fa/setup`, `${base}/account/2fa/email`, `${base}/account/2fa/confirm`,
  `${base}/account/2fa/recovery-codes`, `${base}/account/2fa/remove`, `${base}/account/identities/link`,
  `${base}/account/devices/${ZERO_ID}/forget`, `${base}/account/devices/forget-all`, `${base}/account/language`,
];
const USER_ONLY = ['/register', '/register/validate', '/register/validate/resend', '/language'];
const AGENT_ONLY = ['/agent/login/bypass', '/agent/login/bypass/some-token', `/agent/approvals/${ZERO_ID}/approve`, `/agent/approvals/${ZERO_ID}/reject`];
// Admin console forms check the token in the console's own hook (routes/admin/index.ts); the Emails section's are listed here too.
const ADMIN_ONLY = ['/admin/emails/passwordReset/de', '/admin/emails/passwordReset/de/preview', '/admin/emails/passwordReset/de/test', '/admin/emails/passwordReset/de/reset',
  // Validation as you type answers JSON, not a page.
  '/admin/apps/validate',
  // Testing an app.
  `/admin/apps/${ZERO_ID}/test-token`, `/admin/apps/${ZERO_ID}/test-sign-in`, `/admin/apps/${ZERO_ID}/regenerate-secret`];

describe('CSRF on every state-changing form', () => {
  let server: TestServer;
  let user: TestClient;
  let admin: TestClient;

  before(async () => {
    server = await startTestServer();
    await server.services.people.create({ audience: 'users', name: 'Ann', email: 'ann@example.com', password: PASSWORD });
    await server.services.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    user = server.client();
    await user.signIn('ann@example.com', PASSWORD);
    admin = server.client();
    await admin.signIn('ada@example.com', PASSWORD, 'agents');
  });
  after(async () => {
    await server.close();
  });

  it('lists every form route that checks a token (a new one must be added here)', () => {
    const accountRoutes = readdirSync(new URL('../../src/http/routes/account/', import.meta.url)).map((file) => `src/http/routes/account/${file}`);
    const sites = ['src/http/routes/sign-in.ts', 'src/http/routes/language.ts', ...accountRoutes]
      .map((file) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8').match(/ctx\.csrf\.verify\(/g)?.length ?? 0)
      .reduce((a, b) => a + b, 0);
    // sign-in.ts: login and logout (per door) and register; language.ts: the language menu; routes/account/: 18 per door and 5 more.
    assert.equal(sites, 3 + 1 + 23, 'csrf.verify call sites changed: update FORM_ROUTES');
    assert.equal(FORM_ROUTES('').length + FORM_ROUTES('/agent').length + USER_ONLY.length + AGENT_ONLY.length + ADMIN_ONLY.length, 2 * 20 + 4 + 4 + 8);
  });

  for (const [who, routes] of [['a signed-in User', [...FORM_ROUTES(''), ...USER_ONLY]], ['a signed-in admin agent', [...FORM_ROUTES('/agent'), ...AGENT_ONLY, ...ADMIN_ONLY]]] as const) {
    it(`${who}: no token, a forged token, or another browser's token is request.csrf_invalid on each form`, async () => {
      const browser = who.includes('User') ? user : admin;
      const foreign = await server.client().csrfFrom('/login');
      for (const path of routes) {
        for (const token of [undefined, 'forged', foreign]) {
          const fields: Record<string, string> = {
            email: 'ann@example.com', password: PASSWORD, current: PASSWORD, new_password: 'another fine passphrase', method: 'totp', code: '123456', token: 'x', name: 'X',
            ...(token ? { _csrf: token } : {}),
          };
          const response = await createsNothing(server.services.db, () => browser.postForm(path, fields));
          assertRefused(response, 'request.csrf_invalid');
        }
      }
      assert.equal((await browser.get(`/api/v1/session?audience=${who.includes('User') ? 'users' : 'agents'}`)).status, 200, 'still signed in: nothing was done');
    });
  }
});
