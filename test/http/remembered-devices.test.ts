import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { base32Decode, totpCode } from '../../src/core/credentials/totp.ts';
import type { Person } from '../../src/core/people.ts';
import { hashToken } from '../../src/core/tokens.ts';
import { refusalCode } from '../helpers/attacks.ts';
import { claimsAt, signingKeyPair, signToken } from '../helpers/jwt.ts';
import { csrfOf } from '../helpers/pages.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';
import { TestClock } from '../helpers/services.ts';

// "Remember this device" for the second factor (issue 18 part 8): off by default; when an admin
// turns it on, a good code may leave a device cookie that lets that one person skip the second
// factor in that browser, never the first, until it expires or is revoked.

const PASSWORD = 'correct horse battery';
const cli = { type: 'cli' } as const;
const DAY = 86_400_000;
const DEVICE_COOKIE = 'fd_device_users';

describe('remember this device (second factor)', () => {
  let server: TestServer;
  let apiKey: string;
  const clock = new TestClock(Date.parse('2026-03-02T10:00:00Z'));
  const secrets = new Map<string, Buffer>();
  const people = new Map<string, Person>();

  const api = (method: string, path: string, body?: unknown) => server.client().sendJson(method, path, body, { authorization: `Bearer ${apiKey}` });
  const nextStep = () => clock.advance(30_000);

  async function personWithTotp(name: string, email: string): Promise<Person> {
    const s = server.services;
    // A proven email: a reset of an unproven account would remove the second factors itself (pre-account hijacking).
    const person = await s.people.create({ audience: 'users', name, email, password: PASSWORD, emailVerified: true });
    const enrolment = await s.twoFactor.beginTotp(person);
    const secret = base32Decode(enrolment.secret.replace(/\s/g, ''));
    await s.twoFactor.confirmTotp(person, totpCode(secret, clock.now()), undefined);
    nextStep();
    secrets.set(email, secret);
    people.set(email, person);
    return person;
  }

  before(async () => {
    server = await startTestServer({ clock });
    ({ key: apiKey } = await server.services.apiKeys.create('tests', null));
    await personWithTotp('Tess', 'tess@example.com');
    await personWithTotp('Bob', 'bob@example.com');
    await personWithTotp('Rita', 'rita@example.com');
  });
  after(async () => server.close());

  /** Password, then the challenge page; a remembered device answers it with a redirect. */
  async function signInToChallenge(browser: TestClient, email: string, password = PASSWORD) {
    const first = await browser.signIn(email, password);
    assert.equal(first.status, 303);
    assert.equal(first.location, '/login/2fa');
    return browser.get('/login/2fa');
  }
  async function finishWithCode(browser: TestClient, email: string, page: string, extra: Record<string, string> = {}) {
    nextStep();
    return browser.postForm('/login/2fa', { _csrf: csrfOf(page), method: 'totp', code: totpCode(secrets.get(email)!, clock.now()), ...extra });
  }
  /** A browser that ticked "Remember this device" after a good code. */
  async function rememberedBrowser(email: string): Promise<TestClient> {
    const browser = server.client();
    const page = await signInToChallenge(browser, email);
    const done = await finishWithCode(browser, email, page.text, { remember_device: '1' });
    assert.equal(done.status, 303);
    assert.ok(browser.cookies.get(DEVICE_COOKIE), 'the device cookie is set');
    return browser;
  }
  const signedIn = async (browser: TestClient) => (await browser.get('/account')).status === 200;

  it('is off by default: no checkbox, and a forged remember_device field remembers nothing', async () => {
    const policy = await api('GET', '/api/v1/settings/sessions');
    assert.equal(policy.json.sessions.users.rememberDeviceDays, null);
    assert.equal(policy.json.sessions.agents.rememberDeviceDays, null);
    const browser = server.client();
    const page = await signInToChallenge(browser, 'tess@example.com');
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /name="remember_device"/);
    const done = await finishWithCode(browser, 'tess@example.com', page.text, { remember_device: '1' });
    assert.equal(done.status, 303);
    assert.equal(browser.cookies.get(DEVICE_COOKIE), undefined);
    assert.equal((await server.services.db.query('SELECT 1 FROM remembered_devices')).length, 0);
  });

  it('refuses days out of bounds (1 to 90), naming the field, and changes nothing', async () => {
    for (const days of [0, 91, 1.5]) {
      const refused = await api('PATCH', '/api/v1/settings/sessions', { users: { rememberDeviceDays: days } });
      assert.equal(refused.status, 400);
      assert.equal(refusalCode(refused), 'request.invalid');
      assert.equal(refused.json.error.details.fields[0].field, 'users.rememberDeviceDays');
    }
    assert.equal((await server.services.sessionPolicy.settings()).users.rememberDeviceDays, null);
  });

  it('when on, offers the checkbox; a ticked one sets an HttpOnly, Lax cookie for N days, stored hashed, audited', async () => {
    const on = await api('PATCH', '/api/v1/settings/sessions', { users: { rememberDeviceDays: 30 } });
    assert.equal(on.status, 200);
    assert.equal(on.json.sessions.users.rememberDeviceDays, 30);
    assert.equal(on.json.sessions.agents.rememberDeviceDays, null, 'only the audience it was set for');
    const [changed] = await server.services.audit.list({ action: 'settings.sessions_changed', limit: 1 });
    assert.deepEqual(changed?.details, { users: { rememberDeviceDays: 30 } });

    const browser = server.client();
    const page = await signInToChallenge(browser, 'tess@example.com');
    assert.match(page.text, /<input type="checkbox" name="remember_device" value="1"> Remember this device for 30 days/);
    const done = await finishWithCode(browser, 'tess@example.com', page.text, { remember_device: '1' });
    assert.equal(done.status, 303);
    const cookie = done.headers.getSetCookie().find((c) => c.startsWith(`${DEVICE_COOKIE}=`))!;
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.match(cookie, /Path=\//);
    assert.match(cookie, new RegExp(`Max-Age=${30 * 86_400}`));
    const token = browser.cookies.get(DEVICE_COOKIE)!;
    const rows = await server.services.db.query<{ token_hash: Buffer; person_id: string }>('SELECT token_hash, person_id FROM remembered_devices');
    assert.equal(rows.length, 1);
    assert.deepEqual(Buffer.from(rows[0]!.token_hash), hashToken(token), 'only the hash is kept');
    assert.equal(rows[0]!.person_id, people.get('tess@example.com')!.id);
    assert.equal((await server.services.audit.list({ action: 'two_factor.device_remembered', limit: 1 }))[0]?.target?.type, 'device');
  });

  it('lets that person skip the second factor in that browser, never the first factor', async () => {
    const browser = await rememberedBrowser('tess@example.com');
    await browser.postForm('/logout', { _csrf: await browser.csrfFrom('/logout') });
    assert.equal(await signedIn(browser), false);

    // The device cookie alone opens nothing: no page, no challenge to skip.
    assert.equal(await signedIn(browser), false);
    const challenge = await browser.get('/login/2fa');
    assert.equal(challenge.status, 302);
    assert.equal(challenge.location, '/login');
    const wrong = await browser.signIn('tess@example.com', 'not the password at all');
    assert.equal(wrong.status, 401);

    const skipped = await signInToChallenge(browser, 'tess@example.com');
    assert.equal(skipped.status, 302, 'the challenge is skipped');
    assert.equal(skipped.location, '/');
    assert.equal(await signedIn(browser), true);
    const [used] = await server.services.audit.list({ action: 'two_factor.device_used', limit: 1 });
    assert.equal(used?.actor.id, people.get('tess@example.com')!.id);
  });

  it("does nothing for another person: Tess's device cookie at Bob's sign-in still asks Bob for his code", async () => {
    const browser = await rememberedBrowser('tess@example.com');
    const tessToken = browser.cookies.get(DEVICE_COOKIE)!;
    const bob = server.client();
    bob.cookies.set(DEVICE_COOKIE, tessToken);
    const page = await signInToChallenge(bob, 'bob@example.com');
    assert.equal(page.status, 200, 'the challenge is shown');
    assert.match(page.text, /Two-factor authentication/);
    assert.equal(await signedIn(bob), false);
    // Nor in the other audience's cookie name at the agents' door (a device of one audience only).
    const agent = await server.services.people.create({ audience: 'agents', name: 'Tess Agent', email: 'tess.agent@example.com', password: PASSWORD });
    await server.services.twoFactor.confirmEmailCodes(agent, await server.services.accountTokens.issueCode(agent.id), undefined);
    const agentBrowser = server.client();
    agentBrowser.cookies.set('fd_device_agents', tessToken);
    assert.equal((await agentBrowser.signIn('tess.agent@example.com', PASSWORD, 'agents')).location, '/agent/login/2fa');
    assert.equal((await agentBrowser.get('/agent/login/2fa')).status, 200);
  });

  it('skips it after an external sign-in too (JWT, its MFA not trusted), only for the person it signed in', async () => {
    const pair = await signingKeyPair('ES256');
    const app = await server.services.apps.create(
      { audience: 'users', type: 'jwt', slug: 'jwt-devices', config: { remoteLoginUrl: 'https://shop.example.com/login', algorithms: ['ES256'], publicKey: JSON.stringify(pair.jwk) } }, cli,
    );
    const viaJwt = async (browser: TestClient, email: string) => {
      const token = await signToken(claimsAt(clock.now(), { email, email_verified: true, external_id: `ext-${email}` }), pair.privateKey, { alg: 'ES256' });
      const signedInByApp = await browser.postForm(`/sso/${app.slug}/jwt`, { jwt: token });
      assert.equal(signedInByApp.status, 303, signedInByApp.text.slice(0, 300));
      assert.equal(signedInByApp.location, '/login/2fa', 'the second factor is asked after the identity service');
      return browser.get('/login/2fa');
    };
    const browser = await rememberedBrowser('tess@example.com');
    const skipped = await viaJwt(browser, 'tess@example.com');
    assert.equal(skipped.status, 302);
    assert.equal(await signedIn(browser), true);
    const asked = await viaJwt(browser, 'bob@example.com');
    assert.equal(asked.status, 200, "Tess's device does nothing for Bob's external sign-in");
    await server.services.apps.remove(app.id, cli);
  });

  it('stops at its expiry, and at once when the days are shortened or remembering is turned off', async () => {
    const browser = await rememberedBrowser('tess@example.com');
    clock.advance(10 * DAY);
    await server.services.sessionPolicy.update({ users: { rememberDeviceDays: 7 } }, cli);
    assert.equal((await signInToChallenge(browser, 'tess@example.com')).status, 200, 'older than the new 7 days');
    await server.services.sessionPolicy.update({ users: { rememberDeviceDays: 30 } }, cli);
    assert.equal((await signInToChallenge(browser, 'tess@example.com')).status, 302, 'within 30 days again');

    await server.services.sessionPolicy.update({ users: { rememberDeviceDays: null } }, cli);
    assert.equal((await signInToChallenge(browser, 'tess@example.com')).status, 200, 'off: no skip');
    await server.services.sessionPolicy.update({ users: { rememberDeviceDays: 30 } }, cli);

    clock.advance(21 * DAY);
    assert.equal((await signInToChallenge(browser, 'tess@example.com')).status, 200, 'expired after 30 days');
  });

  it('is listed on the account page and forgotten there (one, or all); another person cannot forget it', async () => {
    const browser = await rememberedBrowser('tess@example.com');
    const account = await browser.get('/account');
    const ids = [...account.text.matchAll(/data-device-id="([0-9a-f-]{36})"/g)].map((m) => m[1]!);
    assert.ok(ids.length >= 1);
    const mine = (await server.services.rememberedDevices.list(people.get('tess@example.com')!.id)).find((d) => d.id === ids[0])!;
    assert.ok(mine);

    const bob = server.client();
    await signInToChallenge(bob, 'bob@example.com').then((page) => finishWithCode(bob, 'bob@example.com', page.text));
    const stolen = await bob.postForm(`/account/devices/${mine.id}/forget`, { _csrf: await bob.csrfFrom('/account') });
    assert.equal(stolen.status, 404);
    assert.equal(refusalCode(stolen), 'device.not_found');

    const forgotten = await browser.postForm(`/account/devices/${mine.id}/forget`, { _csrf: csrfOf(account.text) });
    assert.equal(forgotten.status, 200);
    assert.doesNotMatch(forgotten.text, new RegExp(`data-device-id="${mine.id}"`));
    assert.equal((await server.services.audit.list({ action: 'two_factor.device_revoked', limit: 1 }))[0]?.target?.id, mine.id);
    await browser.postForm('/logout', { _csrf: await browser.csrfFrom('/logout') });
    assert.equal((await signInToChallenge(browser, 'tess@example.com')).status, 200, 'a forgotten device asks again');

    const again = await rememberedBrowser('tess@example.com');
    const all = await again.postForm('/account/devices/forget-all', { _csrf: await again.csrfFrom('/account') });
    assert.equal(all.status, 200);
    assert.equal((await server.services.rememberedDevices.list(people.get('tess@example.com')!.id)).length, 0);
  });

  it('is revoked by a password reset, by removing the second factors, and when an admin disables the person', async () => {
    const s = server.services;
    const rita = people.get('rita@example.com')!;
    let browser = await rememberedBrowser('rita@example.com');
    const token = await s.accountTokens.issue('password_reset', rita.id);
    const NEW = 'a brand new passphrase';
    await s.passwordReset.resetPassword({ audience: 'users', token, password: NEW, ip: undefined });
    assert.equal((await signInToChallenge(browser, 'rita@example.com', NEW)).status, 200, 'after a reset');
    await s.people.setPassword(rita.id, PASSWORD);

    browser = await rememberedBrowser('rita@example.com');
    assert.equal((await api('GET', `/api/v1/accounts/${rita.id}/devices`)).json.devices.length, 1);
    assert.equal((await api('DELETE', `/api/v1/accounts/${rita.id}/two-factor`)).status, 200);
    assert.equal((await api('GET', `/api/v1/accounts/${rita.id}/devices`)).json.devices.length, 0, 'after the second factors went');
    const [revoked] = await s.audit.list({ action: 'two_factor.device_revoked', limit: 1 });
    assert.equal(revoked?.details.reason, 'second factors removed');
    const enrolment = await s.twoFactor.beginTotp((await s.people.get(rita.id))!);
    secrets.set('rita@example.com', base32Decode(enrolment.secret.replace(/\s/g, '')));
    nextStep();
    await s.twoFactor.confirmTotp((await s.people.get(rita.id))!, totpCode(secrets.get('rita@example.com')!, clock.now()), undefined);

    browser = await rememberedBrowser('rita@example.com');
    await s.people.update(rita.id, 'users', { disabled: true });
    await s.people.update(rita.id, 'users', { disabled: false });
    assert.equal((await signInToChallenge(browser, 'rita@example.com')).status, 200, 'enabling again does not bring the device back');
  });

  it('is forgotten when its person changes the password on the account page, even without ending the other sessions; the notice says so', async () => {
    // Someone who learned the old password and ticked "remember" in their own browser must not
    // skip the second factor there with the next password they learn.
    const s = server.services;
    const bob = people.get('bob@example.com')!;
    const other = await rememberedBrowser('bob@example.com');
    const own = await rememberedBrowser('bob@example.com');
    assert.equal((await s.rememberedDevices.list(bob.id)).length, 2);
    const account = await own.get('/account');
    const NEW = 'another brand new passphrase';
    const changed = await own.postForm('/account/password', { _csrf: csrfOf(account.text), current_password: PASSWORD, new_password: NEW });
    assert.equal(changed.status, 200);
    assert.match(changed.text, /Your password is changed\. The 2 devices remembered for the second factor were forgotten\./);
    assert.equal((await s.rememberedDevices.list(bob.id)).length, 0);
    assert.ok(await signedIn(other), 'the other session was not asked to end, and goes on');
    assert.equal((await signInToChallenge(other, 'bob@example.com', NEW)).status, 200, 'the other browser is asked for the code again');
    const [revoked] = await s.audit.list({ action: 'two_factor.device_revoked', limit: 1 });
    assert.deepEqual([revoked?.details.reason, revoked?.details.revoked], ['password changed', 2]);
    const [audited] = await s.audit.list({ action: 'password.changed', limit: 1 });
    assert.equal(audited?.details.forgottenDevices, 2);
    await s.people.setPassword(bob.id, PASSWORD);
  });

  it('admins forget a person\'s devices through the API (one or all) and the console button, audited', async () => {
    const s = server.services;
    const tess = people.get('tess@example.com')!;
    await rememberedBrowser('tess@example.com');
    const [device] = (await api('GET', `/api/v1/accounts/${tess.id}/devices`)).json.devices;
    assert.equal((await api('DELETE', `/api/v1/accounts/${tess.id}/devices/${device.id}`)).status, 204);
    const again = await api('DELETE', `/api/v1/accounts/${tess.id}/devices/${device.id}`);
    assert.equal(again.status, 404);
    assert.equal(refusalCode(again), 'device.not_found');
    await rememberedBrowser('tess@example.com');
    await rememberedBrowser('tess@example.com');
    assert.equal((await api('DELETE', `/api/v1/accounts/${tess.id}/devices`)).json.revoked, 2);

    const browser = await rememberedBrowser('tess@example.com');
    await s.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    const admin = server.client();
    assert.equal((await admin.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
    const personPage = `/admin/people/users/${tess.id}`;
    const shown = await admin.get(personPage);
    assert.match(shown.text, /Forget remembered devices/);
    // The button leads to a page that says what it takes; nothing is forgotten until it is confirmed.
    const asked = await admin.get(`${personPage}/devices/forget`);
    assert.equal(asked.status, 200);
    assert.match(asked.text, /must pass the second factor again/);
    const unconfirmed = await admin.postForm(`${personPage}/devices/forget`, { _csrf: csrfOf(asked.text) });
    assert.equal(unconfirmed.status, 303);
    assert.ok((await s.rememberedDevices.list(tess.id)).length > 0, 'not forgotten without confirmation');
    const pressed = await admin.postForm(`${personPage}/devices/forget`, { _csrf: csrfOf(asked.text), confirm: 'yes' });
    assert.equal(pressed.status, 303);
    assert.equal(pressed.location, `${personPage}?notice=devices_forgotten`);
    assert.equal((await s.rememberedDevices.list(tess.id)).length, 0);
    assert.equal((await signInToChallenge(browser, 'tess@example.com')).status, 200);
    const [event] = await s.audit.list({ action: 'two_factor.device_revoked', limit: 1 });
    assert.equal(event?.actor.type, 'person');
    assert.equal(event?.details.reason, 'revoked by an admin');
  });
});

describe('remember this device over https', () => {
  it('names the device cookie with the __Host- prefix and marks it Secure', async () => {
    const clock = new TestClock(Date.parse('2026-03-02T10:00:00Z'));
    const server = await startTestServer({ clock, env: { PUBLIC_URL: 'https://help.example.com' } });
    try {
      const s = server.services;
      const ann = await s.people.create({ audience: 'users', name: 'Ann', email: 'ann@example.com', password: PASSWORD });
      const enrolment = await s.twoFactor.beginTotp(ann);
      const secret = base32Decode(enrolment.secret.replace(/\s/g, ''));
      await s.twoFactor.confirmTotp(ann, totpCode(secret, clock.now()), undefined);
      await s.sessionPolicy.update({ users: { rememberDeviceDays: 1 } }, cli);
      clock.advance(30_000);
      const browser = server.client();
      await browser.signIn('ann@example.com', PASSWORD);
      const page = await browser.get('/login/2fa');
      const done = await browser.postForm('/login/2fa', { _csrf: csrfOf(page.text), method: 'totp', code: totpCode(secret, clock.now()), remember_device: '1' });
      const cookie = done.headers.getSetCookie().find((c) => c.startsWith('__Host-fd_device_users='));
      assert.ok(cookie, 'the __Host- prefix');
      assert.match(cookie, /Secure/);
      assert.match(cookie, /Max-Age=86400/);
    } finally {
      await server.close();
    }
  });
});
