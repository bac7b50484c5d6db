import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { installOidcApp } from '../helpers/oidc-flow.ts';
import { rawToken } from '../helpers/jwt.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startForgingOidcPeer, type ForgingOidcPeer } from '../peers/forging-oidc-provider.ts';

const PASSWORD = 'correct horse battery';

// Signed-but-invalid logout tokens, replay and another app's token are in test/http/oidc-logout.test.ts
// (against a real provider). This file sends what is not a logout token at all: every answer is
// 400 with the spec's error shape (never a 5xx), audited once it names an app, and revokes nothing.
describe('OIDC back-channel logout: malformed requests', () => {
  let server: TestServer;
  let forger: ForgingOidcPeer;

  before(async () => {
    forger = await startForgingOidcPeer();
    server = await startTestServer();
    await installOidcApp(server, { audience: 'users', slug: 'forged-users', issuer: forger.issuer, clientId: 'forged-client', clientSecret: 'forged-secret' });
    await server.services.people.create({ audience: 'users', name: 'Ann', email: 'ann@example.com', password: PASSWORD });
  });
  after(async () => {
    await server.close();
    await forger.close();
  });

  it('refuses every malformed request with sso.logout_token_invalid or sso.app_unavailable, revoking nothing', async () => {
    const bystander = server.client();
    await bystander.signIn('ann@example.com', PASSWORD);
    const path = '/sso/forged-users/backchannel-logout';
    const now = Math.floor(Date.now() / 1000);
    const unsigned = rawToken({ alg: 'none', typ: 'logout+jwt' }, {
      iss: forger.issuer, aud: 'forged-client', iat: now, exp: now + 60, jti: 'j', sub: 'forged-person', events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const requests: [string, { body?: string; headers?: Record<string, string> }, string][] = [
      ['no body', {}, 'sso.logout_token_invalid'],
      ['empty form', { body: '', headers: form }, 'sso.logout_token_invalid'],
      ['garbage', { body: 'logout_token=not.a.jwt', headers: form }, 'sso.logout_token_invalid'],
      ['alg none', { body: `logout_token=${unsigned}`, headers: form }, 'sso.logout_token_invalid'],
      ['two tokens', { body: 'logout_token=a.b.c&logout_token=d.e.f', headers: form }, 'sso.logout_token_invalid'],
      ['oversized token', { body: `logout_token=${'a'.repeat(30_000)}`, headers: form }, 'sso.logout_token_invalid'],
      ['JSON with an array', { body: JSON.stringify({ logout_token: ['a.b.c'] }), headers: { 'content-type': 'application/json' } }, 'sso.logout_token_invalid'],
      ['bad percent-encoding', { body: 'logout_token=%E0%A4%A', headers: form }, 'sso.logout_token_invalid'],
    ];
    const failuresBefore = (await server.services.audit.list({ action: 'signout.backchannel', outcome: 'failure', limit: 100 })).length;
    for (const [name, init, code] of requests) {
      const response = await server.client().request('POST', path, init);
      assert.equal(response.status, 400, `${name}: ${response.text.slice(0, 200)}`);
      assert.equal(response.json?.code ?? response.json?.error?.code, code, name);
      assert.equal(response.headers.get('cache-control'), 'no-store', name);
    }
    const unknown = await server.client().postForm('/sso/no-such-app/backchannel-logout', { logout_token: unsigned });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.code, 'sso.app_unavailable');
    const failures = (await server.services.audit.list({ action: 'signout.backchannel', outcome: 'failure', limit: 100 })).length;
    assert.ok(failures >= failuresBefore + 3, 'tokens that reach verification are audited');
    assert.equal((await bystander.get('/api/v1/session')).status, 200, 'nobody was signed out');
    const oversized = await fetch(`${server.url}${path}`, { method: 'POST', headers: form, body: `logout_token=${'a'.repeat(70 * 1024)}` });
    assert.equal(oversized.status, 413);
  });
});
