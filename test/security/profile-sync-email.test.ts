import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { linkIn, Mailbox } from '../helpers/mailbox.ts';
import { callbackUrlFor, installOidcApp, signInThroughProvider } from '../helpers/oidc-flow.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startOidcPeer, type OidcPeer } from '../peers/oidc-provider.ts';

// Profile sync (`syncProfile`, on by default) refreshes a person from the identity service at
// each sign-in. The primary email is where password resets and sign-in codes go, and whether it
// is proven decides linking (invariant 5), so a service must not move it to an address nobody
// proved, nor move an admin's at all: whoever controls the new address (a person who may edit
// their own email at the service, or a compromised service) would otherwise reset the account,
// an admin's break-glass password included.

const PASSWORD = 'correct horse battery';
const USERS = { clientId: 'frontdoor-sync-users', clientSecret: 'sync-users-secret' };
const AGENTS = { clientId: 'frontdoor-sync-agents', clientSecret: 'sync-agents-secret' };

describe('profile sync never moves a primary email to an unproven address, nor an admin\'s', () => {
  let server: TestServer;
  let mailbox: Mailbox;
  let peer: OidcPeer;

  before(async () => {
    mailbox = await Mailbox.start();
    server = await startTestServer({ env: { SMTP_URL: mailbox.url } });
    peer = await startOidcPeer({
      clients: [
        { ...USERS, redirectUris: [callbackUrlFor(server, 'idp-users')] },
        { ...AGENTS, redirectUris: [callbackUrlFor(server, 'idp-agents')] },
      ],
      accounts: [
        { id: 'ada-sub', email: 'ada@example.com', email_verified: true, name: 'Ada' },
        { id: 'una-sub', email: 'una@example.com', email_verified: true, name: 'Una' },
        { id: 'uma-sub', email: 'uma@example.com', email_verified: true, name: 'Uma' },
      ],
    });
    await installOidcApp(server, { audience: 'users', slug: 'idp-users', issuer: peer.issuer, ...USERS });
    // The admin turned trustEmail on knowingly, so the admin's first sign-in links by email.
    await installOidcApp(server, { audience: 'agents', slug: 'idp-agents', issuer: peer.issuer, ...AGENTS, config: { trustEmail: true } });
    await server.services.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', password: PASSWORD, isAdmin: true, emailVerified: true });
  });
  after(async () => {
    await peer.close();
    await server.close();
    await mailbox.close();
  });

  const personOf = async (audience: 'users' | 'agents', email: string) => (await server.services.people.findForSignIn(audience, email))?.person;
  const signIn = async (accountId: string, startPath: string) => {
    peer.signInAs(accountId);
    const landed = await signInThroughProvider(server, server.client(), startPath);
    assert.equal(landed.status, 303, landed.text.slice(0, 300));
  };
  async function askForReset(base: '' | '/agent', email: string): Promise<void> {
    const browser = server.client();
    assert.equal((await browser.postForm(`${base}/password/forgot`, { _csrf: await browser.csrfFrom(`${base}/password/forgot`), email })).status, 200);
    await server.services.mail.idle();
  }
  const skipped = async (personId: string) =>
    (await server.services.audit.list({ action: 'profile.email_sync_skipped' })).filter((a) => a.target?.id === personId);

  it('an admin\'s proven primary email is not moved by sync, even to an address the service calls verified; resets still go to the admin', async () => {
    await signIn('ada-sub', '/sso/idp-agents/start');
    const ada = (await personOf('agents', 'ada@example.com'))!;
    assert.equal(ada.identities.length, 1, 'linked by email');

    peer.putAccount({ id: 'ada-sub', email: 'mallory@evil.example', email_verified: true, name: 'Ada Lovelace' });
    await signIn('ada-sub', '/sso/idp-agents/start');
    const after = (await server.services.people.get(ada.id))!;
    assert.deepEqual(after.emails.map((e) => [e.email, e.primary, e.verified]), [['ada@example.com', true, true]], 'unchanged');
    assert.equal(after.name, 'Ada Lovelace', 'the name still follows the service');
    assert.equal(await personOf('agents', 'mallory@evil.example'), undefined);
    const audit = await skipped(ada.id);
    assert.equal(audit.at(-1)?.reason, 'admin');
    assert.equal(audit.at(-1)?.details?.email, 'mallory@evil.example');

    await askForReset('/agent', 'mallory@evil.example');
    assert.equal(mailbox.to('mallory@evil.example').length, 0, 'no reset mail to the synced address');
    await askForReset('/agent', 'ada@example.com');
    linkIn(await mailbox.next('ada@example.com', /Reset your password/), '/agent/password/reset');
  });

  it('a User\'s primary email is not moved to an address the service did not verify: it stays proven and keeps the resets', async () => {
    await signIn('una-sub', '/sso/idp-users/start');
    const una = (await personOf('users', 'una@example.com'))!;
    assert.equal(una.emails[0]!.verified, true, 'created from a verified email');

    peer.putAccount({ id: 'una-sub', email: 'una.new@example.com', email_verified: false, name: 'Una' });
    await signIn('una-sub', '/sso/idp-users/start');
    const after = (await server.services.people.get(una.id))!;
    assert.deepEqual(after.emails.map((e) => [e.email, e.primary, e.verified]), [['una@example.com', true, true]]);
    assert.equal((await skipped(una.id)).at(-1)?.reason, 'email_unverified');
    await askForReset('', 'una.new@example.com');
    assert.equal(mailbox.to('una.new@example.com').length, 0);
    assert.deepEqual(after.identities.map((i) => i.subject), ['una-sub'], 'the identity is kept (no unproven-account claim)');
  });

  it('a User\'s primary email moves to an address the service verified and the app trusts, proven, and audited', async () => {
    await signIn('uma-sub', '/sso/idp-users/start');
    const uma = (await personOf('users', 'uma@example.com'))!;
    peer.putAccount({ id: 'uma-sub', email: 'uma.new@example.com', email_verified: true, name: 'Uma' });
    await signIn('uma-sub', '/sso/idp-users/start');
    const after = (await server.services.people.get(uma.id))!;
    assert.deepEqual(after.emails.map((e) => [e.email, e.primary, e.verified]), [['uma.new@example.com', true, true]]);
    const synced = (await server.services.audit.list({ action: 'profile.email_synced' })).filter((a) => a.target?.id === uma.id);
    assert.deepEqual(synced.at(-1)?.details, { app: 'idp-users', from: 'uma@example.com', to: 'uma.new@example.com' });
  });
});
