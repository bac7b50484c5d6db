import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthApp } from '../../src/core/apps.ts';
import { assertRefused, createsNothing } from '../helpers/attacks.ts';
import { linkIn, Mailbox } from '../helpers/mailbox.ts';
import { callbackUrlFor, installOidcApp, signInThroughProvider } from '../helpers/oidc-flow.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';
import { HoldableClock } from '../helpers/services.ts';
import { startOidcPeer, type OidcPeer } from '../peers/oidc-provider.ts';

// Pre-account hijacking through the validation link (Sudhodanan and Paverd, "Pre-hijacked
// accounts", USENIX Security 2022, the classic-federated merge): with email validation on, a
// stranger registers the victim's email with the stranger's password; the victim gets the
// confirmation mail and clicks it. If that click alone proved the account, the account would
// count as proven while the stranger's password opens it, and the victim's later verified
// sign-in would link into it. Confirming needs the password chosen at registration, so the
// mailbox holder and the password holder are shown to be the same person.

const cli = { type: 'cli' } as const;
const STRANGER_PASSWORD = 'stranger knows this one';
const OWNER_PASSWORD = 'the owner chose this one';
const OIDC = { clientId: 'frontdoor-validation', clientSecret: 'validation-client-secret' };

describe('pre-account hijacking through the email validation link', () => {
  let server: TestServer;
  let mailbox: Mailbox;
  let peer: OidcPeer;
  let oidcApp: AuthApp;
  let apiKey: string;
  // Real time while sign-ins go through the provider: its ID tokens carry real `iat`, and a
  // clock frozen when the file loaded falls more than the 30 s tolerance behind on a busy
  // machine (sso.token_invalid, check issued_at). Held only for the throttle's exact times.
  const clock = new HoldableClock();

  before(async () => {
    mailbox = await Mailbox.start();
    server = await startTestServer({ clock, env: { SMTP_URL: mailbox.url } });
    peer = await startOidcPeer({
      clients: [{ ...OIDC, redirectUris: [callbackUrlFor(server, 'idp-verified')] }],
      accounts: [
        { id: 'victim-sub', email: 'victim@example.com', email_verified: true, name: 'Victim' },
        { id: 'waiting-sub', email: 'waiting@example.com', email_verified: true, name: 'Waiting Victim' },
        { id: 'holder-sub', email: 'holder@example.com', email_verified: true, name: 'Holder' },
      ],
    });
    oidcApp = await installOidcApp(server, { audience: 'users', slug: 'idp-verified', issuer: peer.issuer, ...OIDC });
    ({ key: apiKey } = await server.services.apiKeys.create('tests', null));
    await server.services.registration.updateSettings({ emailValidation: true }, cli);
  });
  after(async () => {
    await peer.close();
    await server.close();
    await mailbox.close();
  });

  const personOf = async (email: string) => (await server.services.people.findForSignIn('users', email))!.person;

  async function register(email: string, password: string): Promise<void> {
    const browser = server.client();
    const registered = await browser.postForm('/register', { _csrf: await browser.csrfFrom('/register'), name: 'Someone', email, password });
    assert.ok(registered.status === 201 || registered.status === 303, registered.text.slice(0, 300));
  }

  /** Opens the emailed link as the mailbox holder would: the confirmation page, its CSRF token and the link's token. */
  async function openValidationLink(email: string): Promise<{ browser: TestClient; page: string; csrf: string; token: string; mailText: string }> {
    const mail = await mailbox.next(email, /Confirm your email/);
    const link = linkIn(mail, '/register/validate');
    const browser = server.client();
    const page = await browser.get(link);
    assert.equal(page.status, 200, page.text.slice(0, 300));
    return {
      browser, page: page.text, mailText: mail.text,
      csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!, token: new URL(link, server.url).searchParams.get('token')!,
    };
  }

  it('the victim\'s click confirms nothing without the stranger\'s password, and the victim\'s verified sign-in is not linked', async () => {
    await register('victim@example.com', STRANGER_PASSWORD);
    const victim = await openValidationLink('victim@example.com');
    assert.match(victim.mailText, /If you did not register, ignore this email/);
    assert.match(victim.page, /name="password"/, 'the page asks for the password chosen at registration');
    assert.match(victim.page, /data-state="not-you"/);

    for (const password of ['', 'a guess of the victim']) {
      const refused = await createsNothing(server.services.db, () =>
        victim.browser.postForm('/register/validate', { _csrf: victim.csrf, token: victim.token, password }));
      assertRefused(refused, 'account.link_password_invalid');
      assert.match(refused.text, /If you did not register here, ignore the email/);
    }
    const account = await personOf('victim@example.com');
    assert.equal(account.emails[0]!.verified, false, 'the email is not proven');
    assert.equal(account.emailValidationPending, true, 'the account is not activated');
    const audit = await server.services.audit.list({ action: 'registration.email_validated' });
    assert.ok(audit.some((a) => a.outcome === 'failure' && a.reason === 'account.link_password_invalid' && a.target?.id === account.id));

    assertRefused(await server.client().signIn('victim@example.com', STRANGER_PASSWORD), 'auth.email_unverified');
    peer.signInAs('victim-sub');
    const sso = await createsNothing(server.services.db, () => signInThroughProvider(server, server.client(), '/sso/idp-verified/start'));
    assertRefused(sso, 'sso.account_link_unproven');
    assert.deepEqual((await personOf('victim@example.com')).identities, [], 'nothing linked');
  });

  it('the victim takes the address back with a reset link: the stranger\'s password is gone, then the sign-in links', async () => {
    const owner = server.client();
    await owner.postForm('/password/forgot', { _csrf: await owner.csrfFrom('/password/forgot'), email: 'victim@example.com' });
    const link = linkIn(await mailbox.next('victim@example.com', /Reset your password/), '/password/reset');
    const token = new URLSearchParams(link.split('?')[1]).get('token')!;
    assert.equal((await owner.postForm('/password/reset', { _csrf: await owner.csrfFrom(link), token, password: OWNER_PASSWORD })).status, 200);
    assertRefused(await server.client().signIn('victim@example.com', STRANGER_PASSWORD), 'auth.invalid_credentials');
    peer.signInAs('victim-sub');
    assert.equal((await signInThroughProvider(server, owner, '/sso/idp-verified/start')).status, 303);
    assert.deepEqual((await personOf('victim@example.com')).identities, [{ appId: oidcApp.id, subject: 'victim-sub' }]);
  });

  it('agent approval proves no email: an approved stranger\'s registration is not joined by the victim\'s sign-in', async () => {
    await server.services.registration.updateSettings({ mode: 'agent_approval', emailValidation: false }, cli);
    try {
      await register('waiting@example.com', STRANGER_PASSWORD);
      const pending = await server.client().sendJson('GET', '/api/v1/accounts/pending', undefined, { authorization: `Bearer ${apiKey}` });
      const waiting = pending.json.people.find((p: { emails: { email: string }[] }) => p.emails.some((e) => e.email === 'waiting@example.com'));
      assert.ok(waiting, JSON.stringify(pending.json).slice(0, 300));
      const approved = await server.client().sendJson('POST', `/api/v1/accounts/${waiting.id}/approve`, undefined, { authorization: `Bearer ${apiKey}` });
      assert.equal(approved.status, 200);
      assert.equal((await personOf('waiting@example.com')).emails[0]!.verified, false, 'approving vouches for no mailbox');
      peer.signInAs('waiting-sub');
      assertRefused(await signInThroughProvider(server, server.client(), '/sso/idp-verified/start'), 'sso.account_link_unproven');
    } finally {
      await server.services.registration.updateSettings({ mode: 'open', emailValidation: true }, cli);
    }
  });

  it('the person who registered confirms with their password; the account is proven and their verified sign-in links', async () => {
    await register('holder@example.com', OWNER_PASSWORD);
    const holder = await openValidationLink('holder@example.com');
    const confirmed = await holder.browser.postForm('/register/validate', { _csrf: holder.csrf, token: holder.token, password: OWNER_PASSWORD });
    assert.equal(confirmed.status, 200, confirmed.text.slice(0, 300));
    assert.match(confirmed.text, /data-state="email-validated"/);
    assert.equal((await personOf('holder@example.com')).emails[0]!.verified, true);
    peer.signInAs('holder-sub');
    assert.equal((await signInThroughProvider(server, server.client(), '/sso/idp-verified/start')).status, 303);
    assert.deepEqual((await personOf('holder@example.com')).identities, [{ appId: oidcApp.id, subject: 'holder-sub' }]);
  });

  // Last: it holds and moves the test clock, which the provider's tokens do not follow.
  it('wrong passwords on the confirmation page are throttled like the login form; the link stays usable', async () => {
    clock.hold();
    await register('guessed@example.com', OWNER_PASSWORD);
    const page = await openValidationLink('guessed@example.com');
    const confirm = (password: string) => page.browser.postForm('/register/validate', { _csrf: page.csrf, token: page.token, password });
    for (let attempt = 1; attempt <= 5; attempt++) assertRefused(await confirm(`wrong guess number ${attempt}`), 'account.link_password_invalid');
    const paused = await confirm(OWNER_PASSWORD);
    assertRefused(paused, 'auth.throttled');
    assert.equal(paused.headers.get('retry-after'), '30');
    assert.equal((await personOf('guessed@example.com')).emailValidationPending, true, 'nothing changed while paused');
    // The same counters as the login form: the pause holds there too.
    assertRefused(await server.client().signIn('guessed@example.com', OWNER_PASSWORD), 'auth.throttled');
    clock.advance(31_000);
    const confirmed = await confirm(OWNER_PASSWORD);
    assert.equal(confirmed.status, 200, confirmed.text.slice(0, 300));
    assert.match(confirmed.text, /data-state="email-validated"/);
  });
});
