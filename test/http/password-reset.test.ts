import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { accountCounts } from '../helpers/counts.ts';
import { linkIn, Mailbox } from '../helpers/mailbox.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { TestClock } from '../helpers/services.ts';
import { csrfOf, withoutTokens } from '../helpers/pages.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'purple elephant lantern';
const cli = { type: 'cli' } as const;

describe('password reset and change (over HTTP, real SMTP)', () => {
  let server: TestServer;
  let mailbox: Mailbox;
  const clock = new TestClock();

  before(async () => {
    mailbox = await Mailbox.start();
    server = await startTestServer({ clock, env: { SMTP_URL: mailbox.url } });
    const s = server.services;
    await s.people.create({ audience: 'users', name: 'Ann', email: 'ann@example.com', password: PASSWORD });
    await s.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
  });
  after(async () => {
    await server.close();
    await mailbox.close();
  });

  async function requestReset(email: string, path = '/password/forgot') {
    const browser = server.client();
    const csrf = await browser.csrfFrom(path);
    return browser.postForm(path, { _csrf: csrf, email });
  }

  it('gives an existing and an unknown email the same answer; only the account owner gets mail', async () => {
    const unknown = await requestReset('nobody@example.com');
    const known = await requestReset('ANN@example.com');
    assert.equal(unknown.status, 200);
    assert.equal(known.status, 200);
    assert.match(known.text, /data-state="reset-requested"/);
    assert.equal(withoutTokens(known.text), withoutTokens(unknown.text));
    const mail = await mailbox.next('ann@example.com', /Reset your password/);
    assert.match(linkIn(mail, '/password/reset'), /^\/password\/reset\?token=/);
    await server.services.mail.idle();
    assert.equal(mailbox.to('nobody@example.com').length, 0);
    const audit = await server.services.audit.list({ action: 'password.reset_requested', limit: 2 });
    assert.deepEqual(audit.map((a) => a.details.known), [true, false]);
    // The Login page offers the way in.
    assert.match((await server.client().get('/login')).text, /href="\/password\/forgot"/);
  });

  it('sets a new password from the link once; refuses weak ones without using the link; ends every session', async () => {
    const elsewhere = server.client();
    assert.equal((await elsewhere.signIn('ann@example.com', PASSWORD)).status, 303);
    assert.equal((await elsewhere.get('/api/v1/session')).status, 200);

    await requestReset('ann@example.com');
    const link = linkIn(await mailbox.next('ann@example.com', /Reset/), '/password/reset');
    const token = new URL(link, server.url).searchParams.get('token')!;
    const browser = server.client();
    const form = await browser.get(link);
    assert.equal(form.status, 200);
    const csrf = csrfOf(form.text);

    const common = await browser.postForm('/password/reset', { _csrf: csrf, token, password: 'password1' });
    assert.equal(common.status, 400);
    assert.match(common.text, /data-code="password\.too_common"/);
    const short = await browser.postForm('/password/reset', { _csrf: csrf, token, password: 'short' });
    assert.match(short.text, /data-code="password\.too_short"/);

    const done = await browser.postForm('/password/reset', { _csrf: csrf, token, password: NEW_PASSWORD });
    assert.equal(done.status, 200);
    assert.match(done.text, /data-state="password-reset"/);
    assert.equal(done.headers.getSetCookie().some((c) => c.startsWith('fd_session_')), false, 'a reset does not sign in (2FA would be skipped)');
    assert.equal((await elsewhere.get('/api/v1/session')).status, 401, 'the other session ended');

    const reused = await browser.postForm('/password/reset', { _csrf: csrf, token, password: 'another fine passphrase' });
    assert.equal(reused.status, 410);
    assert.match(reused.text, /account\.link_used/);
    assert.equal((await server.client().signIn('ann@example.com', PASSWORD)).status, 401);
    assert.equal((await server.client().signIn('ann@example.com', NEW_PASSWORD)).status, 303);
    const audit = await server.services.audit.list({ action: 'password.reset', limit: 4 });
    assert.deepEqual(audit.map((a) => a.reason), ['account.link_used', null, 'password.too_short', 'password.too_common']);
  });

  it('refuses an expired link and an unknown one, changing nothing', async () => {
    await requestReset('ann@example.com');
    const link = linkIn(await mailbox.next('ann@example.com', /Reset/), '/password/reset');
    clock.advance(61 * 60_000);
    const browser = server.client();
    const page = await browser.get(link);
    assert.equal(page.status, 410);
    assert.match(page.text, /account\.link_expired/);
    const csrf = await browser.csrfFrom('/password/forgot');
    const token = new URL(link, server.url).searchParams.get('token')!;
    const before = await accountCounts(server.services.db);
    const post = await browser.postForm('/password/reset', { _csrf: csrf, token, password: 'yet another passphrase' });
    assert.equal(post.status, 410);
    const bogus = await browser.postForm('/password/reset', { _csrf: csrf, token: 'nope', password: 'yet another passphrase' });
    assert.equal(bogus.status, 400);
    assert.match(bogus.text, /account\.link_invalid/);
    assert.deepEqual(await accountCounts(server.services.db), before);
    assert.equal((await server.client().signIn('ann@example.com', NEW_PASSWORD)).status, 303, 'password unchanged');
  });

  it('a User link does not work for Agents, and agents reset at their own door', async () => {
    await requestReset('ada@example.com', '/agent/password/forgot');
    const link = linkIn(await mailbox.next('ada@example.com', /Reset/), '/agent/password/reset');
    const token = new URL(link, server.url).searchParams.get('token')!;
    const wrongDoor = await server.client().get(`/password/reset?token=${token}`);
    assert.equal(wrongDoor.status, 400);
    assert.match(wrongDoor.text, /account\.link_invalid/);
    assert.equal((await server.client().get(link)).status, 200);
  });

  it('someone who signs in only through an external app is sent to its lost-password page', async () => {
    const s = server.services;
    const app = await s.apps.create({
      audience: 'users', type: 'jwt', slug: 'shop-jwt', config: { remoteLoginUrl: 'https://shop.example.com/login', sharedSecret: 'x'.repeat(40) },
    }, cli);
    const person = await s.people.create({ audience: 'users', name: 'Sso Sam', email: 'sam@example.com', emailVerified: true });
    await s.db.query("INSERT INTO identities (app_id, audience, subject, person_id) VALUES ($1, 'users', 'sam-1', $2)", [app.id, person.id]);
    const answer = await requestReset('sam@example.com');
    assert.match(answer.text, /data-state="reset-requested"/);
    const mail = await mailbox.next('sam@example.com');
    assert.match(mail.text, /no password here/);
    assert.match(mail.text, /https:\/\/shop\.example\.com\/login/);
    assert.doesNotMatch(mail.text, /password\/reset/);

    // Nor can they set a local password from the account page: that would bypass the app.
    const { token } = await s.sessions.create({ personId: person.id, audience: 'users', appId: app.id });
    const browser = server.client();
    browser.cookies.set('fd_session_users', token);
    const page = await browser.get('/account');
    assert.match(page.text, /change your password there/);
    assert.doesNotMatch(page.text, /name="new_password"/);
    const refused = await browser.postForm('/account/password', { _csrf: csrfOf(page.text), current_password: '', new_password: 'a fine local passphrase' });
    assert.equal(refused.status, 403);
    assert.match(refused.text, /data-code="auth\.method_disabled"/);
    assert.equal((await s.people.get(person.id))!.hasPassword, false);
  });

  it('changing the password needs the current one and offers to end the other sessions', async () => {
    const other = server.client();
    await other.signIn('ann@example.com', NEW_PASSWORD);
    const browser = server.client();
    await browser.signIn('ann@example.com', NEW_PASSWORD);
    const page = await browser.get('/account');
    assert.equal(page.status, 200);
    const csrf = csrfOf(page.text);

    const wrong = await browser.postForm('/account/password', { _csrf: csrf, current_password: 'not it at all', new_password: 'brand new passphrase', end_other_sessions: '1' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /data-code="password\.current_invalid"/);
    const common = await browser.postForm('/account/password', { _csrf: csrf, current_password: NEW_PASSWORD, new_password: 'qwerty123', end_other_sessions: '1' });
    assert.equal(common.status, 400);
    assert.match(common.text, /data-code="password\.too_common"/);
    assert.equal((await other.get('/api/v1/session')).status, 200, 'refusals end nothing');

    const changed = await browser.postForm('/account/password', { _csrf: csrf, current_password: NEW_PASSWORD, new_password: 'brand new passphrase', end_other_sessions: '1' });
    assert.equal(changed.status, 200);
    const ann = (await server.services.people.findForSignIn('users', 'ann@example.com'))!.person;
    const live = await server.services.sessions.list({ personId: ann.id });
    assert.equal(live.length, 1, 'only this session is left');
    assert.match(changed.text, /Your password is changed\. \d+ other sessions? (was|were) ended/);
    assert.equal((await other.get('/api/v1/session')).status, 401);
    assert.equal((await browser.get('/api/v1/session')).status, 200, 'this session stays');
    assert.equal((await server.client().signIn('ann@example.com', 'brand new passphrase')).status, 303);
    const audit = await server.services.audit.list({ action: 'password.changed', limit: 3 });
    assert.deepEqual(audit.map((a) => a.reason), [null, 'password.too_common', 'password.current_invalid']);
  });
});
