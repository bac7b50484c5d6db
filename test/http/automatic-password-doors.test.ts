import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthApp } from '../../src/core/apps.ts';
import { assertRefused, createsNothing } from '../helpers/attacks.ts';
import { linkIn, Mailbox } from '../helpers/mailbox.ts';
import { callbackUrlFor, installOidcApp, signInThroughProvider } from '../helpers/oidc-flow.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';
import { startOidcPeer, type OidcPeer } from '../peers/oidc-provider.ts';

// Invariant 7: with an Automatic app on an audience, every password door of that audience is
// shut (registration, the login form, forgot and reset), except the admins' break-glass door.

const cli = { type: 'cli' } as const;
const PASSWORD = 'correct horse battery';
const USERS = { clientId: 'frontdoor-auto-users', clientSecret: 'auto-users-secret' };
const AGENTS = { clientId: 'frontdoor-auto-agents', clientSecret: 'auto-agents-secret' };

describe('Automatic SSO shuts every password door of its audience', () => {
  let server: TestServer;
  let mailbox: Mailbox;
  let peer: OidcPeer;
  let usersApp: AuthApp;
  let agentsApp: AuthApp;
  let resetLinkFromBefore: string;

  /** A browser with this site's CSRF token (from the API: under Automatic no form page is shown). */
  const withToken = async (): Promise<{ browser: TestClient; csrf: string }> => {
    const browser = server.client();
    return { browser, csrf: (await browser.apiCsrfHeader())['x-csrf-token']! };
  };

  before(async () => {
    mailbox = await Mailbox.start();
    server = await startTestServer({ env: { SMTP_URL: mailbox.url } });
    peer = await startOidcPeer({
      clients: [
        { ...USERS, redirectUris: [callbackUrlFor(server, 'auto-users')] },
        { ...AGENTS, redirectUris: [callbackUrlFor(server, 'auto-agents')] },
      ],
      accounts: [{ id: 'pat-sub', email: 'pat@example.com', email_verified: true, name: 'Pat' }],
    });
    await server.services.people.create({ audience: 'users', name: 'Ann', email: 'ann@example.com', password: PASSWORD });
    await server.services.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', password: PASSWORD, isAdmin: true, emailVerified: true });
    await server.services.people.create({ audience: 'agents', name: 'Abe', email: 'abe@example.com', password: PASSWORD });
    // A reset link mailed while passwords were still in use.
    const browser = server.client();
    await browser.postForm('/password/forgot', { _csrf: await browser.csrfFrom('/password/forgot'), email: 'ann@example.com' });
    resetLinkFromBefore = linkIn(await mailbox.next('ann@example.com', /Reset your password/), '/password/reset');

    usersApp = await installOidcApp(server, { audience: 'users', slug: 'auto-users', issuer: peer.issuer, ...USERS, sso: 'automatic' });
    agentsApp = await installOidcApp(server, { audience: 'agents', slug: 'auto-agents', issuer: peer.issuer, ...AGENTS, sso: 'automatic' });
  });
  after(async () => {
    await peer.close();
    await server.close();
    await mailbox.close();
  });

  it('/register redirects to the identity service, and a posted registration creates nothing', async () => {
    const page = await server.client().get('/register?return_to=%2Farticles');
    assert.equal(page.status, 302);
    assert.equal(page.location, `/sso/${usersApp.slug}/start?return_to=%2Farticles`);
    const { browser, csrf } = await withToken();
    const posted = await createsNothing(server.services.db, () =>
      browser.postForm('/register', { _csrf: csrf, name: 'Sly', email: 'sly@example.com', password: 'a fine long passphrase' }));
    assertRefused(posted, 'auth.method_disabled');
    assert.equal(await server.services.people.findForSignIn('users', 'sly@example.com'), undefined);
  });

  it('the login form redirects and a posted password is refused, for a User who has one', async () => {
    const page = await server.client().get('/login');
    assert.equal(page.status, 302);
    assert.match(page.location!, new RegExp(`^/sso/${usersApp.slug}/start`));
    const { browser, csrf } = await withToken();
    assertRefused(await browser.postForm('/login', { _csrf: csrf, email: 'ann@example.com', password: PASSWORD }), 'auth.method_disabled');
  });

  it('forgot redirects, a posted request sends no mail, and a reset link mailed before is refused', async () => {
    for (const base of ['', '/agent']) {
      const page = await server.client().get(`${base}/password/forgot`);
      assert.equal(page.status, 302, base);
      assert.match(page.location!, /^\/sso\/auto-(users|agents)\/start/);
    }
    const { browser, csrf } = await withToken();
    assertRefused(await browser.postForm('/password/forgot', { _csrf: csrf, email: 'ann@example.com' }), 'auth.method_disabled');
    assertRefused(await browser.postForm('/agent/password/forgot', { _csrf: csrf, email: 'abe@example.com' }), 'auth.method_disabled');
    await server.services.mail.idle();
    assert.equal(mailbox.to('ann@example.com').length, 1, 'only the mail from before Automatic');
    assert.equal(mailbox.to('abe@example.com').length, 0);

    assertRefused(await server.client().get(resetLinkFromBefore), 'auth.method_disabled');
    const token = new URLSearchParams(resetLinkFromBefore.split('?')[1]).get('token')!;
    assertRefused(await browser.postForm('/password/reset', { _csrf: csrf, token, password: 'a brand new passphrase' }), 'auth.method_disabled');
    // The password is unchanged: it works again once the app is no longer Automatic.
    await server.services.apps.update(usersApp.id, { sso: 'disabled' }, cli);
    try {
      assert.equal((await server.client().signIn('ann@example.com', PASSWORD)).status, 303);
    } finally {
      await server.services.apps.update(usersApp.id, { sso: 'automatic' }, cli);
    }
  });

  it('the admins\' break-glass door stays open, for admins only', async () => {
    const admin = server.client();
    const signedIn = await admin.signIn('ada@example.com', PASSWORD, 'agents', { break_glass: '1' });
    assert.equal(signedIn.status, 303, signedIn.text.slice(0, 300));
    assert.equal((await admin.get('/agent')).status, 200);
    const agent = server.client();
    assertRefused(await agent.signIn('abe@example.com', PASSWORD, 'agents', { break_glass: '1' }), 'auth.forbidden');
    const breakGlassForm = await server.client().get('/agent/login?local=1');
    assert.doesNotMatch(breakGlassForm.text, /password\/forgot/, 'no reset link on the break-glass form');
    assert.match(breakGlassForm.text, /\/agent\/login\/bypass/);
  });

  it('the identity service is the way in; the registration settings page says the doors are shut', async () => {
    peer.signInAs('pat-sub');
    assert.equal((await signInThroughProvider(server, server.client(), `/sso/${usersApp.slug}/start`)).status, 303);
    const admin = server.client();
    await admin.signIn('ada@example.com', PASSWORD, 'agents', { break_glass: '1' });
    const settings = await admin.get('/admin/settings/registration');
    assert.equal(settings.status, 200, settings.text.slice(0, 300));
    assert.match(settings.text, /data-state="automatic-users"/);
    assert.match(settings.text, /registration, the password form and password reset are shut for Users/);
    assert.ok(agentsApp);
  });
});
