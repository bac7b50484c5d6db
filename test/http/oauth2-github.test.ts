import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthApp } from '../../src/core/apps.ts';
import { accountCounts } from '../helpers/counts.ts';
import { errorPageFacts } from '../helpers/oidc-flow.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';
import { GitHubOAuthPeer, type GitHubPerson } from '../peers/github-oauth.ts';

const cli = { type: 'cli' } as const;

const ada: GitHubPerson = {
  id: 583231, login: 'ada', name: 'Ada Lovelace', email: null,
  emails: [
    { email: 'ada@old.example.com', primary: false, verified: true, visibility: null },
    { email: 'ada@example.com', primary: true, verified: true, visibility: 'private' },
  ],
};

async function whoAmI(browser: TestClient) {
  const response = await browser.get('/api/v1/session?audience=users');
  return response.status === 200 ? (response.json.person as { id: string; name: string; email: string }) : undefined;
}

describe('GitHub sign-in (OAuth 2.0 preset) against a loopback server that answers like GitHub', () => {
  let server: TestServer;
  let github: GitHubOAuthPeer;
  let app: AuthApp;

  before(async () => {
    server = await startTestServer();
    github = await GitHubOAuthPeer.start();
    app = await server.services.apps.create({
      audience: 'users', type: 'github', slug: 'github',
      config: { clientId: github.clientId, clientSecret: github.clientSecret, serverUrl: github.url, apiUrl: github.apiUrl },
    }, cli);
  });
  after(async () => {
    await github.close();
    await server.close();
  });

  /** Start, let "GitHub" answer the authorize request, and bring its answer back to our callback. */
  async function signInAtGitHub(browser: TestClient, returnTo?: string) {
    const start = await browser.get(`/sso/github/start${returnTo ? `?return_to=${encodeURIComponent(returnTo)}` : ''}`);
    assert.equal(start.status, 302, start.text);
    const authorize = new URL(start.location!);
    assert.equal(authorize.origin + authorize.pathname, `${github.url}/login/oauth/authorize`);
    const answer = await fetch(authorize, { redirect: 'manual' });
    const callback = new URL(answer.headers.get('location')!);
    return browser.get(`${callback.pathname}${callback.search}`);
  }

  it('signs in with the primary verified email, keyed on the numeric id, with PKCE S256', async () => {
    github.person = ada;
    const browser = server.client();
    const done = await signInAtGitHub(browser, '/articles/1');
    assert.equal(done.status, 303, done.text.slice(0, 400));
    assert.equal(done.location, '/articles/1');
    const asked = github.authorizeRequests.at(-1)!;
    assert.equal(asked.get('code_challenge_method'), 'S256');
    assert.match(asked.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(asked.get('scope'), 'read:user user:email');
    assert.equal(asked.get('redirect_uri'), 'http://localhost:8080/sso/github/oauth2/callback');
    const me = await whoAmI(browser);
    assert.equal(me?.email, 'ada@example.com');
    assert.equal(me?.name, 'Ada Lovelace');
    const [identity] = await server.services.db.query<{ subject: string }>('SELECT subject FROM identities WHERE app_id = $1', [app.id]);
    assert.equal(identity?.subject, '583231');
  });

  it('never trusts an unverified primary email: no link to the existing account of that address', async () => {
    await server.services.people.create({ audience: 'users', name: 'Grace', email: 'grace@example.com', password: 'correct horse battery', emailVerified: true });
    // A stranger added grace@example.com to their GitHub account without proving it
    // (and a public profile email that says the same): neither is trusted.
    github.person = {
      id: 999001, login: 'not-grace', name: 'Not Grace', email: 'grace@example.com',
      emails: [{ email: 'grace@example.com', primary: true, verified: false, visibility: 'public' }, { email: 'x@example.net', primary: false, verified: true, visibility: null }],
    };
    const before = await accountCounts(server.services.db);
    const refused = await signInAtGitHub(server.client(), '/articles/2');
    assert.equal(refused.status, 403);
    const facts = errorPageFacts(refused);
    assert.equal(facts.code, 'sso.email_unverified');
    assert.equal(facts.retryHref, `/sso/github/start?retry=1&return_to=${encodeURIComponent('/articles/2')}`);
    assert.deepEqual(await accountCounts(server.services.db), before, 'nothing created or linked');
    const [trace] = await server.services.db.query<{ error_code: string; claims: { email_verified: boolean } }>(
      'SELECT error_code, claims FROM sso_traces WHERE id = $1', [facts.traceId],
    );
    assert.equal(trace?.error_code, 'sso.email_unverified');
    assert.equal(trace?.claims.email_verified, false);
  });

  it('Cancel at GitHub is sso.cancelled; a wrong client secret is the provider\'s refusal, traced', async () => {
    github.person = ada;
    github.denyWith = 'access_denied';
    try {
      assert.equal(errorPageFacts(await signInAtGitHub(server.client())).code, 'sso.cancelled');
    } finally {
      github.denyWith = undefined;
    }
    await server.services.apps.update(app.id, { config: { clientSecret: 'not-the-secret' } }, cli);
    try {
      const refused = await signInAtGitHub(server.client());
      assert.equal(refused.status, 502);
      assert.equal(errorPageFacts(refused).code, 'sso.provider_error');
    } finally {
      await server.services.apps.update(app.id, { config: { clientSecret: github.clientSecret } }, cli);
    }
  });

  it('refuses an answer with another browser\'s or a used state before redeeming any code', async () => {
    github.person = ada;
    const browser = server.client();
    const start = await browser.get('/sso/github/start');
    const answer = await fetch(start.location!, { redirect: 'manual' });
    const callback = new URL(answer.headers.get('location')!);
    const elsewhere = await server.client().get(`${callback.pathname}${callback.search}`);
    assert.equal(errorPageFacts(elsewhere).code, 'sso.browser_mismatch');
    const replayed = await browser.get(`${callback.pathname}${callback.search}`);
    assert.equal(errorPageFacts(replayed).code, 'sso.state_invalid');
  });

  it('the admin API shows the callback to register at GitHub, and no OIDC or SAML addresses', async () => {
    const found = (await server.services.apps.find(app.id))!;
    assert.equal(found.name, 'GitHub');
    assert.deepEqual(found.secretsSet, ['clientSecret']);
    const { ssoUrlsFor } = await import('../../src/http/routes/sso.ts');
    assert.deepEqual(ssoUrlsFor(found, server.services.config.publicUrl), {
      start: 'http://localhost:8080/sso/github/start', callback: 'http://localhost:8080/sso/github/oauth2/callback',
    });
  });

  it('the Test button checks the credentials and endpoints without signing anyone in', async () => {
    const { key } = await server.services.apiKeys.create('github-test', null);
    const test = async (slug: string) => {
      const response = await server.client().sendJson('POST', `/api/v1/apps/${slug}/test`, undefined, { authorization: `Bearer ${key}` });
      assert.equal(response.status, 200, response.text);
      const checks = response.json.checks as { name: string; ok: boolean; detail: string }[];
      return { ok: response.json.ok as boolean, failed: checks.filter((c) => !c.ok).map((c) => c.name), detail: (name: string) => checks.find((c) => c.name === name)?.detail ?? '' };
    };
    github.person = ada;
    const before = await accountCounts(server.services.db);
    const good = await test('github');
    assert.deepEqual(good.failed, []);
    assert.equal(good.ok, true);
    assert.match(good.detail('client_credentials'), /bad_verification_code/);
    assert.deepEqual(await accountCounts(server.services.db), before, 'nobody signed in or was created');

    const config = { clientId: github.clientId, serverUrl: github.url, apiUrl: github.apiUrl };
    await server.services.apps.create({ audience: 'users', type: 'github', slug: 'gh-wrong-secret', config: { ...config, clientSecret: 'f'.repeat(40) } }, cli);
    const wrongSecret = await test('gh-wrong-secret');
    assert.deepEqual(wrongSecret.failed, ['client_credentials']);
    assert.match(wrongSecret.detail('client_credentials'), /incorrect_client_credentials/);

    await server.services.apps.create({ audience: 'users', type: 'github', slug: 'gh-spaced', config: { ...config, clientSecret: `${github.clientSecret} x` } }, cli);
    assert.deepEqual((await test('gh-spaced')).failed, ['client_secret', 'client_credentials']);

    await server.services.apps.create({ audience: 'users', type: 'github', slug: 'gh-wrong-api', config: { ...config, clientSecret: github.clientSecret, apiUrl: `${github.url}/nowhere` } }, cli);
    assert.deepEqual((await test('gh-wrong-api')).failed, ['user_endpoint']);

    // A port nothing listens on: every endpoint fails, none is taken for an answer.
    const closed = await GitHubOAuthPeer.start();
    await closed.close();
    await server.services.apps.create({ audience: 'users', type: 'github', slug: 'gh-down', config: { clientId: github.clientId, clientSecret: github.clientSecret, serverUrl: closed.url, apiUrl: closed.apiUrl } }, cli);
    const down = await test('gh-down');
    assert.equal(down.ok, false);
    assert.deepEqual(down.failed, ['authorize_endpoint', 'client_credentials', 'user_endpoint']);
  });
});
