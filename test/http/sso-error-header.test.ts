import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { errorCodeOf } from '../helpers/jwt.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';
const cli = { type: 'cli' } as const;
// An identity service nobody runs: the refusals below happen before it would be asked.
const OIDC = { issuer: 'http://127.0.0.1:9/', clientId: 'frontdoor', clientSecret: 'shh-secret' };

// Issue 18 part 4, "signed-in header on every page": the error pages of single sign-on say who
// is signed in, for the audience of the app the address names (an agent app's pages are the
// agents'), also when the SSO route sends the page itself rather than through the error handler.
describe('SSO error pages keep the signed-in header', () => {
  let server: TestServer;
  let user: TestClient;
  let agent: TestClient;
  const header = (who: string, logout: string) => new RegExp(`Signed in as ${who.replace('.', '\\.')}</span>\\s*<form method="post" action="${logout}">`);

  before(async () => {
    server = await startTestServer();
    const s = server.services;
    await s.people.create({ audience: 'users', name: 'Una', email: 'una@example.com', password: PASSWORD });
    await s.people.create({ audience: 'agents', name: 'Abe', email: 'abe@example.com', password: PASSWORD });
    await s.apps.create({ audience: 'users', type: 'oidc', slug: 'hc-idp', enabled: true, config: OIDC }, cli);
    await s.apps.create({ audience: 'agents', type: 'oidc', slug: 'agent-idp', enabled: true, config: OIDC }, cli);
    await s.apps.create({ audience: 'agents', type: 'oidc', slug: 'agent-idp-off', enabled: false, config: OIDC }, cli);
    user = server.client();
    assert.equal((await user.signIn('una@example.com', PASSWORD)).status, 303);
    agent = server.client();
    assert.equal((await agent.signIn('abe@example.com', PASSWORD, 'agents')).status, 303);
  });
  after(async () => {
    await server.close();
  });

  it('a signed-in User refused at the OIDC callback (a state never issued) sees their header and Sign out', async () => {
    const refused = await user.get('/sso/hc-idp/callback?state=a-state-frontdoor-never-issued&code=x');
    assert.equal(refused.status, 400);
    assert.equal(errorCodeOf(refused), 'sso.state_invalid');
    assert.match(refused.text, header('una@example.com', '/logout'));
  });

  it('a signed-in Agent refused at an agent app\'s callback sees theirs, not a Help Center header', async () => {
    const refused = await agent.get('/sso/agent-idp/callback?state=a-state-frontdoor-never-issued&code=x');
    assert.equal(refused.status, 400);
    assert.equal(errorCodeOf(refused), 'sso.state_invalid');
    assert.match(refused.text, header('abe@example.com', '/agent/logout'));
    // A User's session is not the agent app's audience: no header claims them signed in there.
    const other = await user.get('/sso/agent-idp/callback?state=a-state-frontdoor-never-issued&code=x');
    assert.equal(other.status, 400);
    assert.doesNotMatch(other.text, /Signed in as/);
  });

  it('an error thrown by an SSO route (an agent app turned off) shows the agent\'s header too', async () => {
    const refused = await agent.get('/sso/agent-idp-off/start');
    assert.equal(errorCodeOf(refused), 'sso.app_unavailable');
    assert.match(refused.text, header('abe@example.com', '/agent/logout'));
  });
});
