import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Database } from '../../src/storage/database.ts';
import { freshDatabase } from '../helpers/database.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';
const oidcConfig = { issuer: 'https://idp.example.com', clientId: 'frontdoor', clientSecret: 'frontdoor-secret' };

// Two Frontdoor nodes on one database, as behind a load balancer: on the PostgreSQL server
// when DATABASE_URL is set (CI's second run), else sharing one embedded database. Whatever
// one node does, the other must honour.
describe('two nodes on one database', () => {
  let database: Database;
  let a: TestServer;
  let b: TestServer;

  before(async () => {
    database = await freshDatabase();
    a = await startTestServer({ database });
    b = await startTestServer({ database });
    await a.services.people.create({ audience: 'users', name: 'Nia', email: 'nia@example.com', password: PASSWORD });
    await a.services.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await database?.close();
  });

  /** The same browser (cookie jar) talking to the other node. */
  const onNode = (node: TestServer, cookies: Map<string, string>) => {
    const client = node.client();
    for (const [name, value] of cookies) client.cookies.set(name, value);
    return client;
  };

  it('honours on B a session made on A, and a sign-out on B is refused on A within a second', async () => {
    const onA = a.client();
    assert.equal((await onA.signIn('nia@example.com', PASSWORD)).status, 303);
    assert.equal((await onA.get('/api/v1/session')).status, 200, 'A has the session (and caches it)');
    const onB = onNode(b, onA.cookies);
    assert.equal((await onB.get('/api/v1/session')).json.person.email, 'nia@example.com');

    const form = await onB.csrfFrom('/');
    assert.equal((await onB.postForm('/logout', { _csrf: form })).status, 303);
    await sleep(1000); // the promise to keep: revocation is seen everywhere within 1 s
    assert.equal((await onNode(a, onA.cookies).get('/api/v1/session')).status, 401);
  });

  it('accepts on B a form whose CSRF token A issued', async () => {
    const onA = a.client();
    const csrf = await onA.csrfFrom('/login');
    const onB = onNode(b, onA.cookies);
    assert.equal((await onB.postForm('/login', { _csrf: csrf, email: 'nia@example.com', password: PASSWORD })).status, 303);
  });

  it('shares the replay cache: a one-time value used on A is refused on B', async () => {
    const expires = new Date(Date.now() + 60_000);
    const passwordAppId = (await a.services.apps.passwordApp('users')).id; // replay entries belong to an app
    assert.equal(await a.services.replay.firstUse(passwordAppId, 'jti-1', expires), true);
    assert.equal(await b.services.replay.firstUse(passwordAppId, 'jti-1', expires), false);
  });

  it('keeps one Automatic app per audience when both nodes switch apps at once', async () => {
    const admin = { type: 'cli' as const };
    const apps = await Promise.all(
      Array.from({ length: 6 }, (_, i) => a.services.apps.create({ audience: 'users', type: 'oidc', name: `Node race ${i}`, config: oidcConfig }, admin)),
    );
    await Promise.allSettled(apps.map((app, i) => (i % 2 ? a : b).services.apps.update(app.id, { sso: 'automatic' }, admin)));
    const automatic = (await b.services.apps.list('users')).filter((app) => app.sso === 'automatic');
    assert.equal(automatic.length, 1);
    // The Help Center on either node now sends anonymous visitors to that one app.
    for (const node of [a, b]) {
      const home = await node.client().get('/');
      assert.equal(home.status, 302);
      assert.match(home.location ?? '', new RegExp(`^/sso/${automatic[0]!.slug}/start`));
    }
  });
});
