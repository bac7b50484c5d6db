import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Person } from '../../src/core/people.ts';
import { base32Decode, totpCode } from '../../src/core/credentials/totp.ts';
import { assertRefused, createsNothing, OPEN_REDIRECTS, refusalCode } from '../helpers/attacks.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';
import { TestClock } from '../helpers/services.ts';

const PASSWORD = 'correct horse battery';
const csrfOf = (text: string) => /name="_csrf" value="([^"]+)"/.exec(text)![1]!;

// The second-factor challenge after a right password. A session that waits for its second
// factor must open nothing but the challenge; codes are single use even under a crowd.
describe('two-factor challenge attacks', () => {
  let server: TestServer;
  const clock = new TestClock(Date.parse('2026-03-02T10:00:00Z'));
  const secrets = new Map<string, Buffer>();

  async function enrolled(audience: 'users' | 'agents', email: string, isAdmin = false): Promise<Person> {
    const s = server.services;
    const person = await s.people.create({ audience, name: email.split('@')[0]!, email, password: PASSWORD, ...(audience === 'agents' ? { isAdmin } : {}) });
    const secret = base32Decode((await s.twoFactor.beginTotp(person)).secret);
    await s.twoFactor.confirmTotp(person, totpCode(secret, clock.now()), undefined);
    secrets.set(email, secret);
    clock.advance(30_000);
    return person;
  }

  before(async () => {
    server = await startTestServer({ clock });
    await enrolled('users', 'tess@example.com');
    await enrolled('users', 'crowd@example.com');
    await enrolled('users', 'otto@example.com');
    await enrolled('agents', 'ada@example.com', true);
  });
  after(async () => {
    await server.close();
  });

  async function passwordStep(email: string, audience: 'users' | 'agents' = 'users', extra: Record<string, string> = {}): Promise<TestClient> {
    const browser = server.client();
    const response = await browser.signIn(email, PASSWORD, audience, extra);
    assert.equal(response.status, 303);
    assert.match(response.location ?? '', /\/login\/2fa/);
    return browser;
  }

  it('a session waiting for its second factor opens nothing else: forward auth, account, agent console, admin API', async () => {
    const user = await passwordStep('tess@example.com');
    assertRefused(await user.get('/api/v1/session'), 'auth.required');
    assert.equal((await user.get('/account')).status, 302);
    const admin = await passwordStep('ada@example.com', 'agents');
    assertRefused(await admin.get('/api/v1/session?audience=agents'), 'auth.required');
    assertRefused(await admin.get('/api/v1/users'), 'auth.required');
    assert.equal((await admin.get('/agent')).status, 302);
  });

  it('CSRF: the challenge, the email-code request and the setup form refuse a missing or foreign token', async () => {
    const browser = await passwordStep('tess@example.com');
    const foreign = await server.client().csrfFrom('/login');
    for (const path of ['/login/2fa', '/login/2fa/email', '/login/2fa/setup', '/login/2fa/setup/email']) {
      for (const token of [undefined, foreign]) {
        const response = await createsNothing(server.services.db, () =>
          browser.postForm(path, { method: 'totp', code: totpCode(secrets.get('tess@example.com')!, clock.now()), ...(token ? { _csrf: token } : {}) }),
        );
        assertRefused(response, 'request.csrf_invalid');
      }
    }
    assertRefused(await browser.get('/api/v1/session'), 'auth.required');
  });

  it('without a pending session the challenge is auth.required; a wrong or malformed code is audited and gives no session', async () => {
    const stranger = server.client();
    const csrf = await stranger.csrfFrom('/login');
    assertRefused(await stranger.postForm('/login/2fa', { _csrf: csrf, method: 'totp', code: '123456' }), 'auth.required');

    const browser = await passwordStep('otto@example.com');
    const page = await browser.get('/login/2fa');
    const before = (await server.services.audit.list({ action: 'signin.second_factor', outcome: 'failure', limit: 1000 })).length;
    const right = totpCode(secrets.get('otto@example.com')!, clock.now());
    const wrong = right === '000000' ? '111111' : '000000';
    for (const code of [wrong, '', 'abcdef', '1'.repeat(5000)]) {
      const response = await browser.postForm('/login/2fa', { _csrf: csrfOf(page.text), method: 'totp', code });
      assertRefused(response, 'two_factor.code_invalid');
    }
    const badMethod = await browser.postForm('/login/2fa', { _csrf: csrfOf(page.text), method: 'sms', code: right });
    assertRefused(badMethod, 'request.invalid');
    assert.equal((await server.services.audit.list({ action: 'signin.second_factor', outcome: 'failure', limit: 1000 })).length, before + 4);
    assertRefused(await browser.get('/api/v1/session'), 'auth.required');
  });

  it('return_to on the challenge never leaves the site', async () => {
    clock.advance(30_000);
    const browser = await passwordStep('tess@example.com');
    const page = await browser.get('/login/2fa');
    for (const target of OPEN_REDIRECTS) {
      const form = await browser.get(`/login/2fa?return_to=${encodeURIComponent(target)}`);
      assert.doesNotMatch(form.text, /evil\.example\.net|javascript:|data:text/);
    }
    const done = await browser.postForm('/login/2fa', {
      _csrf: csrfOf(page.text), method: 'totp', code: totpCode(secrets.get('tess@example.com')!, clock.now()), return_to: '//evil.example.net/x',
    });
    assert.equal(done.status, 303);
    assert.equal(done.location, '/');
  });

  it('50 browsers send one TOTP code at once: exactly one gets a session', async () => {
    clock.advance(30_000);
    const browsers = await Promise.all(Array.from({ length: 50 }, () => passwordStep('crowd@example.com')));
    const tokens = await Promise.all(browsers.map(async (b) => csrfOf((await b.get('/login/2fa')).text)));
    const code = totpCode(secrets.get('crowd@example.com')!, clock.now());
    const results = await Promise.all(browsers.map((b, i) => b.postForm('/login/2fa', { _csrf: tokens[i]!, method: 'totp', code })));
    const winners = results.filter((r) => r.status === 303);
    assert.equal(winners.length, 1, `statuses: ${results.map((r) => r.status).join(',')}`);
    for (const loser of results.filter((r) => r.status !== 303)) {
      assert.ok(loser.status < 500);
      assert.ok(['two_factor.code_used', 'auth.throttled'].includes(refusalCode(loser)!), refusalCode(loser));
    }
    const live = await Promise.all(browsers.map(async (b) => (await b.get('/api/v1/session')).status));
    assert.equal(live.filter((s) => s === 200).length, 1);
  });
});
