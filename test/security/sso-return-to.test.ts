import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertStaysOnSite, OPEN_REDIRECTS } from '../helpers/attacks.ts';
import { installOidcApp, signInThroughProvider } from '../helpers/oidc-flow.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startForgingOidcPeer, type ForgingOidcPeer } from '../peers/forging-oidc-provider.ts';

// return_to through an external sign-in: /sso/:app/start keeps it in the sign-in transaction and
// the callback redirects to it. (JWT: test/security/jwt-attacks.test.ts; SAML RelayState:
// test/http/saml-sign-in.test.ts.)
describe('open redirects through OIDC sign-in', () => {
  let server: TestServer;
  let forger: ForgingOidcPeer;

  before(async () => {
    forger = await startForgingOidcPeer();
    server = await startTestServer();
    await installOidcApp(server, { audience: 'users', slug: 'redirects', issuer: forger.issuer, clientId: 'forged-client', clientSecret: 'forged-secret' });
    forger.subject = 'redirect-tester';
    forger.baseClaims = { email: 'redirect-tester@example.com', email_verified: true };
  });
  after(async () => {
    await server.close();
    await forger.close();
  });

  it('every off-site return_to given to /sso/:app/start lands at home after the callback', async () => {
    for (const target of OPEN_REDIRECTS) {
      const landed = await signInThroughProvider(server, server.client(), `/sso/redirects/start?return_to=${encodeURIComponent(target)}`);
      assert.equal(landed.status, 303, target);
      assertStaysOnSite(landed.location);
      assert.equal(landed.location, '/', target);
    }
    const kept = await signInThroughProvider(server, server.client(), `/sso/redirects/start?return_to=${encodeURIComponent('/articles/x?y=1')}`);
    assert.equal(kept.location, '/articles/x?y=1', 'a path here is kept (control)');
  });
});
