import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertRefused, assertStaysOnSite, createsNothing, OPEN_REDIRECTS, refusalCode, setsSessionCookie } from '../helpers/attacks.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const withoutTokens = (text: string) => text.replace(/value="[^"]*"/g, 'value=""');

// The password doors (/login for Users, /agent/login for Agents) and what surrounds them:
// logout, the session cookie, the other audience's routes. Each attack: its documented code,
// nothing written, an audit row where sign-in promises one, never a 5xx.
describe('password form attacks', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    const s = server.services;
    (await s.people.create({ audience: 'users', name: 'Ann', email: 'ann@example.com', password: PASSWORD })).id;
    await s.people.create({ audience: 'users', name: 'Dee', email: 'dee@example.com', password: PASSWORD });
    await s.people.create({ audience: 'users', name: 'Eve', email: 'eve@example.com', password: PASSWORD });
    await s.people.create({ audience: 'users', name: 'Fay', email: 'fay@example.com', password: PASSWORD });
    await s.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
  });
  after(async () => {
    await server.close();
  });

  const failures = async () => (await server.services.audit.list({ action: 'signin.password', outcome: 'failure', limit: 1000 })).length;
  const signedInAs = async (browser: TestClient, audience = 'users') => (await browser.get(`/api/v1/session?audience=${audience}`)).status === 200;

  describe('CSRF', () => {
    for (const path of ['/login', '/agent/login']) {
      it(`${path}: refuses no token, a forged token, and another browser's token`, async () => {
        const email = path === '/login' ? 'ann@example.com' : 'ada@example.com';
        const victim = server.client();
        await victim.get(path); // the victim has a CSRF cookie of their own
        const attacker = server.client();
        const attackersToken = await attacker.csrfFrom(path);
        await createsNothing(server.services.db, async () => {
          for (const token of [undefined, 'forged', attackersToken, '']) {
            const fields: Record<string, string> = { email, password: PASSWORD };
            if (token !== undefined) fields._csrf = token;
            const response = await victim.postForm(path, fields);
            assertRefused(response, 'request.csrf_invalid');
          }
        });
        assert.equal(await signedInAs(victim, path === '/login' ? 'users' : 'agents'), false);
      });
    }

    it('logout without a token does not end the session (no forced sign-out)', async () => {
      const browser = server.client();
      await browser.signIn('ann@example.com', PASSWORD);
      const response = await browser.postForm('/logout', {});
      assertRefused(response, 'request.csrf_invalid');
      assert.equal(await signedInAs(browser), true);
    });
  });

  describe('session fixation', () => {
    it('a cookie value planted before sign-in never survives it, and never becomes a session', async () => {
      const browser = server.client();
      const planted = 'A'.repeat(43);
      browser.cookies.set('fd_session_users', planted);
      const response = await browser.signIn('ann@example.com', PASSWORD);
      assert.equal(response.status, 303);
      assert.notEqual(browser.cookies.get('fd_session_users'), planted);
      const attacker = server.client();
      attacker.cookies.set('fd_session_users', planted);
      assert.equal(await signedInAs(attacker), false);
    });

    it("an attacker's own live session planted in the victim's browser is replaced and revoked at the victim's sign-in", async () => {
      const attacker = server.client();
      await attacker.signIn('eve@example.com', PASSWORD);
      const attackersToken = attacker.cookies.get('fd_session_users')!;
      const victim = server.client();
      victim.cookies.set('fd_session_users', attackersToken);
      assert.equal((await victim.signIn('dee@example.com', PASSWORD)).status, 303);
      assert.notEqual(victim.cookies.get('fd_session_users'), attackersToken);
      assert.equal((await victim.get('/api/v1/session')).json.person.email, 'dee@example.com');
      assert.equal(await signedInAs(attacker), false, 'the planted session is gone: the attacker cannot ride the victim');
    });
  });

  describe('cookie replay', () => {
    it('after logout: a copied cookie is refused everywhere', async () => {
      const browser = server.client();
      await browser.signIn('fay@example.com', PASSWORD);
      const copy = server.client();
      copy.cookies.set('fd_session_users', browser.cookies.get('fd_session_users')!);
      const csrf = await browser.csrfFrom('/logout');
      assert.equal((await browser.postForm('/logout', { _csrf: csrf })).status, 303);
      assertRefused(await copy.get('/api/v1/session'), 'auth.required');
      const account = await copy.get('/account');
      assert.equal(account.status, 302, 'the account page sends the replayed cookie to sign in');
      assert.match(account.location ?? '', /^\/login/);
    });

    it('after the person is disabled: the live cookie stops working at once and sign-in is refused', async () => {
      const person = await server.services.people.create({ audience: 'users', name: 'Gus', email: 'gus@example.com', password: PASSWORD });
      const browser = server.client();
      await browser.signIn('gus@example.com', PASSWORD);
      assert.equal(await signedInAs(browser), true);
      await server.services.people.update(person.id, 'users', { disabled: true });
      assertRefused(await browser.get('/api/v1/session'), 'auth.required');
      const again = await createsNothing(server.services.db, () => server.client().signIn('gus@example.com', PASSWORD));
      assertRefused(again, 'auth.account_disabled');
    });
  });

  describe('audiences', () => {
    it('a User session opens no agent page, no admin API route, and no agents forward auth', async () => {
      const browser = server.client();
      await browser.signIn('ann@example.com', PASSWORD);
      const agent = await browser.get('/agent');
      assert.equal(agent.status, 302);
      assert.match(agent.location ?? '', /^\/agent\/login/);
      assert.equal((await browser.get('/agent/account')).status, 302);
      for (const path of ['/api/v1/users', '/api/v1/apps', '/api/v1/audit']) assertRefused(await browser.get(path), 'auth.wrong_audience');
      assertRefused(await browser.sendJson('POST', '/api/v1/users', { name: 'X', email: 'x@example.com' }, await browser.apiCsrfHeader()), 'auth.wrong_audience');
      assertRefused(await browser.get('/api/v1/session?audience=agents'), 'auth.required');
      // The same token presented as an agents cookie is not an agent session either.
      const forged = server.client();
      forged.cookies.set('fd_session_agents', browser.cookies.get('fd_session_users')!);
      assertRefused(await forged.get('/api/v1/session?audience=agents'), 'auth.required');
      assertRefused(await forged.get('/api/v1/users'), 'auth.required');
    });

    it('a User cannot sign in at the agent door with a User password', async () => {
      const response = await createsNothing(server.services.db, () => server.client().signIn('ann@example.com', PASSWORD, 'agents'));
      assertRefused(response, 'auth.invalid_credentials');
    });
  });

  describe('user enumeration', () => {
    it('a known email with a wrong password and an unknown email get the same status and page, and both are audited', async () => {
      const before = await failures();
      const known = await server.client().signIn('dee@example.com', 'wrong password 1');
      const unknown = await server.client().signIn('nobody-here@example.com', 'wrong password 1');
      const agentKnown = await server.client().signIn('ada@example.com', 'wrong password 1', 'agents');
      const agentUnknown = await server.client().signIn('nobody-agent@example.com', 'wrong password 1', 'agents');
      for (const response of [known, unknown, agentKnown, agentUnknown]) assertRefused(response, 'auth.invalid_credentials');
      const normal = (text: string) => withoutTokens(text).replace(/(dee|nobody-here|ada|nobody-agent)@example\.com/g, 'EMAIL');
      assert.equal(normal(known.text), normal(unknown.text));
      assert.equal(normal(agentKnown.text), normal(agentUnknown.text));
      assert.deepEqual([...known.headers.keys()].sort(), [...unknown.headers.keys()].sort());
      assert.equal(await failures(), before + 4);
    });
  });

  describe('limits and encodings', () => {
    async function raw(body: string, contentType: string | undefined, path = '/login') {
      const browser = server.client();
      const csrf = await browser.csrfFrom(path);
      return {
        browser,
        csrf,
        response: await browser.request('POST', path, { body: body.replace('CSRF', encodeURIComponent(csrf)), headers: contentType ? { 'content-type': contentType } : {} }),
      };
    }

    it('a body over 64 KiB is refused with request.too_large', async () => {
      const { response } = await createsNothing(server.services.db, () => raw(`_csrf=CSRF&email=ann%40example.com&password=${'a'.repeat(70 * 1024)}`, FORM['content-type']));
      assertRefused(response, 'request.too_large');
    });

    it('oversized headers are refused by the HTTP parser (431), never a 5xx', async () => {
      const response = await fetch(`${server.url}/login`, { headers: { 'x-padding': 'a'.repeat(20 * 1024) } });
      assert.equal(response.status, 431);
      const cookieBomb = await fetch(`${server.url}/api/v1/session`, { headers: { cookie: `fd_session_users=${'b'.repeat(17 * 1024)}` } });
      assert.equal(cookieBomb.status, 431);
    });

    it('a long but legal session cookie, or garbage in it, is simply no session', async () => {
      for (const value of ['b'.repeat(4000), '%%%', '..%2F..', '"quoted"', 'é']) {
        const browser = server.client();
        browser.cookies.set('fd_session_users', encodeURI(value));
        assertRefused(await browser.get('/api/v1/session'), 'auth.required');
      }
    });

    it('bad percent-encoding and invalid UTF-8 in fields are a wrong password, not a crash', async () => {
      for (const body of ['_csrf=CSRF&email=%E0%A4%A&password=x%', '_csrf=CSRF&email=%C3%28%40example.com&password=%FF%FE%FD', '_csrf=CSRF&email=ann%40example.com&password=%ED%A0%80']) {
        const { response } = await createsNothing(server.services.db, () => raw(body, FORM['content-type']));
        assertRefused(response, 'auth.invalid_credentials');
      }
    });

    it('a NUL character in any field is request.invalid (PostgreSQL text cannot hold it; this was a 500)', async () => {
      for (const body of ['_csrf=CSRF&email=ann%00%40example.com&password=x', '_csrf=CSRF&email=ann%40example.com&password=a%00b', '_csrf=CSRF&email=a&password=b&return_to=%2F%00']) {
        const { response } = await createsNothing(server.services.db, () => raw(body, FORM['content-type']));
        assertRefused(response, 'request.invalid');
      }
      assertRefused(await server.client().get('/login?return_to=%00'), 'request.invalid');
    });

    it('a path that cannot be decoded is request.invalid in our error shape', async () => {
      const response = await server.client().get('/%E0%A4%A');
      assertRefused(response, 'request.invalid');
      assert.match(response.text, /trace <code>/);
    });

    it('wrong content types are refused before any check: text/plain, XML, multipart, none, malformed JSON', async () => {
      const cases: [string, string | undefined, string][] = [
        ['_csrf=CSRF&email=ann%40example.com&password=x', 'text/plain', 'request.csrf_invalid'],
        ['<login><email>ann@example.com</email></login>', 'application/xml', 'request.invalid'],
        ['--b\r\nContent-Disposition: form-data; name="email"\r\n\r\nann@example.com\r\n--b--', 'multipart/form-data; boundary=b', 'request.invalid'],
        ['{"_csrf":', 'application/json', 'request.invalid'],
        ['_csrf=CSRF&email=ann%40example.com&password=x', undefined, 'request.csrf_invalid'],
      ];
      for (const [body, type, code] of cases) {
        const { response } = await createsNothing(server.services.db, () => raw(body, type));
        assert.ok(response.status < 500, `${type}: ${response.status}`);
        assert.equal(refusalCode(response), code, `${type}`);
        assert.equal(setsSessionCookie(response), false);
      }
    });

    it('a JSON body on the form route: still needs the CSRF token, and non-string fields are request.invalid', async () => {
      const noToken = await server.client().sendJson('POST', '/login', { email: 'ann@example.com', password: PASSWORD });
      assertRefused(noToken, 'request.csrf_invalid');
      for (const fields of [{ email: ['ann@example.com'], password: PASSWORD }, { email: 'ann@example.com', password: { $ne: '' } }, { email: { toString: 1 }, password: 1 }]) {
        const browser = server.client();
        const csrf = await browser.csrfFrom('/login');
        const response = await createsNothing(server.services.db, () => browser.sendJson('POST', '/login', { _csrf: csrf, ...fields }));
        assertRefused(response, 'request.invalid');
      }
    });

    it('repeated fields (email=a&email=b) are request.invalid, never a pick of one', async () => {
      const { response } = await raw(`_csrf=CSRF&email=ann%40example.com&email=eve%40example.com&password=${encodeURIComponent(PASSWORD)}`, FORM['content-type']);
      assertRefused(response, 'request.invalid');
    });
  });

  describe('open redirects', () => {
    for (const door of [{ path: '/login', email: 'ann@example.com', audience: 'users' as const, home: '/' }, { path: '/agent/login', email: 'ada@example.com', audience: 'agents' as const, home: '/agent' }]) {
      it(`${door.path}: every off-site return_to lands at home, in the form, after sign-in and when already signed in`, async () => {
        const browser = server.client();
        for (const target of OPEN_REDIRECTS) {
          const form = await browser.get(`${door.path}?return_to=${encodeURIComponent(target)}`);
          assert.equal(form.status, 200);
          assert.doesNotMatch(form.text, /evil\.example\.net|javascript:|data:text/);
        }
        for (const target of OPEN_REDIRECTS.slice(0, 4)) {
          const signedIn = await server.client().signIn(door.email, PASSWORD, door.audience, { return_to: target });
          assert.equal(signedIn.status, 303);
          assert.equal(signedIn.location, door.home);
        }
        await browser.signIn(door.email, PASSWORD, door.audience);
        for (const target of OPEN_REDIRECTS) {
          const again = await browser.get(`${door.path}?return_to=${encodeURIComponent(target)}`);
          assert.equal(again.status, 302);
          assertStaysOnSite(again.location);
          assert.equal(again.location, door.home);
        }
      });
    }
  });
});
