import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthApp } from '../../src/core/apps.ts';
import { generateJwtSharedSecret } from '../../src/protocols/jwt/keys.ts';
import { assertRefused } from '../helpers/attacks.ts';
import { linkIn, Mailbox } from '../helpers/mailbox.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

// Invariant 7's other half: the reset doors (forgot, and every reset link) are password doors.
// While an audience's password app is disabled (and no app is Automatic), nobody of that
// audience signs in with a password, so a reset must not set one either; the same refusal as
// under Automatic. The admins' break-glass door stays exactly as docs/BREAK-GLASS.md says.

const cli = { type: 'cli' } as const;
const PASSWORD = 'correct horse battery';

describe('a disabled password app shuts forgot and reset of its audience', () => {
  let server: TestServer;
  let mailbox: Mailbox;
  let usersPassword: AuthApp;
  let agentsPassword: AuthApp;
  const linksFromBefore: Record<string, string> = {};

  const withToken = async (): Promise<{ browser: TestClient; csrf: string }> => {
    const browser = server.client();
    return { browser, csrf: (await browser.apiCsrfHeader())['x-csrf-token']! };
  };
  const tokenOf = (link: string) => new URLSearchParams(link.split('?')[1]).get('token')!;

  before(async () => {
    mailbox = await Mailbox.start();
    server = await startTestServer({ env: { SMTP_URL: mailbox.url } });
    await server.services.people.create({ audience: 'users', name: 'Ann', email: 'ann@example.com', password: PASSWORD });
    await server.services.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', password: PASSWORD, isAdmin: true, emailVerified: true });
    await server.services.people.create({ audience: 'agents', name: 'Abe', email: 'abe@example.com', password: PASSWORD });
    // Reset links mailed while passwords were still in use.
    for (const [base, email] of [['', 'ann@example.com'], ['/agent', 'abe@example.com']] as const) {
      const browser = server.client();
      await browser.postForm(`${base}/password/forgot`, { _csrf: await browser.csrfFrom(`${base}/password/forgot`), email });
      linksFromBefore[email] = linkIn(await mailbox.next(email, /Reset your password/), `${base}/password/reset`);
    }
    // Another way in for each audience (the Agents audience must keep one), none Automatic.
    for (const audience of ['users', 'agents'] as const) {
      await server.services.apps.create(
        { audience, type: 'jwt', slug: `jwt-${audience}`, showButton: true, config: { remoteLoginUrl: 'https://www.example.com/sso', algorithms: ['HS256'], sharedSecret: generateJwtSharedSecret() } }, cli,
      );
    }
    usersPassword = await server.services.apps.passwordApp('users');
    agentsPassword = await server.services.apps.passwordApp('agents');
    await server.services.apps.update(usersPassword.id, { enabled: false }, cli);
    await server.services.apps.update(agentsPassword.id, { enabled: false }, cli);
    assert.equal(await server.services.apps.automaticApp('users'), undefined);
    assert.equal(await server.services.apps.automaticApp('agents'), undefined);
  });
  after(async () => {
    await server.close();
    await mailbox.close();
  });

  for (const door of [
    { audience: 'Users', base: '', loginPath: '/login', email: 'ann@example.com' },
    { audience: 'Agents', base: '/agent', loginPath: '/agent/login', email: 'abe@example.com' },
  ]) {
    it(`${door.audience}: forgot sends to the sign-in page, a posted request sends no mail, a reset link mailed before is refused`, async () => {
      const page = await server.client().get(`${door.base}/password/forgot`);
      assert.equal(page.status, 302);
      assert.equal(page.location, door.loginPath);
      const login = await server.client().get(door.loginPath);
      assert.equal(login.status, 200);
      assert.doesNotMatch(login.text, /password\/forgot/, 'the sign-in page offers no reset');

      const { browser, csrf } = await withToken();
      assertRefused(await browser.postForm(`${door.base}/password/forgot`, { _csrf: csrf, email: door.email }), 'auth.method_disabled');
      await server.services.mail.idle();
      assert.equal(mailbox.to(door.email).length, 1, 'only the mail from before');

      const link = linksFromBefore[door.email]!;
      assertRefused(await server.client().get(link), 'auth.method_disabled');
      assertRefused(await browser.postForm(`${door.base}/password/reset`, { _csrf: csrf, token: tokenOf(link), password: 'a brand new passphrase' }), 'auth.method_disabled');
      const audit = await server.services.audit.list({ action: 'password.reset' });
      assert.ok(audit.every((a) => a.outcome === 'failure'), 'no password was set');
    });
  }

  it('the passwords are unchanged: with the password app enabled again they work, and the old link with them', async () => {
    await server.services.apps.update(usersPassword.id, { enabled: true }, cli);
    try {
      assert.equal((await server.client().signIn('ann@example.com', PASSWORD)).status, 303);
      assert.equal((await server.client().get(linksFromBefore['ann@example.com']!)).status, 200, 'the link was never used');
    } finally {
      await server.services.apps.update(usersPassword.id, { enabled: false }, cli);
    }
  });

  it('the admins\' break-glass door is unchanged: the password form with ?local=1 (admins only) and the emailed link', async () => {
    const admin = server.client();
    const signedIn = await admin.signIn('ada@example.com', PASSWORD, 'agents', { break_glass: '1' });
    assert.equal(signedIn.status, 303, signedIn.text.slice(0, 300));
    assert.equal((await admin.get('/agent')).status, 200);
    assertRefused(await server.client().signIn('abe@example.com', PASSWORD, 'agents', { break_glass: '1' }), 'auth.forbidden');
    const form = await server.client().get('/agent/login?local=1');
    assert.equal(form.status, 200);
    assert.match(form.text, /name="password"/);
    assert.doesNotMatch(form.text, /password\/forgot/);

    const browser = server.client();
    await browser.postForm('/agent/login/bypass', { _csrf: await browser.csrfFrom('/agent/login/bypass'), email: 'ada@example.com' });
    const link = linkIn(await mailbox.next('ada@example.com', /Admin sign-in link/), '/agent/login/bypass/');
    const confirm = await browser.get(link);
    assert.equal(confirm.status, 200);
    const used = await browser.postForm(link, { _csrf: /name="_csrf" value="([^"]+)"/.exec(confirm.text)![1]! });
    assert.equal(used.status, 303, used.text.slice(0, 300));
    assert.equal((await browser.get('/agent')).status, 200);
  });
});
