import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SHOWN_SECRET_TTL_MS } from '../../src/core/console-results.ts';
import { refusalCode } from '../helpers/attacks.ts';
import { csrfOf } from '../helpers/pages.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';
import { TestClock } from '../helpers/services.ts';

// An attacker's look at what the console shows once (console-results.ts): a new API key or SCIM
// token is at an address with a random id, for the session that made it, for 15 minutes.
// Whoever learns that address (a shoulder, a proxy log, the browser history of a shared
// machine) must find nothing: another admin, the same admin's other browser, the same browser
// after signing out and in again, anyone after the 15 minutes. The test sign-in's tickets and
// reports and the shared secret are covered in test/http/test-sign-in.test.ts and
// test/http/jwt-app-testing.test.ts.

const PASSWORD = 'correct horse battery';

describe('attacks on secrets shown once', () => {
  let server: TestServer;
  const clock = new TestClock();
  let ada: TestClient;
  let keyPage: string;
  let key: string;
  let tokenPage: string;
  let token: string;
  const signedIn = async (email: string) => {
    const client = server.client();
    assert.equal((await client.signIn(email, PASSWORD, 'agents')).status, 303);
    return client;
  };

  before(async () => {
    server = await startTestServer({ clock });
    await server.services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    await server.services.people.create({ audience: 'agents', name: 'Ben Admin', email: 'ben@example.com', password: PASSWORD, isAdmin: true });
    await server.services.people.create({ audience: 'agents', name: 'Abe Agent', email: 'abe@example.com', password: PASSWORD });
    ada = await signedIn('ada@example.com');
    const made = await ada.postForm('/admin/api-keys', { _csrf: await ada.csrfFrom('/admin/api-keys'), name: 'ci' });
    assert.equal(made.status, 303);
    keyPage = made.location!;
    key = /id="f-copy-key" type="text" readonly value="([^"]+)"/.exec((await ada.get(keyPage)).text)![1]!;
    const scim = await ada.postForm('/admin/scim', { _csrf: await ada.csrfFrom('/admin/scim'), name: 'okta', audience: 'users' });
    assert.equal(scim.status, 303);
    tokenPage = scim.location!;
    token = /id="f-copy-token" type="text" readonly value="([^"]+)"/.exec((await ada.get(tokenPage)).text)![1]!;
    // The key and the token work: they are what is worth stealing.
    assert.equal((await server.client().get('/api/v1/users', { authorization: `Bearer ${key}` })).status, 200);
    assert.equal((await server.client().get('/scim/v2/Users', { authorization: `Bearer ${token}` })).status, 200);
  });
  after(async () => server.close());

  it('are shown again on reload to their session, never cached', async () => {
    for (const [page, secret] of [[keyPage, key], [tokenPage, token]] as const) {
      const again = await ada.get(page);
      assert.equal(again.status, 200);
      assert.ok(again.text.includes(secret));
      assert.equal(again.headers.get('cache-control'), 'no-store', `${page}: no cache may keep the secret`);
    }
  });

  it('are sealed at rest: the database row does not hold the secret', async () => {
    const rows = await server.services.db.query<{ sealed: Uint8Array }>("SELECT sealed FROM console_results WHERE kind IN ('api_key', 'scim_token')");
    assert.equal(rows.length, 2);
    for (const row of rows) {
      const bytes = Buffer.from(row.sealed);
      assert.equal(bytes.includes(Buffer.from(key)) || bytes.includes(Buffer.from(token)), false);
    }
  });

  it('another admin, the same admin in another browser, and a plain agent find nothing at the address', async () => {
    for (const [who, client] of [['Ben', await signedIn('ben@example.com')], ['Ada elsewhere', await signedIn('ada@example.com')]] as const) {
      for (const [page, secret] of [[keyPage, key], [tokenPage, token]] as const) {
        const answer = await client.get(page);
        assert.equal(answer.status, 404, `${who} at ${page}`);
        assert.equal(refusalCode(answer), 'request.not_found');
        assert.equal(answer.text.includes(secret), false);
      }
    }
    const abe = await signedIn('abe@example.com');
    const refused = await abe.get(keyPage);
    assert.equal(refused.status, 403);
    assert.equal(refusalCode(refused), 'auth.forbidden');
    assert.equal(refused.text.includes(key), false);
  });

  it("one kind's id at another kind's address, and made-up ids, find nothing", async () => {
    const keyId = keyPage.split('/').pop()!;
    const tokenId = tokenPage.split('/').pop()!;
    for (const path of [`/admin/scim/new/${keyId}`, `/admin/api-keys/new/${tokenId}`, '/admin/api-keys/new/00000000-0000-0000-0000-000000000000', "/admin/api-keys/new/' OR 1=1 --", `/admin/api-keys/new/${keyId.toUpperCase()}`]) {
      const answer = await ada.get(path);
      assert.equal(answer.status, 404, path);
      assert.equal(refusalCode(answer), 'request.not_found');
      assert.equal(answer.text.includes(key) || answer.text.includes(token), false, path);
    }
  });

  it('the same browser, signed out and in again, finds nothing: the session that made them is over', async () => {
    const browser = await signedIn('ada@example.com');
    const made = await browser.postForm('/admin/api-keys', { _csrf: await browser.csrfFrom('/admin/api-keys'), name: 'short-lived' });
    const page = made.location!;
    const secret = /id="f-copy-key" type="text" readonly value="([^"]+)"/.exec((await browser.get(page)).text)![1]!;
    const logout = await browser.postForm('/agent/logout', { _csrf: csrfOf((await browser.get('/agent/logout')).text) });
    assert.equal(logout.status, 303);
    assert.equal((await browser.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
    const after = await browser.get(page);
    assert.equal(after.status, 404);
    assert.equal(after.text.includes(secret), false);
  });

  it('nobody finds them after 15 minutes, not even their session', async () => {
    clock.advance(SHOWN_SECRET_TTL_MS + 1000);
    for (const [page, secret] of [[keyPage, key], [tokenPage, token]] as const) {
      const answer = await ada.get(page);
      assert.equal(answer.status, 404, page);
      assert.equal(answer.text.includes(secret), false);
    }
    // The next save sweeps what expired: the sealed copies are gone, not only hidden.
    await ada.postForm('/admin/api-keys', { _csrf: await ada.csrfFrom('/admin/api-keys'), name: 'sweeper' });
    const left = await server.services.db.query('SELECT 1 FROM console_results WHERE expires_at < $1', [clock.now()]);
    assert.equal(left.length, 0);
  });
});
