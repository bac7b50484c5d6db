import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthApp } from '../../src/core/apps.ts';
import { generateJwtSharedSecret } from '../../src/protocols/jwt/keys.ts';
import { assertRefused, createsNothing } from '../helpers/attacks.ts';
import { claimsAt, signToken } from '../helpers/jwt.ts';
import { linkIn, Mailbox } from '../helpers/mailbox.ts';
import { callbackUrlFor, installOidcApp, signInThroughProvider, toListeningAddress } from '../helpers/oidc-flow.ts';
import type { TestResponse } from '../helpers/server.ts';
import { installSamlApp, loginAtIdp, postToAcs } from '../helpers/saml.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';
import { SamlIdp } from '../peers/saml-idp.ts';
import { startOidcPeer, type OidcPeer } from '../peers/oidc-provider.ts';

// Pre-account hijacking (Sudhodanan and Paverd, "Pre-hijacked accounts", USENIX Security 2022),
// on the default settings: open registration, email validation off, trustEmail on. A stranger
// creates an account with the victim's email first (a password registration, or an external app
// that did not verify the email); the victim later signs in through an app whose service
// asserts the email verified. Frontdoor must not join the two (DESIGN invariant 5).

const cli = { type: 'cli' } as const;
const STRANGER_PASSWORD = 'stranger knows this one';
const OWNER_PASSWORD = 'the owner chose this later';
const OIDC = { clientId: 'frontdoor-hijack', clientSecret: 'hijack-client-secret' };
const SLOPPY = { clientId: 'frontdoor-sloppy', clientSecret: 'sloppy-client-secret' };

