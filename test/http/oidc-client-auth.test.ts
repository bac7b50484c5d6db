import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import { accountCounts } from '../helpers/counts.ts';
import { callbackUrlFor, errorPageFacts, installOidcApp, signInThroughProvider } from '../helpers/oidc-flow.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startOidcPeer, type OidcPeer } from '../peers/oidc-provider.ts';

// Client authentication at the token endpoint against oidc-provider configured as providers
// are in the wild: one that accepts only client_secret_post; one that lists Basic, POST and
// private_key_jwt; one that reads Basic credentials without form-decoding them (as
// LemonLDAP::NG does); with the default (`auto`: from discovery), the admin's override, and
// the Test button's advice on a refusal.

const cli = { type: 'cli' } as const;
const ACCOUNT = { id: 'cam-sub', email: 'cam@example.com', email_verified: true, name: 'Cam' };

describe('OIDC client authentication with oidc-provider', () => {
  let server: TestServer;
  let postOnly: OidcPeer;
  let both: OidcPeer;
  let undecoded: OidcPeer;
  let key: string;
  const test = async (slug: string) => {
    const response = await server.client().sendJson('POST', `/api/v1/apps/${slug}/test`, undefined, { authorization: `Bearer ${key}` });
    assert.equal(response.status, 200, response.text);
    return response.json.checks.find((c: { name: string }) => c.name === 'client_credentials') as { ok: boolean; detail: string };
  };
  const signIn = async (slug: string) => signInThroughProvider(server, server.client(), `/sso/${slug}/start`);

  before(async () => {
    server = await startTestServer();
    ({ key } = await server.services.apiKeys.create('tests', null));
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    postOnly = await startOidcPeer({
      clientAuthMethods: ['client_secret_post'],
      clients: [{ clientId: 'post-only', clientSecret: 'post-only-secret', tokenEndpointAuthMethod: 'client_secret_post', redirectUris: [callbackUrlFor(server, 'post-only')] }],
      accounts: [ACCOUNT],
    });
    both = await startOidcPeer({
      clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      clients: [
        { clientId: 'plain', clientSecret: 'plain-client-secret', redirectUris: [callbackUrlFor(server, 'plain')] },
        // Base64 characters and a colon: they go out form-urlencoded, which oidc-provider decodes.
        { clientId: 'special:id', clientSecret: 'b64+/=se:cret', redirectUris: [callbackUrlFor(server, 'special')] },
        { clientId: 'keyed', clientSecret: 'unused-secret-of-keyed', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'fd-1', alg: 'RS256', use: 'sig' }] }, redirectUris: [callbackUrlFor(server, 'keyed')] },
      ],
      accounts: [ACCOUNT],
    });
    undecoded = await startOidcPeer({
      readsBasicUndecoded: true,
      clientAuthMethods: ['client_secret_post', 'client_secret_basic'],
      clients: [
        { clientId: 'dashed', clientSecret: 'demo-client-secret', redirectUris: [callbackUrlFor(server, 'dashed')] },
        { clientId: 'base64', clientSecret: 'b64+/=secret', redirectUris: [callbackUrlFor(server, 'base64')] },
      ],
      accounts: [ACCOUNT],
    });
    await installOidcApp(server, { audience: 'users', slug: 'dashed', issuer: undecoded.issuer, clientId: 'dashed', clientSecret: 'demo-client-secret' });
    await installOidcApp(server, { audience: 'users', slug: 'base64', issuer: undecoded.issuer, clientId: 'base64', clientSecret: 'b64+/=secret' });
    await installOidcApp(server, { audience: 'users', slug: 'post-only', issuer: postOnly.issuer, clientId: 'post-only', clientSecret: 'post-only-secret' });
    await installOidcApp(server, { audience: 'users', slug: 'special', issuer: both.issuer, clientId: 'special:id', clientSecret: 'b64+/=se:cret' });
    await installOidcApp(server, { audience: 'users', slug: 'wrong-secret', issuer: both.issuer, clientId: 'plain', clientSecret: 'not-the-secret' });
    await server.services.apps.create({
      audience: 'users', type: 'oidc', slug: 'keyed', showButton: true,
      config: { issuer: both.issuer, clientId: 'keyed', privateKeyJwk: JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'fd-1', alg: 'RS256' }) },
    }, cli);
  });
  after(async () => {
    await undecoded?.close();
    await postOnly?.close();
    await both?.close();
    await server?.close();
  });

  it('uses client_secret_post by default with a provider that accepts only that, and Test says so', async () => {
    const signedIn = await signIn('post-only');
    assert.equal(signedIn.status, 303, signedIn.text.slice(0, 400));
    const check = await test('post-only');
    assert.equal(check.ok, true, check.detail);
    assert.match(check.detail, /with client_secret_post \(auto: .*client_secret_post\)/);
  });

  it('sends a secret with base64 characters and an id with a colon form-urlencoded in Basic, which the provider decodes', async () => {
    const signedIn = await signIn('special');
    assert.equal(signedIn.status, 303, signedIn.text.slice(0, 400));
    const check = await test('special');
    assert.equal(check.ok, true, check.detail);
    assert.match(check.detail, /with client_secret_basic/);
  });

  it('signs the token request with the private key when the app has one and the provider lists private_key_jwt', async () => {
    const signedIn = await signIn('keyed');
    assert.equal(signedIn.status, 303, signedIn.text.slice(0, 400));
    assert.match((await test('keyed')).detail, /with private_key_jwt/);
  });

  it('signs in with Basic by default at a provider that does not decode Basic credentials: demo-client-secret goes out as it is', async () => {
    const signedIn = await signIn('dashed');
    assert.equal(signedIn.status, 303, signedIn.text.slice(0, 400));
    const check = await test('dashed');
    assert.equal(check.ok, true, check.detail);
    assert.match(check.detail, /with client_secret_basic \(auto/);
  });

  it('on a refused Basic, Test names the method the provider accepts instead of blaming the secret; the override then signs in', async () => {
    const before = await accountCounts(server.services.db);
    const refused = await signIn('base64');
    const facts = errorPageFacts(refused);
    assert.equal(facts.code, 'sso.provider_error');
    const trace = await server.services.ssoTraces.require(facts.traceId);
    assert.equal(trace.failedCheck, 'token_endpoint');
    assert.match(trace.detail ?? '', /client authentication client_secret_basic/);
    assert.deepEqual(await accountCounts(server.services.db), before, 'a refused sign-in creates nothing');

    const check = await test('base64');
    assert.equal(check.ok, false);
    assert.match(check.detail, /refused the client authentication .* with client_secret_basic .*accepts the same credentials with client_secret_post/);
    assert.match(check.detail, /set clientAuth to "client_secret_post"/);
    assert.doesNotMatch(check.detail, /check the client id and secret/);

    await server.services.apps.update('base64', { config: { clientAuth: 'client_secret_post' } }, cli);
    const signedIn = await signIn('base64');
    assert.equal(signedIn.status, 303, signedIn.text.slice(0, 400));
    const fixed = await test('base64');
    assert.equal(fixed.ok, true, fixed.detail);
    assert.match(fixed.detail, /with client_secret_post \(set in the app/);
  });

  it('a wrong secret, refused with every method the provider lists, is blamed on the secret', async () => {
    const check = await test('wrong-secret');
    assert.equal(check.ok, false);
    assert.match(check.detail, /invalid_client/);
    assert.match(check.detail, /with client_secret_basic and client_secret_post: check the client id and secret/);
    assert.match(check.detail, /it also accepts private_key_jwt, which needs privateKeyJwk/);
  });
});
