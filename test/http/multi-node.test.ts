import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { THROTTLE_POLICY } from '../../src/core/throttle.ts';
import type { Database } from '../../src/storage/database.ts';
import { freshDatabase } from '../helpers/database.ts';
import { claimsAt, signToken } from '../helpers/jwt.ts';
import { authorizeAtProvider, callbackUrlFor, installOidcApp } from '../helpers/oidc-flow.ts';
import { installSamlApp, loginAtIdp, postToAcs } from '../helpers/saml.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startOidcPeer, type OidcPeer } from '../peers/oidc-provider.ts';
import { SamlIdp } from '../peers/saml-idp.ts';

const PASSWORD = 'correct horse battery';
const oidcConfig = { issuer: 'https://idp.example.com', clientId: 'frontdoor', clientSecret: 'frontdoor-secret' };

// Two Frontdoor nodes on one database, as behind a load balancer: on the PostgreSQL server
// when DATABASE_URL is set (CI's second run), else sharing one embedded database. Whatever
// one node does, the other must honour.
describe('two nodes on one database', () => {
  let database: Database;
  let a: TestServer;
  let b: TestServer;
  let oidcPeer: OidcPeer;
  let samlIdp: SamlIdp;
  const OIDC_CLIENT = { clientId: 'frontdoor-nodes', clientSecret: 'nodes-client-secret' };

  before(async () => {
    database = await freshDatabase();
    a = await startTestServer({ database });
    b = await startTestServer({ database });
    oidcPeer = await startOidcPeer({
      clients: [{ ...OIDC_CLIENT, redirectUris: [callbackUrlFor(a, 'nodes-oidc')] }],
      accounts: [{ id: 'roam-sub', email: 'roam@example.com', email_verified: true, name: 'Roam' }],
    });
    samlIdp = await SamlIdp.start();
    await a.services.people.create({ audience: 'users', name: 'Nia', email: 'nia@example.com', password: PASSWORD });
    await a.services.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
  });
  after(async () => {
    await oidcPeer?.close();
    await samlIdp?.close();
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

  it('finishes on B an OpenID Connect sign-in started on A', async () => {
    await installOidcApp(a, { audience: 'users', slug: 'nodes-oidc', issuer: oidcPeer.issuer, ...OIDC_CLIENT });
    const browserOnA = a.client();
    oidcPeer.signInAs('roam-sub');
    const { callbackUrl } = await authorizeAtProvider(a, browserOnA, '/sso/nodes-oidc/start');
    const browserOnB = onNode(b, browserOnA.cookies);
    const callbackOnB = new URL(callbackUrl);
    const landed = await browserOnB.get(`${b.url}${callbackOnB.pathname}${callbackOnB.search}`);
    assert.equal(landed.status, 303, landed.text.slice(0, 300));
    assert.equal((await browserOnB.get('/api/v1/session')).json.person.email, 'roam@example.com');
  });

  it('finishes on B a SAML sign-in started on A (the POST back needs no cookie)', async () => {
    const { app, sp } = await installSamlApp(a, samlIdp, { slug: 'nodes-saml' });
    const answer = await loginAtIdp(a.client(), app, samlIdp, sp, { nameId: 'sam@example.com', email: 'sam@example.com' });
    const onB = b.client();
    const done = await postToAcs(onB, app, answer);
    assert.equal(done.status, 303, done.text.slice(0, 300));
    assert.equal((await onB.get('/api/v1/session')).json.person.email, 'sam@example.com');
    const replayOnA = await postToAcs(a.client(), app, answer);
    assert.equal(replayOnA.status, 400, 'the assertion was consumed on B: refused on A');
  });

  it('signs in on B with a JWT and refuses the same token on A', async () => {
    const created = await a.services.apps.create({ audience: 'users', type: 'jwt', slug: 'nodes-jwt', config: { remoteLoginUrl: 'https://www.example.com/sso', sharedSecret: 'n'.repeat(40) } }, { type: 'cli' });
    const token = await signToken(claimsAt(new Date(), { email: 'jo@example.com', external_id: 'jo' }), 'n'.repeat(40), { alg: 'HS256' });
    const onB = b.client();
    assert.equal((await onB.postForm(`/sso/${created.slug}/jwt`, { jwt: token })).status, 303);
    const replay = await a.client().postForm(`/sso/${created.slug}/jwt`, { jwt: token });
    assert.equal(replay.status, 401);
    assert.match(replay.text, /sso\.jwt\.replayed/);
  });

  it('turns an app off on A, and B refuses its sign-ins within a second; a new secret works on B as soon', async () => {
    const secret = 'o'.repeat(40);
    const created = await a.services.apps.create({ audience: 'users', type: 'jwt', slug: 'nodes-jwt-off', config: { remoteLoginUrl: 'https://www.example.com/sso', sharedSecret: secret } }, { type: 'cli' });
    const signIn = async (node: TestServer, key: string) =>
      node.client().postForm(`/sso/${created.slug}/jwt`, { jwt: await signToken(claimsAt(new Date(), { email: 'off@example.com', external_id: 'off' }), key, { alg: 'HS256' }) });
    assert.equal((await signIn(b, secret)).status, 303, 'B reads the app (and keeps it for under a second)');

    const newSecret = 'p'.repeat(40);
    await a.services.apps.update(created.id, { config: { sharedSecret: newSecret } }, { type: 'cli' });
    assert.equal((await signIn(a, secret)).status, 401, 'A, which made the change, refuses the old secret at once');
    await sleep(1000);
    assert.equal((await signIn(b, secret)).status, 401, 'B refuses the old secret within a second');
    assert.equal((await signIn(b, newSecret)).status, 303);

    await a.services.apps.update(created.id, { enabled: false }, { type: 'cli' });
    await sleep(1000);
    const refused = await signIn(b, newSecret);
    assert.equal(refused.status, 404);
    assert.match(refused.text, /sso\.app_unavailable/);
  });

  it('shares brute-force counters: failures on A hold back the next guess on B', async () => {
    // An agent: the Users password form is gone since an earlier test made a Users app Automatic.
    await a.services.people.create({ audience: 'agents', name: 'Target', email: 'target@example.com', password: PASSWORD, emailVerified: true });
    for (let i = 0; i < THROTTLE_POLICY.pairFreeFailures; i++) {
      assert.equal((await a.client().signIn('target@example.com', `wrong guess number ${i}`, 'agents')).status, 401);
    }
    const onB = await b.client().signIn('target@example.com', 'wrong guess on b', 'agents');
    assert.equal(onB.status, 429);
    assert.match(onB.text, /auth\.throttled/);
  });
});
