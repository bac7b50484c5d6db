import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthApp } from '../../src/core/apps.ts';
import { accountCounts } from '../helpers/counts.ts';
import { authorizeAtProvider, callbackUrlFor, installOidcApp, signInThroughProvider } from '../helpers/oidc-flow.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';
import { startOidcPeer, type OidcPeer } from '../peers/oidc-provider.ts';

// Full authorization code flows against a real OpenID Provider (oidc-provider on a loopback
// port), for both audiences: who gets in, as whom, and with which session.

const USERS = { clientId: 'frontdoor-users', clientSecret: 'users-client-secret' };
const AGENTS = { clientId: 'frontdoor-agents', clientSecret: 'agents-client-secret' };
const AUTO_AGENTS = { clientId: 'frontdoor-auto-agents', clientSecret: 'auto-agents-client-secret' };
const PREFIXED = { clientId: 'frontdoor-prefixed', clientSecret: 'prefixed-client-secret' };

describe('OIDC sign-in against a real provider', () => {
  let server: TestServer;
  let peer: OidcPeer;
  let usersApp: AuthApp;
  let agentsApp: AuthApp;
  let vipGroupId: string;

  before(async () => {
    server = await startTestServer();
    peer = await startOidcPeer({
      clients: [
        { ...USERS, redirectUris: [callbackUrlFor(server, 'idp-users')] },
        { ...AGENTS, redirectUris: [callbackUrlFor(server, 'idp-agents')] },
        { ...AUTO_AGENTS, redirectUris: [callbackUrlFor(server, 'idp-auto-agents')] },
        { ...PREFIXED, redirectUris: ['http://localhost:8080/help/sso/idp-prefixed/callback'] },
      ],
      accounts: [
        { id: 'pat-sub', email: 'pat@example.com', email_verified: true, name: 'Pat Doe', groups: ['vip'] },
        { id: 'lin-sub', email: 'Lin@Example.com', email_verified: true, name: 'Lin' },
        { id: 'ada-sub', email: 'ada@example.com', email_verified: true, name: 'Ada Agent' },
        { id: 'new-agent-sub', email: 'newbie@example.com', email_verified: true, name: 'New Agent' },
        { id: 'crowd-sub', email: 'crowd@example.com', email_verified: true, name: 'Crowd' },
      ],
    });
    vipGroupId = (await server.services.usergroups.create('VIP')).id;
    usersApp = await installOidcApp(server, {
      audience: 'users', slug: 'idp-users', issuer: peer.issuer, ...USERS,
      config: { buttonText: 'Sign in with Test IdP', scopes: ['openid', 'email', 'profile', 'groups'], loginActions: { groupMappings: [{ group: 'vip', usergroupId: vipGroupId }] } },
    });
    // Linking agents by email is off by default on Agents apps; this one turns it on.
    agentsApp = await installOidcApp(server, { audience: 'agents', slug: 'idp-agents', issuer: peer.issuer, ...AGENTS, config: { trustEmail: true } });
    await installOidcApp(server, { audience: 'agents', slug: 'idp-auto-agents', issuer: peer.issuer, ...AUTO_AGENTS, config: { autoAgent: true } });
  });
  after(async () => {
    await peer.close();
    await server.close();
  });

  const personByEmail = async (audience: 'users' | 'agents', email: string) =>
    (await server.services.people.list({ audience, query: email })).find((p) => p.emails.some((e) => e.email === email));

  it('shows the app as a button on the login page, next to the password form', async () => {
    const page = await server.client().get('/login');
    assert.equal(page.status, 200);
    assert.match(page.text, /href="\/sso\/idp-users\/start[^"]*"[^>]*>Sign in with Test IdP</);
    assert.match(page.text, /name="password"/);
  });

  it('creates a User just in time (open registration), signs them in and returns to the page asked for', async () => {
    const before = await accountCounts(server.services.db);
    const browser = server.client();
    peer.signInAs('pat-sub');
    const { authorizationUrl, callbackUrl } = await authorizeAtProvider(server, browser, '/sso/idp-users/start?return_to=%2F%3Fq%3Dhello');
    // What the request carried: code flow, PKCE S256, state and nonce.
    assert.equal(authorizationUrl.origin, peer.issuer);
    assert.equal(authorizationUrl.searchParams.get('response_type'), 'code');
    assert.equal(authorizationUrl.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorizationUrl.searchParams.get('state') && authorizationUrl.searchParams.get('nonce'));
    assert.equal(authorizationUrl.searchParams.get('redirect_uri'), 'http://localhost:8080/sso/idp-users/callback');

    const landed = await browser.get(callbackUrl);
    assert.equal(landed.status, 303);
    assert.equal(landed.location, '/?q=hello');
    assert.ok(browser.cookies.get('fd_session_users'), 'a Help Center session cookie');
    assert.equal(browser.cookies.get('fd_session_agents'), undefined, 'never an agent cookie');
    assert.match((await browser.get('/')).text, /pat@example\.com/, 'the Help Center knows who this is');

    const after = await accountCounts(server.services.db);
    assert.deepEqual(after, { ...before, people: before.people + 1, emails: before.emails + 1, identities: before.identities + 1, sessions: before.sessions + 1 });
    const pat = await personByEmail('users', 'pat@example.com');
    assert.ok(pat);
    assert.equal(pat.name, 'Pat Doe');
    assert.deepEqual(pat.emails, [{ email: 'pat@example.com', primary: true, verified: true }]);
    assert.deepEqual(pat.identities, [{ appId: usersApp.id, subject: 'pat-sub' }]);
    assert.deepEqual(pat.usergroups.map((g) => g.id), [vipGroupId], 'the provider group vip mapped to the VIP usergroup');

    const [trace] = await server.services.ssoTraces.list({ appId: usersApp.id, outcome: 'success' });
    assert.ok(trace);
    assert.equal(trace.personId, pat.id);
    assert.equal(trace.detail, 'created');
    assert.equal(trace.claims?.email, 'pat@example.com');
    assert.equal(trace.claims?.id_token, undefined);
  });

  it('signs a known identity in again as the same person, syncing the name', async () => {
    peer.putAccount({ id: 'pat-sub', email: 'pat@example.com', email_verified: true, name: 'Pat Renamed', groups: ['vip'] });
    const before = await accountCounts(server.services.db);
    const browser = server.client();
    peer.signInAs('pat-sub');
    const landed = await signInThroughProvider(server, browser, '/sso/idp-users/start');
    assert.equal(landed.status, 303);
    assert.equal(landed.location, '/');
    assert.deepEqual(await accountCounts(server.services.db), { ...before, sessions: before.sessions + 1 });
    const pat = await personByEmail('users', 'pat@example.com');
    assert.equal(pat?.name, 'Pat Renamed');
  });

  it('links an existing password User by a verified email, keeping their password', async () => {
    // Its email proven (an admin vouched): invariant 5 links only to such accounts.
    const lin = await server.services.people.create({ audience: 'users', name: 'Lin', email: 'lin@example.com', password: 'correct horse battery', emailVerified: true });
    const before = await accountCounts(server.services.db);
    const browser = server.client();
    peer.signInAs('lin-sub');
    const landed = await signInThroughProvider(server, browser, '/sso/idp-users/start');
    assert.equal(landed.status, 303);
    assert.deepEqual(await accountCounts(server.services.db), { ...before, identities: before.identities + 1, sessions: before.sessions + 1 });
    const linked = await server.services.people.get(lin.id);
    assert.deepEqual(linked?.identities, [{ appId: usersApp.id, subject: 'lin-sub' }]);
    assert.equal(linked?.hasPassword, true);
    assert.equal((await server.client().signIn('lin@example.com', 'correct horse battery')).status, 303, 'the password still works');
  });

  it('signs an existing agent in through an Agents app, linked by verified email, into the agent console only', async () => {
    const ada = await server.services.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', emailVerified: true });
    const before = await accountCounts(server.services.db);
    const browser = server.client();
    peer.signInAs('ada-sub');
    const landed = await signInThroughProvider(server, browser, '/sso/idp-agents/start');
    assert.equal(landed.status, 303);
    assert.equal(landed.location, '/agent');
    assert.ok(browser.cookies.get('fd_session_agents'));
    assert.equal(browser.cookies.get('fd_session_users'), undefined);
    assert.equal((await browser.get('/agent')).status, 200);
    assert.deepEqual(await accountCounts(server.services.db), { ...before, identities: before.identities + 1, sessions: before.sessions + 1 });
    assert.deepEqual((await server.services.people.get(ada.id))?.identities, [{ appId: agentsApp.id, subject: 'ada-sub' }]);
    const [session] = await server.services.sessions.list({ personId: ada.id });
    assert.equal(session?.audience, 'agents');
  });

  it('creates an unknown agent only through an app with Auto Agent, never as an admin', async () => {
    const browser = server.client();
    peer.signInAs('new-agent-sub');
    const landed = await signInThroughProvider(server, browser, '/sso/idp-auto-agents/start');
    assert.equal(landed.status, 303);
    assert.equal((await browser.get('/agent')).status, 200);
    const agent = await personByEmail('agents', 'newbie@example.com');
    assert.ok(agent);
    assert.equal(agent.audience, 'agents');
    assert.equal(agent.isAdmin, false);
  });

  it('never gives an agent session through a Users app, even to a person who is an agent', async () => {
    const browser = server.client();
    peer.signInAs('ada-sub'); // Ada is an agent; at the Users app she is just a User
    const landed = await signInThroughProvider(server, browser, '/sso/idp-users/start');
    assert.equal(landed.status, 303);
    assert.equal(browser.cookies.get('fd_session_agents'), undefined);
    const console = await browser.get('/agent');
    assert.equal(console.status, 302);
    assert.match(console.location ?? '', /^\/agent\/login/);
    const asUser = await personByEmail('users', 'ada@example.com');
    assert.equal(asUser?.audience, 'users', 'a separate User, not the agent');
    for (const session of await server.services.sessions.list({ personId: asUser!.id })) assert.equal(session.audience, 'users');
  });

  it('reads email and name from userinfo when the ID token carries only the subject', async () => {
    const thin = await startOidcPeer({
      clients: [{ clientId: 'frontdoor-thin', clientSecret: 'thin-client-secret', redirectUris: [callbackUrlFor(server, 'thin-users')] }],
      accounts: [{ id: 'thin-sub', email: 'thin@example.com', email_verified: true, name: 'Thin Token' }],
      claimsInIdToken: false,
    });
    try {
      const app = await installOidcApp(server, { audience: 'users', slug: 'thin-users', issuer: thin.issuer, clientId: 'frontdoor-thin', clientSecret: 'thin-client-secret' });
      assert.equal((await signInThroughProvider(server, server.client(), '/sso/thin-users/start')).status, 303);
      const person = await personByEmail('users', 'thin@example.com');
      assert.equal(person?.name, 'Thin Token');
      assert.deepEqual(person?.emails, [{ email: 'thin@example.com', primary: true, verified: true }]);
      assert.deepEqual(person?.identities, [{ appId: app.id, subject: 'thin-sub' }]);
    } finally {
      await thin.close();
    }
  });

  it('works behind a proxy that serves Frontdoor under a path (PUBLIC_URL with a path)', async () => {
    const prefixed = await startTestServer({ env: { PUBLIC_URL: 'http://localhost:8080/help' } });
    try {
      await installOidcApp(prefixed, { audience: 'users', slug: 'idp-prefixed', issuer: peer.issuer, ...PREFIXED });
      peer.signInAs('pat-sub');
      const browser = prefixed.client();
      const { authorizationUrl, callbackUrl } = await authorizeAtProvider(prefixed, browser, '/sso/idp-prefixed/start');
      assert.equal(authorizationUrl.searchParams.get('redirect_uri'), 'http://localhost:8080/help/sso/idp-prefixed/callback');
      const landed = await browser.get(callbackUrl);
      assert.equal(landed.status, 303, landed.text.slice(0, 400));
      assert.ok(browser.cookies.get('fd_session_users'));
    } finally {
      await prefixed.close();
    }
  });

  it('creates exactly one person and one identity when one person signs in from 12 browsers at once', async () => {
    const before = await accountCounts(server.services.db);
    peer.signInAs('crowd-sub');
    const browsers: TestClient[] = Array.from({ length: 12 }, () => server.client());
    // Every browser first gets its code from the provider; then all callbacks land together.
    const authorized = await Promise.all(browsers.map((b) => authorizeAtProvider(server, b, '/sso/idp-users/start')));
    const landed = await Promise.all(authorized.map((a, i) => browsers[i]!.get(a.callbackUrl)));
    assert.deepEqual(landed.map((r) => r.status), Array(12).fill(303));
    assert.deepEqual(await accountCounts(server.services.db), {
      people: before.people + 1, emails: before.emails + 1, identities: before.identities + 1, sessions: before.sessions + 12,
    });
    const crowd = await personByEmail('users', 'crowd@example.com');
    assert.equal((await server.services.sessions.list({ personId: crowd!.id })).length, 12);
  });
});
