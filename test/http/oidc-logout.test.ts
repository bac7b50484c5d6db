import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthApp } from '../../src/core/apps.ts';
import { accountCounts } from '../helpers/counts.ts';
import {
  authorizeAtProvider, callbackUrlFor, confirmSignOutAtProvider, errorPageFacts, installOidcApp, signInThroughProvider,
} from '../helpers/oidc-flow.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';
import { startOidcPeer, type OidcPeer } from '../peers/oidc-provider.ts';

// Automatic SSO (no login form; the Help Center sends anonymous visitors to the provider),
// logout through the provider's end_session, back-channel logout, a provider error that
// must not loop, and the admin's Test button against the same real provider.

const USERS = { clientId: 'frontdoor-users', clientSecret: 'users-client-secret' };
const AGENTS = { clientId: 'frontdoor-agents', clientSecret: 'agents-client-secret' };

describe('Automatic SSO and logout with a real provider', () => {
  let server: TestServer;
  let peer: OidcPeer;
  let usersApp: AuthApp;
  let membersArticle: string;

  before(async () => {
    server = await startTestServer();
    peer = await startOidcPeer({
      clients: [
        { ...USERS, redirectUris: [callbackUrlFor(server, 'idp-users')], backchannelLogoutUri: `${server.url}/sso/idp-users/backchannel-logout` },
        { ...AGENTS, redirectUris: [callbackUrlFor(server, 'idp-agents')], backchannelLogoutUri: `${server.url}/sso/idp-agents/backchannel-logout` },
      ],
      accounts: [
        { id: 'uma-sub', email: 'uma@example.com', email_verified: true, name: 'Uma' },
        { id: 'bo-sub', email: 'bo@example.com', email_verified: true, name: 'Bo' },
        { id: 'root-sub', email: 'root@example.com', email_verified: true, name: 'Root' },
      ],
    });
    usersApp = await installOidcApp(server, { audience: 'users', slug: 'idp-users', issuer: peer.issuer, ...USERS, sso: 'automatic' });
    // Linking agents by email is off on Agents apps by default; this one links Root, whose email an admin vouched for.
    await installOidcApp(server, { audience: 'agents', slug: 'idp-agents', issuer: peer.issuer, ...AGENTS, sso: 'automatic', config: { trustEmail: true } });
    const registered = await server.services.usergroups.systemGroupId('registered');
    membersArticle = (await server.services.articles.create({ title: 'Members guide', body: 'For signed-in people', usergroupIds: [registered] })).id;
    await server.services.people.create({ audience: 'agents', name: 'Root', email: 'root@example.com', password: 'correct horse battery', isAdmin: true, emailVerified: true });
  });
  after(async () => {
    await peer.close();
    await server.close();
  });

  const sessionOf = async (browser: TestClient, audience: 'users' | 'agents') => {
    const token = browser.cookies.get(`fd_session_${audience}`);
    return token ? server.services.sessions.resolve(token, audience) : undefined;
  };

  it('sends an anonymous Help Center visitor to the provider and back to the page asked for', async () => {
    const browser = server.client();
    peer.signInAs('uma-sub');
    const gate = await browser.get(`/articles/${membersArticle}`);
    assert.equal(gate.status, 302);
    assert.equal(gate.location, `/sso/idp-users/start?return_to=${encodeURIComponent(`/articles/${membersArticle}`)}`);
    assert.equal((await browser.get('/login')).location, '/sso/idp-users/start?return_to=%2F', 'no login form either');

    const { authorizationUrl, callbackUrl } = await authorizeAtProvider(server, browser, gate.location!);
    assert.equal(authorizationUrl.origin, peer.issuer);
    const landed = await browser.get(callbackUrl);
    assert.equal(landed.status, 303);
    assert.equal(landed.location, `/articles/${membersArticle}`);
    const article = await browser.get(landed.location!);
    assert.equal(article.status, 200);
    assert.match(article.text, /Members guide/);
  });

  it('signs out locally, then ends at the provider\'s logout screen, which ends the provider session too', async () => {
    const browser = server.client();
    peer.signInAs('uma-sub');
    assert.equal((await signInThroughProvider(server, browser, '/sso/idp-users/start')).status, 303);
    const session = await sessionOf(browser, 'users');
    assert.ok(session);

    const csrf = await browser.csrfFrom('/logout');
    const out = await browser.postForm('/logout', { _csrf: csrf });
    assert.equal(out.status, 303);
    const endSession = new URL(out.location!);
    assert.equal(`${endSession.origin}${endSession.pathname}`, `${peer.issuer}/session/end`);
    assert.equal(endSession.searchParams.get('client_id'), USERS.clientId);
    assert.ok(endSession.searchParams.get('id_token_hint')?.startsWith('eyJ'), 'id_token_hint');
    assert.equal(endSession.searchParams.get('post_logout_redirect_uri'), null, 'none configured: people stay on the logout screen');
    assert.equal((await server.services.sessions.get(session.id))?.revokedAt !== null, true, 'the local session is revoked at once');
    assert.equal(await sessionOf(browser, 'users'), undefined);

    const final = await confirmSignOutAtProvider(browser, endSession.href);
    assert.equal(final.status, 200);
    assert.match(final.text, /Sign-out Success/);
    assert.deepEqual(peer.backchannelErrors, []);

    // The provider session is gone: the next Automatic sign-in meets its login screen again.
    const interactionsBefore = peer.interactions;
    assert.equal((await signInThroughProvider(server, browser, '/sso/idp-users/start')).status, 303);
    assert.equal(peer.interactions, interactionsBefore + 1);
  });

  it('revokes the Frontdoor session when the person signs out at the provider (back-channel logout)', async () => {
    const browser = server.client();
    peer.signInAs('bo-sub');
    assert.equal((await signInThroughProvider(server, browser, '/sso/idp-users/start')).status, 303);
    const session = await sessionOf(browser, 'users');
    assert.ok(session?.externalSid, 'the provider session id (sid) is remembered');

    // The provider's own sign-out, not started by Frontdoor: only the back channel tells us.
    const final = await confirmSignOutAtProvider(browser, `${peer.issuer}/session/end`);
    assert.match(final.text, /Sign-out Success/);
    assert.deepEqual(peer.backchannelErrors, []);
    const revoked = await server.services.sessions.get(session.id);
    assert.ok(revoked?.revokedAt);
    assert.equal(revoked.revokedReason, 'back-channel logout from the identity service');
    const home = await browser.get('/');
    assert.equal(home.status, 302, 'signed out: Automatic sends them to sign in again');
  });

  it('accepts a logout token once and refuses it replayed, or sent to another app', async () => {
    const browser = server.client();
    peer.signInAs('bo-sub');
    assert.equal((await signInThroughProvider(server, browser, '/sso/idp-users/start')).status, 303);
    const session = await sessionOf(browser, 'users');
    const token = await peer.issueLogoutToken(USERS.clientId, 'bo-sub', session!.externalSid!);
    const post = (slug: string) => server.client().postForm(`/sso/${slug}/backchannel-logout`, { logout_token: token });

    const wrongApp = await post('idp-agents'); // audience frontdoor-users, not frontdoor-agents
    assert.equal(wrongApp.status, 400);
    assert.equal(wrongApp.json.code, 'sso.logout_token_invalid');
    assert.ok(await sessionOf(browser, 'users'), 'a refused token revokes nothing');

    const first = await post('idp-users');
    assert.equal(first.status, 200);
    assert.equal(await sessionOf(browser, 'users'), undefined);

    const replayed = await post('idp-users');
    assert.equal(replayed.status, 400);
    assert.equal(replayed.json.code, 'sso.logout_token_invalid');
    assert.equal(replayed.json.error, 'invalid_request');

    const garbage = await server.client().postForm('/sso/idp-users/backchannel-logout', { logout_token: 'not.a.jwt' });
    assert.equal(garbage.status, 400);
  });

  it('refuses logout tokens that are signed by the provider but not valid, revoking nothing', async () => {
    const browser = server.client();
    peer.signInAs('bo-sub');
    assert.equal((await signInThroughProvider(server, browser, '/sso/idp-users/start')).status, 303);
    const session = await sessionOf(browser, 'users');
    const sid = session!.externalSid!;
    const now = Math.floor(Date.now() / 1000);
    const valid = {
      iss: peer.issuer, aud: USERS.clientId, iat: now, exp: now + 120, sub: 'bo-sub', sid,
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    };
    const { events: _events, ...withoutEvents } = valid;
    const { sub: _sub, sid: _sid, ...withoutSubject } = valid;
    const invalid: Record<string, Record<string, unknown>> = {
      'no events claim (an ID token)': { ...withoutEvents, jti: 'j-1' },
      'a nonce': { ...valid, jti: 'j-2', nonce: 'n' },
      'another issuer': { ...valid, jti: 'j-3', iss: 'https://evil.example' },
      'another audience': { ...valid, jti: 'j-4', aud: AGENTS.clientId },
      'no jti': { ...valid },
      'neither sub nor sid': { ...withoutSubject, jti: 'j-5' },
      'an expiry in the past': { ...valid, jti: 'j-6', iat: now - 900, exp: now - 600 },
    };
    for (const [name, claims] of Object.entries(invalid)) {
      const response = await server.client().postForm('/sso/idp-users/backchannel-logout', { logout_token: await peer.signLogoutToken(claims) });
      assert.equal(response.status, 400, name);
      assert.equal(response.json.code, 'sso.logout_token_invalid', name);
    }
    // The ID token itself (as sent in id_token_hint) is no logout token either.
    const out = await browser.postForm('/logout', { _csrf: await browser.csrfFrom('/logout') });
    const idToken = new URL(out.location!).searchParams.get('id_token_hint')!;
    const asLogout = await server.client().postForm('/sso/idp-users/backchannel-logout', { logout_token: idToken });
    assert.equal(asLogout.json.code, 'sso.logout_token_invalid');
    assert.equal((await server.services.sessions.get(session!.id))?.revokedReason, 'signed out', 'only the person\'s own sign-out revoked it');
  });

  it('shows an error page with Try again when the person cancels at the provider, and never redirects on its own', async () => {
    const before = await accountCounts(server.services.db);
    const browser = server.client();
    peer.refuseNext('access_denied');
    const { callbackUrl } = await authorizeAtProvider(server, browser, `/articles/${membersArticle}`);
    assert.equal(new URL(callbackUrl).searchParams.get('error'), 'access_denied');
    const page = await browser.get(callbackUrl);
    assert.equal(page.status, 401);
    assert.equal(page.location, null, 'a page, not a redirect');
    const facts = errorPageFacts(page);
    assert.equal(facts.code, 'sso.cancelled');
    assert.equal((await server.services.ssoTraces.require(facts.traceId)).failedCheck, 'authorization_response');
    assert.equal(facts.retryHref, `/sso/idp-users/start?retry=1&return_to=${encodeURIComponent(`/articles/${membersArticle}`)}`);
    assert.deepEqual(await accountCounts(server.services.db), before);

    // Try again (the person changed their mind): a new attempt that goes through.
    peer.signInAs('uma-sub');
    const { callbackUrl: again } = await authorizeAtProvider(server, browser, facts.retryHref!);
    const landed = await browser.get(again);
    assert.equal(landed.status, 303);
    assert.equal(landed.location, `/articles/${membersArticle}`);
  });

  it('stops a browser that keeps bouncing to the provider with a page instead of another redirect', async () => {
    const browser = server.client();
    const starts: number[] = [];
    for (let i = 0; i < 6; i++) starts.push((await browser.get((await browser.get('/')).location!)).status);
    assert.deepEqual(starts, [302, 302, 302, 302, 302, 429]);
    const page = await browser.get('/sso/idp-users/start');
    assert.equal(errorPageFacts(page).code, 'sso.loop_detected');
    assert.match(errorPageFacts(page).retryHref ?? '', /^\/sso\/idp-users\/start\?retry=1/);
    assert.equal((await browser.get(errorPageFacts(page).retryHref!)).status, 302, 'Try again is always allowed');
  });

  it('sends agents to the provider too, while admins keep the break-glass password door', async () => {
    const agentLogin = await server.client().get('/agent/login');
    assert.equal(agentLogin.status, 302);
    assert.match(agentLogin.location ?? '', /^\/sso\/idp-agents\/start/);
    const admin = server.client();
    const breakGlass = await admin.get('/agent/login?break_glass=1');
    assert.equal(breakGlass.status, 200);
    assert.match(breakGlass.text, /name="password"/);
    const signedIn = await admin.signIn('root@example.com', 'correct horse battery', 'agents', { break_glass: '1' });
    assert.equal(signedIn.status, 303);
    assert.equal((await admin.get('/agent')).status, 200);

    peer.signInAs('root-sub');
    const agent = server.client();
    assert.equal((await signInThroughProvider(server, agent, '/agent/login')).status, 303);
    assert.ok(await sessionOf(agent, 'agents'));
    const out = await agent.postForm('/agent/logout', { _csrf: await agent.csrfFrom('/agent/logout') });
    assert.equal(new URL(out.location!).searchParams.get('client_id'), AGENTS.clientId, 'an agent signs out at the provider too');
  });

  describe('the Test button', () => {
    let key: string;
    before(async () => {
      ({ key } = await server.services.apiKeys.create('tests', null));
    });
    const api = (method: string, path: string, body?: unknown) => server.client().sendJson(method, path, body, { authorization: `Bearer ${key}` });

    it('reports every check passing against the real provider, and the callback URL to copy', async () => {
      const response = await api('POST', `/api/v1/apps/${usersApp.id}/test`);
      assert.equal(response.status, 200);
      assert.equal(response.json.ok, true, JSON.stringify(response.json));
      assert.deepEqual(response.json.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok]), [
        ['discovery', true], ['signing_keys', true], ['endpoints', true], ['client_credentials', true],
      ]);
      const app = await api('GET', '/api/v1/apps/idp-users');
      assert.equal(app.json.app.urls.callback, 'http://localhost:8080/sso/idp-users/callback');
      assert.equal(app.json.app.urls.backchannelLogout, 'http://localhost:8080/sso/idp-users/backchannel-logout');
    });

    it('reports a wrong client secret, and an unreachable provider', async () => {
      const wrong = await api('POST', '/api/v1/apps', {
        audience: 'users', type: 'oidc', slug: 'wrong-secret', config: { issuer: peer.issuer, clientId: USERS.clientId, clientSecret: 'not-the-secret' },
      });
      assert.equal(wrong.status, 201);
      const tested = await api('POST', '/api/v1/apps/wrong-secret/test');
      assert.equal(tested.json.ok, false);
      const credentials = tested.json.checks.find((c: { name: string }) => c.name === 'client_credentials');
      assert.equal(credentials.ok, false);
      assert.match(credentials.detail, /invalid_client/);

      await api('POST', '/api/v1/apps', {
        audience: 'users', type: 'oidc', slug: 'nowhere', config: { issuer: 'http://127.0.0.1:9/', clientId: 'x', clientSecret: 'y' },
      });
      const unreachable = await api('POST', '/api/v1/apps/nowhere/test');
      assert.equal(unreachable.json.ok, false);
      assert.deepEqual(unreachable.json.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok]), [['discovery', false]]);
    });
  });
});
