import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SamlIdp } from '../peers/saml-idp.ts';
import { errorCodeOf, installSamlApp, loginAtIdp, postToAcs } from '../helpers/saml.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('SAML sign-in against a real IdP (samlify)', () => {
  let server: TestServer;
  let idp: SamlIdp;

  before(async () => {
    server = await startTestServer();
    idp = await SamlIdp.start();
  });
  after(async () => {
    await idp.close();
    await server.close();
  });

  it('signs a new User in with a Redirect-binding AuthnRequest and a signed assertion', async () => {
    const { app, sp } = await installSamlApp(server, idp, { slug: 'saml-users', signResponse: false });
    const browser = server.client();
    const answer = await loginAtIdp(browser, app, idp, sp, { nameId: 'ada@example.com', email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' }, {}, '/articles/1');
    const done = await postToAcs(browser, app, answer);
    assert.equal(done.status, 303, errorCodeOf(done) ?? done.text.slice(0, 300));
    assert.equal(done.location, '/articles/1');
    const session = await browser.get('/api/v1/session');
    assert.equal(session.status, 200);
  });
});
