import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as samlify from 'samlify';
import type { AuthApp } from '../../src/core/apps.ts';
import { generateJwtSharedSecret } from '../../src/protocols/jwt/keys.ts';
import { refusalCode } from '../helpers/attacks.ts';
import { accountCounts } from '../helpers/counts.ts';
import { claimsAt, signToken } from '../helpers/jwt.ts';
import { installOidcApp, signInThroughProvider } from '../helpers/oidc-flow.ts';
import { installSamlApp, loginAtIdp, postToAcs } from '../helpers/saml.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';
import { startForgingOidcPeer, type ForgingOidcPeer } from '../peers/forging-oidc-provider.ts';
import { SamlIdp } from '../peers/saml-idp.ts';

const CROWD = 50;

// Invariant 4 (just-in-time provisioning is idempotent) under a crowd, for each external app
// type: 50 first sign-ins of one new person at once make one person, one email, one identity,
// and 50 sessions. And single-use things used 50 times at once: exactly one success.
// (One TOTP code: test/security/two-factor.test.ts; one reset link: test/security/password-reset.test.ts;
// one registration email: test/security/registration.test.ts.)
/**
 * Promise.all that waits for every request before failing: one that is still in flight when
 * a test fails would land in the next test's counts (a dropped connection in one test once
 * showed as 135 sessions instead of 101 in the next).
 */
async function allOf<T>(promises: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

describe(`${CROWD} at once`, () => {
  let server: TestServer;
  let forger: ForgingOidcPeer;
  let idp: SamlIdp;
  let jwtApp: AuthApp;
  let samlApp: AuthApp;
  let sp: samlify.ServiceProviderInstance;
  const secret = generateJwtSharedSecret();

  before(async () => {
    forger = await startForgingOidcPeer();
    idp = await SamlIdp.start();
    server = await startTestServer();
    jwtApp = await server.services.apps.create({ audience: 'users', type: 'jwt', slug: 'crowd-jwt', config: { remoteLoginUrl: 'https://www.example.com/login', sharedSecret: secret } }, { type: 'cli' });
    await installOidcApp(server, { audience: 'users', slug: 'crowd-oidc', issuer: forger.issuer, clientId: 'forged-client', clientSecret: 'forged-secret' });
    ({ app: samlApp, sp } = await installSamlApp(server, idp, { slug: 'crowd-saml', signResponse: false }));
  });
  after(async () => {
    await server.close();
    await forger.close();
    await idp.close();
  });

  /** Runs `signIns` (each resolving to a browser and its answer) and checks one account and CROWD live sessions. */
  async function oneAccountForAll(email: string, signIns: Promise<{ browser: TestClient; status: number }>[]) {
    const before = await accountCounts(server.services.db);
    const results = await allOf(signIns);
    assert.deepEqual(results.map((r) => r.status), Array(CROWD).fill(303), 'every sign-in succeeded');
    const after = await accountCounts(server.services.db);
    assert.equal(after.people, before.people + 1, 'one person');
    assert.equal(after.emails, before.emails + 1, 'one email');
    assert.equal(after.identities, before.identities + 1, 'one identity');
    assert.equal(after.sessions, before.sessions + CROWD, 'a session each');
    const who = await allOf(results.map(async (r) => (await r.browser.get('/api/v1/session')).json?.person?.id));
    assert.equal(new Set(who).size, 1, 'every browser is the same person');
    const [person] = await server.services.db.query<{ id: string }>('SELECT person_id AS id FROM person_emails WHERE lower(email) = lower($1)', [email]);
    assert.equal(who[0], person!.id);
  }

  it('JWT: 50 distinct valid tokens of one new person', async () => {
    const tokens = await allOf(Array.from({ length: CROWD }, () => signToken(claimsAt(new Date(), { email: 'crowd-jwt@example.com', name: 'Crowd' }), secret, { alg: 'HS256' })));
    await oneAccountForAll('crowd-jwt@example.com', tokens.map(async (jwt) => {
      const browser = server.client();
      return { browser, status: (await browser.postForm(`/sso/${jwtApp.slug}/jwt`, { jwt })).status };
    }));
  });

  it('OIDC: 50 browsers of one new person through the provider', async () => {
    forger.subject = 'crowd-oidc-subject';
    forger.baseClaims = { email: 'crowd-oidc@example.com', email_verified: true, name: 'Crowd' };
    await oneAccountForAll('crowd-oidc@example.com', Array.from({ length: CROWD }, async () => {
      const browser = server.client();
      return { browser, status: (await signInThroughProvider(server, browser, '/sso/crowd-oidc/start')).status };
    }));
  });

  it('SAML: 50 browsers, each with its own signed assertion for one new person', async () => {
    const user = { nameId: 'crowd-saml@example.com', email: 'crowd-saml@example.com' };
    const browsers = Array.from({ length: CROWD }, () => server.client());
    const answers = await allOf(browsers.map((b) => loginAtIdp(b, samlApp, idp, sp, user)));
    await oneAccountForAll('crowd-saml@example.com', browsers.map(async (browser, i) => ({ browser, status: (await postToAcs(browser, samlApp, answers[i]!)).status })));
  });

  it('one SAML assertion posted 50 times at once: exactly one session', async () => {
    const starter = server.client();
    const answer = await loginAtIdp(starter, samlApp, idp, sp, { nameId: 'once-saml@example.com', email: 'once-saml@example.com' });
    const before = await accountCounts(server.services.db);
    const results = await allOf(Array.from({ length: CROWD }, () => postToAcs(server.client(), samlApp, answer)));
    assert.equal(results.filter((r) => r.status === 303).length, 1, results.map((r) => r.status).join(','));
    for (const r of results.filter((r) => r.status !== 303)) {
      assert.ok(r.status < 500);
      assert.ok(['sso.saml.replayed', 'sso.saml.in_response_to_invalid'].includes(refusalCode(r)!), refusalCode(r));
    }
    assert.equal((await accountCounts(server.services.db)).sessions, before.sessions + 1);
  });

  it('one JWT (one jti) posted 50 times at once: exactly one session', async () => {
    const jwt = await signToken(claimsAt(new Date(), { email: 'once-jwt@example.com' }), secret, { alg: 'HS256' });
    const before = await accountCounts(server.services.db);
    const results = await allOf(Array.from({ length: CROWD }, () => server.client().postForm(`/sso/${jwtApp.slug}/jwt`, { jwt })));
    assert.equal(results.filter((r) => r.status === 303).length, 1, results.map((r) => r.status).join(','));
    for (const r of results.filter((r) => r.status !== 303)) assert.equal(refusalCode(r), 'sso.jwt.replayed');
    assert.equal((await accountCounts(server.services.db)).sessions, before.sessions + 1);
  });
});
