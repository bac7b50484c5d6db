import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashPassword } from '../../src/core/credentials/password-hash.ts';
import { accountCounts } from '../helpers/counts.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { TestClock } from '../helpers/services.ts';

const PASSWORD = 'correct horse battery';
const oidc = { issuer: 'https://idp.example.com', clientId: 'frontdoor', clientSecret: 'frontdoor-secret' };

describe('password sign-in and sessions', () => {
  let server: TestServer;
  const clock = new TestClock();

  before(async () => {
    server = await startTestServer({ clock, env: { SESSION_IDLE_MINUTES: '30', SESSION_ABSOLUTE_HOURS: '2' } });
    const s = server.services;
    await s.people.create({ audience: 'users', name: 'Ann', email: 'Ann@Example.com', password: PASSWORD });
    await s.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    await s.people.create({ audience: 'agents', name: 'Bob', email: 'bob@example.com', password: PASSWORD });
  });
  after(async () => {
    await server.close();
  });

  it('signs a User in with a fresh HttpOnly, SameSite=Lax cookie and returns them to the page they wanted', async () => {
    const browser = server.client();
    const csrf = await browser.csrfFrom('/login?return_to=/articles/x');
    const response = await browser.postForm('/login', { _csrf: csrf, email: 'ann@EXAMPLE.com', password: PASSWORD, return_to: '/articles/x' });
    assert.equal(response.status, 303);
    assert.equal(response.location, '/articles/x');
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('fd_session_users='))!;
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(cookie, /Path=\//);
    assert.doesNotMatch(cookie, /Secure/, 'plain http PUBLIC_URL: no Secure flag');
    const who = await browser.get('/api/v1/session');
    assert.equal(who.status, 200);
    assert.equal(who.json.audience, 'users');
    assert.equal(who.json.person.email, 'Ann@Example.com');
    assert.deepEqual(who.json.usergroups, ['Everyone', 'Registered']);
  });

  it('ignores a return_to that leaves the site', async () => {
    const browser = server.client();
    const response = await browser.signIn('ann@example.com', PASSWORD, 'users', { return_to: 'https://evil.example.net/phish' });
    assert.equal(response.status, 303);
    assert.equal(response.location, '/');
  });

  it('refuses a wrong password and an unknown email alike, creating no session, and audits both', async () => {
    const beforeCounts = await accountCounts(server.services.db);
    const wrong = await server.client().signIn('ann@example.com', 'not the password');
    const unknown = await server.client().signIn('nobody@example.com', 'not the password');
    for (const response of [wrong, unknown]) {
      assert.equal(response.status, 401);
      assert.match(response.text, /data-code="auth\.invalid_credentials"/);
      assert.match(response.text, /The email or password is not right/);
      assert.equal(response.headers.getSetCookie().some((c) => c.startsWith('fd_session_')), false);
    }
    assert.deepEqual(await accountCounts(server.services.db), beforeCounts);
    const failures = await server.services.audit.list({ action: 'signin.password', outcome: 'failure', limit: 2 });
    assert.deepEqual(failures.map((f) => f.reason), ['auth.invalid_credentials', 'auth.invalid_credentials']);
  });

  it('refuses a form without the CSRF token', async () => {
    const browser = server.client();
    await browser.get('/login');
    const beforeCounts = await accountCounts(server.services.db);
    const response = await browser.postForm('/login', { email: 'ann@example.com', password: PASSWORD });
    assert.equal(response.status, 403);
    assert.match(response.text, /request\.csrf_invalid/);
    const forged = await browser.postForm('/login', { _csrf: 'A'.repeat(43), email: 'ann@example.com', password: PASSWORD });
    assert.equal(forged.status, 403);
    assert.deepEqual(await accountCounts(server.services.db), beforeCounts);
  });

  it('answers an empty form with a clear error', async () => {
    const browser = server.client();
    const csrf = await browser.csrfFrom('/login');
    const response = await browser.postForm('/login', { _csrf: csrf, email: '', password: '' });
    assert.equal(response.status, 400);
    assert.match(response.text, /data-code="request\.invalid"/);
  });

  it('issues a new token at every sign-in and revokes the one it replaces (no fixation)', async () => {
    const browser = server.client();
    await browser.signIn('ann@example.com', PASSWORD);
    const first = browser.cookies.get('fd_session_users')!;
    await browser.signIn('ann@example.com', PASSWORD);
    const second = browser.cookies.get('fd_session_users')!;
    assert.notEqual(first, second);
    const replay = server.client();
    replay.cookies.set('fd_session_users', first);
    assert.equal((await replay.get('/api/v1/session')).status, 401);
  });

  it('revokes the session on the server at logout, so a copied cookie stops working', async () => {
    const browser = server.client();
    await browser.signIn('ann@example.com', PASSWORD);
    const token = browser.cookies.get('fd_session_users')!;
    const csrf = await browser.csrfFrom('/logout');
    const response = await browser.postForm('/logout', { _csrf: csrf });
    assert.equal(response.status, 303);
    assert.equal(browser.cookies.has('fd_session_users'), false);
    const copy = server.client();
    copy.cookies.set('fd_session_users', token);
    assert.equal((await copy.get('/api/v1/session')).status, 401);
  });

  it('keeps the audiences apart: a User session opens no agent door', async () => {
    const user = server.client();
    await user.signIn('ann@example.com', PASSWORD);
    const token = user.cookies.get('fd_session_users')!;
    assert.equal((await user.get('/agent')).status, 302);
    assert.equal((await user.get('/api/v1/session?audience=agents')).status, 401);
    const admin = await user.get('/api/v1/apps');
    assert.equal(admin.status, 403);
    assert.equal(admin.json.error.code, 'auth.wrong_audience');
    // The same token under the agent cookie's name is still a Users session: refused.
    const smuggler = server.client();
    smuggler.cookies.set('fd_session_agents', token);
    assert.equal((await smuggler.get('/api/v1/session?audience=agents')).status, 401);
    assert.equal((await smuggler.get('/agent')).status, 302);
    // And an agent's credentials do not sign in on the Help Center form.
    assert.equal((await server.client().signIn('ada@example.com', PASSWORD, 'users')).status, 401);
  });

  it('signs agents in at the agent door, and the agent session is not a Help Center session', async () => {
    const agent = server.client();
    const response = await agent.signIn('ada@example.com', PASSWORD, 'agents');
    assert.equal(response.status, 303);
    assert.equal(response.location, '/agent');
    assert.equal((await agent.get('/agent')).status, 200);
    assert.equal((await agent.get('/api/v1/session?audience=agents')).json.person.isAdmin, true);
    assert.equal((await agent.get('/api/v1/session')).status, 401, 'no Users session');
  });

  it('stops a disabled person at once and refuses their sign-in after the password check', async () => {
    const s = server.services;
    const person = await s.people.create({ audience: 'users', name: 'Dee', email: 'dee@example.com', password: PASSWORD });
    const browser = server.client();
    await browser.signIn('dee@example.com', PASSWORD);
    assert.equal((await browser.get('/api/v1/session')).status, 200);
    await s.people.update(person.id, 'users', { disabled: true });
    assert.equal((await browser.get('/api/v1/session')).status, 401);
    const again = await server.client().signIn('dee@example.com', PASSWORD);
    assert.equal(again.status, 403);
    assert.match(again.text, /auth\.account_disabled/);
    assert.equal((await server.client().signIn('dee@example.com', 'wrong password')).status, 401, 'a guesser learns nothing');
  });

  it('expires sessions after the idle timeout and after the absolute timeout', async () => {
    const browser = server.client();
    await browser.signIn('ann@example.com', PASSWORD);
    clock.advance(20 * 60_000);
    assert.equal((await browser.get('/api/v1/session')).status, 200, 'activity slides the idle window');
    clock.advance(20 * 60_000);
    assert.equal((await browser.get('/api/v1/session')).status, 200);
    clock.advance(31 * 60_000);
    assert.equal((await browser.get('/api/v1/session')).status, 401, 'idle for more than 30 minutes');

    const busy = server.client();
    await busy.signIn('ann@example.com', PASSWORD);
    for (let i = 0; i < 4; i++) {
      clock.advance(25 * 60_000);
      assert.equal((await busy.get('/api/v1/session')).status, 200);
    }
    clock.advance(25 * 60_000);
    assert.equal((await busy.get('/api/v1/session')).status, 401, 'past the 2-hour absolute limit, however busy');
  });

  it('rehashes a password stored with old parameters at the next sign-in', async () => {
    const s = server.services;
    const person = await s.people.create({ audience: 'users', name: 'Old', email: 'old@example.com' });
    await s.people.storePasswordHash(person.id, await hashPassword(PASSWORD, { memoryCost: 4096, timeCost: 1, parallelism: 1 }));
    assert.equal((await server.client().signIn('old@example.com', PASSWORD)).status, 303);
    const found = await s.people.findForSignIn('users', 'old@example.com');
    assert.match(found!.passwordHash!, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('hides the password form and refuses password sign-in when the Users password app is off', async () => {
    const s = server.services;
    const passwordApp = await s.apps.passwordApp('users');
    const google = await s.apps.create({ audience: 'users', type: 'google', showButton: true, config: { clientId: 'g', clientSecret: 'g-secret' } }, { type: 'cli' });
    await s.apps.update(passwordApp.id, { enabled: false }, { type: 'cli' });
    try {
      const page = await server.client().get('/login');
      assert.equal(page.status, 200);
      assert.doesNotMatch(page.text, /type="password"/);
      assert.match(page.text, new RegExp(`href="/sso/${google.slug}/start"`));
      assert.match(page.text, /Sign in with Google/);
      const browser = server.client();
      const csrf = await browser.csrfFrom('/agent/login'); // the Users form has no password field to take it from
      const refused = await browser.postForm('/login', { _csrf: csrf, email: 'ann@example.com', password: PASSWORD });
      assert.equal(refused.status, 403);
      assert.match(refused.text, /auth\.method_disabled/);
    } finally {
      await s.apps.update(passwordApp.id, { enabled: true }, { type: 'cli' });
      await s.apps.remove(google.id, { type: 'cli' });
    }
  });

  it('keeps a break-glass password door open for admins when Agents SSO is Automatic', async () => {
    const s = server.services;
    const sso = await s.apps.create({ audience: 'agents', type: 'oidc', sso: 'automatic', config: oidc }, { type: 'cli' });
    try {
      assert.equal((await server.client().get('/agent/login')).status, 302);
      const page = await server.client().get('/agent/login?break_glass=1');
      assert.equal(page.status, 200);
      assert.match(page.text, /break-glass/i);

      const admin = server.client();
      const ok = await admin.signIn('ada@example.com', PASSWORD, 'agents', { break_glass: '1' });
      assert.equal(ok.status, 303);
      assert.equal((await admin.get('/agent')).status, 200);

      const notAdmin = await server.client().signIn('bob@example.com', PASSWORD, 'agents', { break_glass: '1' });
      assert.equal(notAdmin.status, 403);
      assert.match(notAdmin.text, /auth\.forbidden/);

      const csrfPage = server.client();
      const csrf = await csrfPage.csrfFrom('/agent/login?break_glass=1');
      const plain = await csrfPage.postForm('/agent/login', { _csrf: csrf, email: 'ada@example.com', password: PASSWORD });
      assert.equal(plain.status, 403, 'without break-glass the password form is closed while SSO is Automatic');
      assert.match(plain.text, /auth\.method_disabled/);

      const used = await s.audit.list({ action: 'signin.password', outcome: 'success', limit: 1 });
      assert.equal(used[0]!.details.breakGlass, true);
    } finally {
      await s.apps.update(sso.id, { sso: 'disabled' }, { type: 'cli' });
      await s.apps.remove(sso.id, { type: 'cli' });
    }
  });
});

describe('cookies over https', () => {
  it('are Secure and __Host- prefixed when PUBLIC_URL is https', async () => {
    const server = await startTestServer({ env: { PUBLIC_URL: 'https://help.example.com' } });
    try {
      await server.services.people.create({ audience: 'users', name: 'Ann', email: 'ann@example.com', password: PASSWORD });
      const browser = server.client();
      const page = await browser.get('/login');
      assert.ok(page.headers.getSetCookie().some((c) => c.startsWith('__Host-fd_csrf=') && /Secure/.test(c)));
      assert.equal(page.headers.get('strict-transport-security'), 'max-age=31536000', 'HSTS over https');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const response = await browser.postForm('/login', { _csrf: csrf, email: 'ann@example.com', password: PASSWORD });
      assert.equal(response.status, 303);
      const session = response.headers.getSetCookie().find((c) => c.startsWith('__Host-fd_session_users='));
      assert.ok(session, 'session cookie has the __Host- prefix');
      assert.match(session!, /Secure/);
      assert.match(session!, /HttpOnly/);
    } finally {
      await server.close();
    }
  });
});
