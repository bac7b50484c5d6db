import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { base32Decode, totpCode } from '../../src/core/credentials/totp.ts';
import { accountCounts } from '../helpers/counts.ts';
import { Mailbox } from '../helpers/mailbox.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';
import { TestClock } from '../helpers/services.ts';
import { csrfOf } from '../helpers/pages.ts';

const PASSWORD = 'correct horse battery';
const cli = { type: 'cli' } as const;
const secretOf = (text: string) => base32Decode(/data-totp-secret>([A-Z2-7 ]+)</.exec(text)![1]!);
const recoveryCodesOf = (text: string) => [...text.matchAll(/data-recovery-code>([a-z2-7-]+)</g)].map((m) => m[1]!);

describe('two-factor authentication (over HTTP, real SMTP)', () => {
  let server: TestServer;
  let mailbox: Mailbox;
  let apiKey: string;
  const clock = new TestClock(Date.parse('2026-03-02T10:00:00Z'));
  let secret: Buffer;
  let recoveryCodes: string[];

  before(async () => {
    mailbox = await Mailbox.start();
    server = await startTestServer({ clock, env: { SMTP_URL: mailbox.url } });
    const s = server.services;
    await s.people.create({ audience: 'users', name: 'Tess', email: 'tess@example.com', password: PASSWORD });
    await s.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    ({ key: apiKey } = await s.apiKeys.create('tests', null));
  });
  after(async () => {
    await server.close();
    await mailbox.close();
  });

  /** Password step; returns the browser, now holding a session that waits for its second factor. */
  async function passwordStep(email: string, audience: 'users' | 'agents' = 'users', returnTo?: string) {
    const browser = server.client();
    const response = await browser.signIn(email, PASSWORD, audience, returnTo ? { return_to: returnTo } : {});
    return { browser, response };
  }
  async function secondStep(browser: TestClient, fields: Record<string, string>, path = '/login/2fa') {
    const page = await browser.get(path);
    return browser.postForm(path, { _csrf: csrfOf(page.text), ...fields });
  }
  const nextStep = () => clock.advance(30_000);

  it('enrols an authenticator app from the account page: QR code, text key, 10 recovery codes shown once', async () => {
    const browser = server.client();
    await browser.signIn('tess@example.com', PASSWORD);
    const account = await browser.get('/account');
    assert.match(account.text, /data-state="two-factor-off"/);
    const setup = await browser.postForm('/account/2fa/setup', { _csrf: csrfOf(account.text) });
    assert.equal(setup.status, 200);
    assert.match(setup.text, /<img class="qr" src="data:image\/svg\+xml;base64,/);
    const svg = Buffer.from(/src="data:image\/svg\+xml;base64,([^"]+)"/.exec(setup.text)![1]!, 'base64').toString();
    assert.match(svg, /^<svg/);
    assert.doesNotMatch(setup.text, /<script/);
    secret = secretOf(setup.text);
    assert.equal(secret.length, 20);

    const wrong = await browser.postForm('/account/2fa/confirm', { _csrf: csrfOf(setup.text), method: 'totp', code: '000000' === totpCode(secret, clock.now()) ? '111111' : '000000' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /data-code="two_factor\.code_invalid"/);
    assert.deepEqual(secretOf(wrong.text), secret, 'the same pending secret is shown again');

    const confirmed = await browser.postForm('/account/2fa/confirm', { _csrf: csrfOf(setup.text), method: 'totp', code: totpCode(secret, clock.now()) });
    assert.equal(confirmed.status, 200);
    recoveryCodes = recoveryCodesOf(confirmed.text);
    assert.equal(recoveryCodes.length, 10);
    assert.equal(new Set(recoveryCodes).size, 10);
    const stored = await server.services.db.query<{ code_hash: Buffer }>('SELECT code_hash FROM recovery_codes');
    assert.equal(stored.length, 10);
    assert.ok(stored.every((r) => !recoveryCodes.some((c) => Buffer.from(r.code_hash).toString().includes(c))), 'stored hashed');
    const after = await browser.get('/account');
    assert.match(after.text, /data-state="two-factor-on"/);
    assert.match(after.text, /10 recovery codes left/);
  });

  it('a password alone now gives a session that can do nothing but finish the second factor', async () => {
    nextStep();
    const before = await accountCounts(server.services.db);
    const { browser, response } = await passwordStep('tess@example.com', 'users', '/articles/x');
    assert.equal(response.status, 303);
    assert.equal(response.location, `/login/2fa?return_to=${encodeURIComponent('/articles/x')}`);
    assert.equal((await browser.get('/api/v1/session')).status, 401, 'forward auth says no');
    assert.equal((await browser.get('/account')).status, 302, 'the account page says sign in');
    assert.doesNotMatch((await browser.get('/')).text, /Signed in as/);
    const wrong = await secondStep(browser, { method: 'totp', code: totpCode(secret, new Date(clock.now().getTime() - 5 * 60_000)) });
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /data-code="two_factor\.code_invalid"/);
    assert.equal((await browser.get('/api/v1/session')).status, 401);

    const code = totpCode(secret, clock.now());
    const page = await browser.get('/login/2fa?return_to=%2Farticles%2Fx');
    const done = await browser.postForm('/login/2fa', { _csrf: csrfOf(page.text), method: 'totp', code, return_to: '/articles/x' });
    assert.equal(done.status, 303);
    assert.equal(done.location, '/articles/x');
    assert.equal((await browser.get('/api/v1/session')).status, 200);
    assert.equal((await accountCounts(server.services.db)).sessions, before.sessions + 1, 'one session, lifted in place');

    // The same code again, in a new sign-in: refused, RFC 6238 section 5.2.
    const again = await passwordStep('tess@example.com');
    const reused = await secondStep(again.browser, { method: 'totp', code });
    assert.equal(reused.status, 401);
    assert.match(reused.text, /data-code="two_factor\.code_used"/);
    assert.equal((await again.browser.get('/api/v1/session')).status, 401);
  });

  it('two requests with one code at the same moment: exactly one succeeds', async () => {
    nextStep();
    const { browser } = await passwordStep('tess@example.com');
    const page = await browser.get('/login/2fa');
    const fields = { _csrf: csrfOf(page.text), method: 'totp', code: totpCode(secret, clock.now()) };
    const results = await Promise.all([browser.postForm('/login/2fa', fields), browser.postForm('/login/2fa', fields)]);
    const statuses = results.map((r) => r.status).sort();
    assert.equal(statuses.filter((s) => s === 303).length, 1, `statuses ${statuses}`);
    const loser = results.find((r) => r.status !== 303)!;
    assert.ok([401].includes(loser.status));
    assert.match(loser.text, /two_factor\.code_used|auth\.required/);
    const used = await server.services.db.query('SELECT step FROM totp_used_steps');
    assert.equal(new Set(used.map((r) => String(r.step))).size, used.length);
  });

  it('email codes: sent by email, accepted once, expire after 10 minutes', async () => {
    const { browser } = await passwordStep('tess@example.com');
    const page = await browser.get('/login/2fa');
    const sent = await browser.postForm('/login/2fa/email', { _csrf: csrfOf(page.text) });
    assert.equal(sent.status, 200);
    assert.match(sent.text, /We sent a code to tess@example\.com/);
    const mail = await mailbox.next('tess@example.com', /sign-in code/);
    const code = /code is (\d{6})/.exec(mail.text)![1]!;
    assert.match(mail.subject, new RegExp(code));
    const done = await secondStep(browser, { method: 'email', code });
    assert.equal(done.status, 303);
    assert.equal((await browser.get('/api/v1/session')).status, 200);

    const again = await passwordStep('tess@example.com');
    const reused = await secondStep(again.browser, { method: 'email', code });
    assert.equal(reused.status, 401);
    assert.match(reused.text, /data-code="two_factor\.code_used"/);

    const page2 = await again.browser.get('/login/2fa');
    await again.browser.postForm('/login/2fa/email', { _csrf: csrfOf(page2.text) });
    const late = /code is (\d{6})/.exec((await mailbox.next('tess@example.com', /sign-in code/)).text)![1]!;
    clock.advance(10 * 60_000 + 1000);
    const third = await passwordStep('tess@example.com');
    const expired = await secondStep(third.browser, { method: 'email', code: late });
    assert.equal(expired.status, 401);
    assert.match(expired.text, /data-code="two_factor\.code_invalid"/);
    assert.equal((await again.browser.get('/login/2fa')).status, 302, 'the waiting session itself expired after 10 minutes');
  });

  it('recovery codes: each works once', async () => {
    const first = await passwordStep('tess@example.com');
    assert.equal((await secondStep(first.browser, { method: 'recovery', code: recoveryCodes[0]!.toUpperCase() })).status, 303);
    const second = await passwordStep('tess@example.com');
    const reused = await secondStep(second.browser, { method: 'recovery', code: recoveryCodes[0]! });
    assert.equal(reused.status, 401);
    assert.match(reused.text, /data-code="two_factor\.code_used"/);
    assert.equal((await secondStep(second.browser, { method: 'recovery', code: recoveryCodes[1]! })).status, 303);
    const account = await second.browser.get('/account');
    assert.match(account.text, /8 recovery codes left/);
    const audit = await server.services.audit.list({ action: 'signin.second_factor', limit: 3 });
    assert.deepEqual(audit.map((a) => [a.outcome, a.details.method, a.reason]), [
      ['success', 'recovery', null], ['failure', 'recovery', 'two_factor.code_used'], ['success', 'recovery', null],
    ]);
  });

  it('required for all Users with a grace period: optional until the date, then set up at sign-in', async () => {
    const s = server.services;
    await s.people.create({ audience: 'users', name: 'Gus', email: 'gus@example.com', password: PASSWORD });
    const graceUntil = new Date(clock.now().getTime() + 60 * 60_000).toISOString();
    await s.registration.updateSettings({ twoFactor: { users: { required: true, graceUntil } } }, cli);
    try {
      const during = await passwordStep('gus@example.com');
      assert.equal(during.response.location, '/', 'within the grace period the password is enough');

      clock.advance(2 * 60 * 60_000);
      const { browser, response } = await passwordStep('gus@example.com');
      assert.equal(response.location, '/login/2fa/setup');
      assert.equal((await browser.get('/api/v1/session')).status, 401);
      assert.equal((await during.browser.get('/api/v1/session')).status, 200, 'sessions from before are not cut off');
      const setup = await browser.get('/login/2fa/setup');
      assert.equal(setup.status, 200);
      assert.match(setup.text, /Your organisation requires a second step/);
      const gusSecret = secretOf(setup.text);
      const done = await browser.postForm('/login/2fa/setup', { _csrf: csrfOf(setup.text), method: 'totp', code: totpCode(gusSecret, clock.now()) });
      assert.equal(done.status, 200);
      assert.equal(recoveryCodesOf(done.text).length, 10);
      assert.equal((await browser.get('/api/v1/session')).status, 200);

      nextStep();
      const next = await passwordStep('gus@example.com');
      assert.equal(next.response.location, '/login/2fa', 'from now on the second factor is asked for');
    } finally {
      await s.registration.updateSettings({ twoFactor: { users: { required: false, graceUntil: null } } }, cli);
    }
  });

  it('admins require 2FA of one agent, and remove an agent\'s 2FA (email codes as the method here)', async () => {
    const s = server.services;
    const bob = await s.people.create({ audience: 'agents', name: 'Bob', email: 'bob@example.com', password: PASSWORD });
    const api = (method: string, path: string, body?: unknown) => server.client().sendJson(method, path, body, { authorization: `Bearer ${apiKey}` });
    const required = await api('PUT', `/api/v1/accounts/${bob.id}/two-factor-requirement`, { required: true });
    assert.equal(required.status, 200);
    assert.equal(required.json.person.twoFactor.required, true);

    const { browser, response } = await passwordStep('bob@example.com', 'agents');
    assert.equal(response.location, '/agent/login/2fa/setup');
    const setup = await browser.get('/agent/login/2fa/setup');
    await browser.postForm('/agent/login/2fa/setup/email', { _csrf: csrfOf(setup.text) });
    const code = /code is (\d{6})/.exec((await mailbox.next('bob@example.com', /sign-in code/)).text)![1]!;
    const done = await browser.postForm('/agent/login/2fa/setup', { _csrf: csrfOf(setup.text), method: 'email', code });
    assert.equal(done.status, 200);
    assert.equal(recoveryCodesOf(done.text).length, 10);
    assert.equal((await browser.get('/agent')).status, 200);
    assert.deepEqual((await s.people.get(bob.id))!.twoFactor.methods, ['email']);

    const removed = await api('DELETE', `/api/v1/accounts/${bob.id}/two-factor`);
    assert.equal(removed.status, 200);
    assert.deepEqual(removed.json.person.twoFactor.methods, []);
    await api('PUT', `/api/v1/accounts/${bob.id}/two-factor-requirement`, { required: false });
    const plain = await passwordStep('bob@example.com', 'agents');
    assert.equal(plain.response.location, '/agent');
    const audit = await s.audit.list({ action: 'two_factor.removed', limit: 1 });
    assert.equal(audit[0]!.target?.id, bob.id);
    assert.equal(audit[0]!.actor.type, 'api_key');
  });
});