describe('pre-account hijacking: linking by email needs an account whose email was proven', () => {
  let server: TestServer;
  let mailbox: Mailbox;
  let peer: OidcPeer;
  let idp: SamlIdp;
  let oidcApp: AuthApp;
  let jwtApp: AuthApp;
  let jwtSecret: string;

  before(async () => {
    mailbox = await Mailbox.start();
    server = await startTestServer({ env: { SMTP_URL: mailbox.url } });
    idp = await SamlIdp.start();
    peer = await startOidcPeer({
      clients: [
        { ...OIDC, redirectUris: [callbackUrlFor(server, 'idp-verified')] },
        { ...SLOPPY, redirectUris: [callbackUrlFor(server, 'idp-sloppy')] },
      ],
      accounts: [
        { id: 'victim-sub', email: 'victim@example.com', email_verified: true, name: 'Victim' },
        { id: 'victim2-sub', email: 'victim2@example.com', email_verified: true, name: 'Victim Two' },
        { id: 'victim3-sub', email: 'victim3@example.com', email_verified: true, name: 'Victim Three' },
        { id: 'proven-sub', email: 'proven@example.com', email_verified: true, name: 'Proven' },
        { id: 'holder-sub', email: 'holder@example.com', email_verified: true, name: 'Holder' },
        // The stranger's own account at a service that does not verify emails.
        { id: 'stranger-sub', email: 'victim2@example.com', email_verified: false, name: 'Stranger' },
      ],
    });
    oidcApp = await installOidcApp(server, { audience: 'users', slug: 'idp-verified', issuer: peer.issuer, ...OIDC });
    await installOidcApp(server, { audience: 'users', slug: 'idp-sloppy', issuer: peer.issuer, ...SLOPPY });
    jwtSecret = generateJwtSharedSecret();
    jwtApp = await server.services.apps.create(
      { audience: 'users', type: 'jwt', slug: 'jwt-site', config: { remoteLoginUrl: 'https://www.example.com/sso', algorithms: ['HS256'], sharedSecret: jwtSecret } }, cli,
    );
    // The defaults this attack needs.
    const settings = await server.services.registration.settings();
    assert.equal(settings.mode, 'open');
    assert.equal(settings.emailValidation, false);
  });
  after(async () => {
    await peer.close();
    await idp.close();
    await server.close();
    await mailbox.close();
  });

  async function registerAsStranger(email: string): Promise<TestClient> {
    const stranger = server.client();
    const csrf = await stranger.csrfFrom('/register');
    const registered = await stranger.postForm('/register', { _csrf: csrf, name: 'Stranger', email, password: STRANGER_PASSWORD });
    assert.equal(registered.status, 303, registered.text.slice(0, 300));
    return stranger;
  }

  const personOf = async (email: string) => (await server.services.people.findForSignIn('users', email))!.person;

  it('a stranger\'s password registration is not joined by the owner\'s verified OIDC sign-in', async () => {
    await registerAsStranger('victim@example.com');
    const account = await personOf('victim@example.com');
    assert.equal(account.emails[0]!.verified, false, 'a registration with validation off proves nothing');
    peer.signInAs('victim-sub');
    const owner = server.client();
    const refused = await createsNothing(server.services.db, () => signInThroughProvider(server, owner, '/sso/idp-verified/start'));
    assertRefused(refused, 'sso.account_link_unproven');
    assert.match(refused.text, /href="\/password\/forgot"/, 'the page shows how to prove the account');
    assert.deepEqual((await personOf('victim@example.com')).identities, [], 'nothing linked');
    const traceId = /trace <code>([^<]+)<\/code>/.exec(refused.text)![1]!;
    const trace = await server.services.ssoTraces.require(traceId);
    assert.equal(trace?.failedCheck, 'account_link_unproven');
  });

  it('the owner proves the mailbox with a reset link: the stranger\'s password and sessions end, then the sign-in links', async () => {
    const stranger = server.client();
    assert.equal((await stranger.signIn('victim@example.com', STRANGER_PASSWORD)).status, 303, 'the stranger is in, for now');
    const owner = server.client();
    const csrf = await owner.csrfFrom('/password/forgot');
    await owner.postForm('/password/forgot', { _csrf: csrf, email: 'victim@example.com' });
    const link = linkIn(await mailbox.next('victim@example.com', /Reset your password/), '/password/reset');
    const resetCsrf = await owner.csrfFrom(link);
    const token = new URLSearchParams(link.split('?')[1]).get('token')!;
    assert.equal((await owner.postForm('/password/reset', { _csrf: resetCsrf, token, password: OWNER_PASSWORD })).status, 200);
    assert.equal((await stranger.get('/api/v1/session?audience=users')).status, 401, 'the stranger\'s session ended');
    assert.equal((await server.client().signIn('victim@example.com', STRANGER_PASSWORD)).status, 401, 'the stranger\'s password is gone');

    peer.signInAs('victim-sub');
    const linked = await signInThroughProvider(server, owner, '/sso/idp-verified/start');
    assert.equal(linked.status, 303, linked.text.slice(0, 300));
    assert.deepEqual((await personOf('victim@example.com')).identities, [{ appId: oidcApp.id, subject: 'victim-sub' }]);
  });

  it('an account made by another app that did not verify the email is not joined either; a reset unlinks the stranger\'s identity', async () => {
    peer.signInAs('stranger-sub');
    const stranger = server.client();
    assert.equal((await signInThroughProvider(server, stranger, '/sso/idp-sloppy/start')).status, 303, 'the sloppy app creates the account');
    assert.equal((await personOf('victim2@example.com')).emails[0]!.verified, false);

    peer.signInAs('victim2-sub');
    const refused = await createsNothing(server.services.db, () => signInThroughProvider(server, server.client(), '/sso/idp-verified/start'));
    assertRefused(refused, 'sso.account_link_unproven');

    // The owner proves the address: the stranger's identity no longer opens the account.
    const owner = server.client();
    await owner.postForm('/password/forgot', { _csrf: await owner.csrfFrom('/password/forgot'), email: 'victim2@example.com' });
    const link = linkIn(await mailbox.next('victim2@example.com', /Reset your password/), '/password/reset');
    const token = new URLSearchParams(link.split('?')[1]).get('token')!;
    assert.equal((await owner.postForm('/password/reset', { _csrf: await owner.csrfFrom(link), token, password: OWNER_PASSWORD })).status, 200);
    assert.deepEqual((await personOf('victim2@example.com')).identities, [], 'the unverified identity was unlinked');
    peer.signInAs('victim2-sub');
    assert.equal((await signInThroughProvider(server, owner, '/sso/idp-verified/start')).status, 303);
    const account = await personOf('victim2@example.com');
    assert.deepEqual(account.identities, [{ appId: oidcApp.id, subject: 'victim2-sub' }]);
  });

  it('a JWT sign-in (the site asserts the email) does not join a stranger\'s password account', async () => {
    await registerAsStranger('victim3@example.com');
    const token = await signToken(claimsAt(new Date(), { email: 'victim3@example.com', external_id: 'victim3-site' }), jwtSecret, { alg: 'HS256', typ: 'JWT' });
    const refused = await createsNothing(server.services.db, () => server.client().postForm(`/sso/${jwtApp.slug}/jwt`, { jwt: token }));
    assertRefused(refused, 'sso.account_link_unproven');
  });

  it('a SAML sign-in with trustEmail on does not join a stranger\'s password account', async () => {
    await registerAsStranger('victim4@example.com');
    const { app, sp } = await installSamlApp(server, idp, { slug: 'saml-trusting', config: { trustEmail: true } });
    const browser = server.client();
    const answer = await loginAtIdp(browser, app, idp, sp, { nameId: 'victim4@example.com', email: 'victim4@example.com' });
    const refused = await createsNothing(server.services.db, () => postToAcs(browser, app, answer));
    assertRefused(refused, 'sso.account_link_unproven');
  });

  it('an account whose email was confirmed by its validation link links as before', async () => {
    await server.services.registration.updateSettings({ emailValidation: true }, cli);
    try {
      const holder = server.client();
      const csrf = await holder.csrfFrom('/register');
      assert.equal((await holder.postForm('/register', { _csrf: csrf, name: 'Proven', email: 'proven@example.com', password: OWNER_PASSWORD })).status, 201);
      const link = linkIn(await mailbox.next('proven@example.com', /Confirm/i), '/register/validate');
      const confirmPage = await holder.get(link);
      const token = new URLSearchParams(link.split('?')[1]).get('token')!;
      const confirmed = await holder.postForm('/register/validate', { _csrf: /name="_csrf" value="([^"]+)"/.exec(confirmPage.text)![1]!, token, password: OWNER_PASSWORD });
      assert.ok(confirmed.status < 400, confirmed.text.slice(0, 300));
      peer.signInAs('proven-sub');
      const linked = await signInThroughProvider(server, server.client(), '/sso/idp-verified/start');
      assert.equal(linked.status, 303, linked.text.slice(0, 300));
      assert.deepEqual((await personOf('proven@example.com')).identities, [{ appId: oidcApp.id, subject: 'proven-sub' }]);
    } finally {
      await server.services.registration.updateSettings({ emailValidation: false }, cli);
    }
  });

  /** Presses "Link" on the account page and follows the browser through the provider; stops before the callback. */
  async function linkFromAccountPage(browser: TestClient, slug: string): Promise<string> {
    const page = await browser.get('/account');
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(`name="app" value="${slug}"`), 'the account page offers the link');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    let response: TestResponse = await browser.postForm('/account/identities/link', { _csrf: csrf, app: slug });
    let current = new URL('/account/identities/link', server.url);
    for (let hops = 0; hops < 20; hops++) {
      assert.ok(response.location, `a redirect, got ${response.status}: ${response.text.slice(0, 200)}`);
      const next = new URL(toListeningAddress(server, new URL(response.location, current).href));
      if (next.pathname.endsWith('/callback')) return next.href;
      current = next;
      response = await browser.get(next.href);
    }
    throw new Error('too many redirects');
  }

  it('the holder of an unproven account signs in with its password and links the sign-in from the account page, keeping 2FA', async () => {
    const holder = await registerAsStranger('holder@example.com'); // the holder's own registration, validation off
    const account = await personOf('holder@example.com');
    await server.services.db.query('UPDATE people SET email_two_factor_at = now() WHERE id = $1', [account.id]);
    peer.signInAs('holder-sub');
    const callback = await linkFromAccountPage(holder, oidcApp.slug);
    const landed = await holder.get(callback);
    assert.equal(landed.status, 303, landed.text.slice(0, 300));
    assert.equal(landed.location, '/account?notice=linked');
    assert.match((await holder.get(landed.location!)).text, /The sign-in method is linked/);
    const linked = await personOf('holder@example.com');
    assert.deepEqual(linked.identities, [{ appId: oidcApp.id, subject: 'holder-sub' }]);
    assert.deepEqual(linked.twoFactor.methods, ['email'], 'nothing was taken away');
    // From now on the sign-in opens this account (and asks for its second factor).
    const again = await signInThroughProvider(server, server.client(), `/sso/${oidcApp.slug}/start`);
    assert.equal(again.location, '/login/2fa');
  });

  it('a link completes only in the session that asked for it (linking CSRF), and never moves an identity linked elsewhere', async () => {
    const browser = server.client();
    const signedIn = await browser.signIn('victim3@example.com', STRANGER_PASSWORD);
    assert.equal(signedIn.location, '/');
    peer.signInAs('victim-sub'); // linked to the account of victim@example.com above
    const taken = await linkFromAccountPage(browser, oidcApp.slug);
    assertRefused(await browser.get(taken), 'sso.identity_taken');

    peer.signInAs('proven-sub');
    const callback = await linkFromAccountPage(browser, oidcApp.slug);
    await browser.postForm('/logout', { _csrf: await browser.csrfFrom('/logout') });
    const refused = await createsNothing(server.services.db, () => browser.get(callback));
    assertRefused(refused, 'auth.required');
    assert.deepEqual((await personOf('proven@example.com')).identities, [{ appId: oidcApp.id, subject: 'proven-sub' }], 'unchanged');
  });
});
