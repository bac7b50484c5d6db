import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { AuthApp } from '../../src/core/apps.ts';
import { ERROR_STATUS, type ErrorCode } from '../../src/core/errors.ts';
import { accountCounts } from '../helpers/counts.ts';
import { authorizeAtProvider, callbackUrlFor, errorPageFacts, installOidcApp, signInThroughProvider } from '../helpers/oidc-flow.ts';
import { startTestServer, type TestResponse, type TestServer } from '../helpers/server.ts';
import { ShiftedClock } from '../helpers/services.ts';
import { startForgingOidcPeer, type ForgingOidcPeer } from '../peers/forging-oidc-provider.ts';
import { startOidcPeer, type OidcPeer } from '../peers/oidc-provider.ts';

// Every refusal of issue 3, each through a full flow: the exact error code on a page with a
// trace id an admin can read, a retry link, and nothing created (no person, identity,
// email or session).

const USERS = { clientId: 'frontdoor-users', clientSecret: 'users-client-secret' };
const FILTERED = { clientId: 'frontdoor-filtered', clientSecret: 'filtered-client-secret' };
const AGENTS = { clientId: 'frontdoor-agents', clientSecret: 'agents-client-secret' };
const MISCONFIGURED = { clientId: 'frontdoor-misconfigured', clientSecret: 'the-real-secret' };
const CLOCK_TOLERANCE_SECONDS = 30;
const ENTRA_TENANT = '6f1c2a4e-0000-4000-8000-00000000e1a7';

describe('OIDC refusals create nothing', () => {
  let server: TestServer;
  let peer: OidcPeer;
  let forger: ForgingOidcPeer;
  let usersApp: AuthApp;
  const clock = new ShiftedClock();
  // Google has one issuer, which cannot run here: the test server (only code can do this)
  // sends the google-users app's discovery to the forging peer.
  const presetIssuers = new Map<string, string>();

  before(async () => {
    server = await startTestServer({ clock, oidcPresetIssuers: presetIssuers });
    peer = await startOidcPeer({
      clients: [
        { ...USERS, redirectUris: [callbackUrlFor(server, 'idp-users')] },
        { ...FILTERED, redirectUris: [callbackUrlFor(server, 'idp-filtered')] },
        { ...AGENTS, redirectUris: [callbackUrlFor(server, 'idp-agents')] },
        { ...MISCONFIGURED, redirectUris: [callbackUrlFor(server, 'idp-misconfigured')] },
      ],
      accounts: [
        { id: 'first-sub', email: 'first@example.com', email_verified: true, name: 'First' },
        { id: 'false-sub', email: 'owner@example.com', email_verified: false, name: 'Not Verified' },
        { id: 'string-false-sub', email: 'owner@example.com', email_verified: 'false', name: 'String False' },
        { id: 'stranger-sub', email: 'stranger@example.com', email_verified: true, name: 'Stranger' },
        { id: 'outsider-sub', email: 'outsider@elsewhere.example', email_verified: true, name: 'Outsider', groups: ['staff'] },
      ],
      // Short-lived ID tokens, so moving Frontdoor's clock a few minutes (within the 10-minute
      // life of the sign-in transaction) expires them.
      idTokenTtlSeconds: 120,
    });
    forger = await startForgingOidcPeer();
    presetIssuers.set('google-users', forger.issuer);
    presetIssuers.set('entra-users', forger.issuer);
    usersApp = await installOidcApp(server, { audience: 'users', slug: 'idp-users', issuer: peer.issuer, ...USERS });
    await installOidcApp(server, {
      audience: 'users', slug: 'idp-filtered', issuer: peer.issuer, ...FILTERED,
      config: { filter: { emailDomains: ['example.com'], requiredGroup: 'staff' } },
    });
    await installOidcApp(server, { audience: 'agents', slug: 'idp-agents', issuer: peer.issuer, ...AGENTS });
    await installOidcApp(server, { audience: 'users', slug: 'idp-misconfigured', issuer: peer.issuer, clientId: MISCONFIGURED.clientId, clientSecret: 'a-stale-secret' });
    await installOidcApp(server, { audience: 'users', slug: 'forged-users', issuer: forger.issuer, clientId: 'forged-client', clientSecret: 'forged-secret' });
    await server.services.apps.create(
      {
        audience: 'users', type: 'google', slug: 'google-users', showButton: true,
        config: { clientId: 'google-client', clientSecret: 'google-secret', hostedDomains: ['example.com'] },
      },
      { type: 'cli' },
    );
    await server.services.apps.create(
      { audience: 'users', type: 'microsoft', slug: 'entra-users', config: { tenant: ENTRA_TENANT, clientId: 'entra-client', clientSecret: 'entra-secret' } },
      { type: 'cli' },
    );
    await server.services.people.create({ audience: 'users', name: 'Owner', email: 'owner@example.com', password: 'correct horse battery' });
  });
  beforeEach(() => {
    clock.offsetMs = 0;
    forger.forgery = {};
    forger.baseClaims = { email: 'forged@example.com', email_verified: true, name: 'Forged' };
  });
  after(async () => {
    await forger.close();
    await peer.close();
    await server.close();
  });

  /** The refusal page: exact code and status, a trace recording the failed check, a retry link, nothing written. */
  async function assertRefused(response: TestResponse, code: ErrorCode, before: Awaited<ReturnType<typeof accountCounts>>, check?: string) {
    assert.equal(response.status, ERROR_STATUS[code], response.text.slice(0, 300));
    const facts = errorPageFacts(response);
    assert.equal(facts.code, code);
    const trace = await server.services.ssoTraces.require(facts.traceId);
    assert.equal(trace.outcome, 'failure');
    assert.equal(trace.errorCode, code);
    if (check) assert.equal(trace.failedCheck, check);
    assert.match(facts.retryHref ?? '', /^\/sso\/[a-z-]+\/start\?retry=1/, 'a Try again link that starts a new attempt');
    assert.deepEqual(await accountCounts(server.services.db), before);
    return trace;
  }

  const counts = () => accountCounts(server.services.db);

  describe('state, code and nonce', () => {
    it('refuses a callback whose state was never issued (login CSRF)', async () => {
      const before = await counts();
      const browser = server.client();
      peer.signInAs('first-sub');
      const { callbackUrl } = await authorizeAtProvider(server, browser, '/sso/idp-users/start');
      const forged = new URL(callbackUrl);
      forged.searchParams.set('state', 'a-state-frontdoor-never-issued');
      await assertRefused(await browser.get(forged.href), 'sso.state_invalid', before, 'state');
    });

    it('refuses a replayed callback (the state is single use) and a replayed code', async () => {
      const browser = server.client();
      peer.signInAs('first-sub');
      const first = await authorizeAtProvider(server, browser, '/sso/idp-users/start');
      assert.equal((await browser.get(first.callbackUrl)).status, 303);
      const before = await counts();
      await assertRefused(await browser.get(first.callbackUrl), 'sso.state_invalid', before, 'state');

      // A fresh attempt (valid state) carrying the code already redeemed above.
      const second = await authorizeAtProvider(server, browser, '/sso/idp-users/start');
      const replayed = new URL(second.callbackUrl);
      replayed.searchParams.set('code', new URL(first.callbackUrl).searchParams.get('code')!);
      await assertRefused(await browser.get(replayed.href), 'sso.code_invalid', before, 'authorization_code');
    });

    it('refuses a callback finished in another browser than the one that started', async () => {
      const before = await counts();
      peer.signInAs('first-sub');
      const { callbackUrl } = await authorizeAtProvider(server, server.client(), '/sso/idp-users/start');
      await assertRefused(await server.client().get(callbackUrl), 'sso.browser_mismatch', before, 'browser_binding');
    });

    it('refuses an ID token whose nonce is not the one sent', async () => {
      const before = await counts();
      const browser = server.client();
      peer.signInAs('first-sub');
      const { callbackUrl } = await authorizeAtProvider(server, browser, '/sso/idp-users/start', {
        tamperAuthorization: (url) => url.searchParams.set('nonce', 'a-nonce-frontdoor-did-not-send'),
      });
      await assertRefused(await browser.get(callbackUrl), 'sso.token_invalid', before, 'nonce');
    });
  });

  it('refuses when the provider rejects our client secret, naming the token endpoint', async () => {
    const before = await counts();
    peer.signInAs('first-sub');
    await assertRefused(await signInThroughProvider(server, server.client(), '/sso/idp-misconfigured/start'), 'sso.provider_error', before, 'token_endpoint');
  });

  describe('ID token times against our clock (tolerance 30 s)', () => {
    it('refuses an expired ID token and records the measured skew', async () => {
      const before = await counts();
      const browser = server.client();
      peer.signInAs('first-sub');
      const { callbackUrl } = await authorizeAtProvider(server, browser, '/sso/idp-users/start');
      clock.offsetMs = 5 * 60_000; // Frontdoor 5 minutes ahead: the 2-minute token is 3 minutes past expiry
      const trace = await assertRefused(await browser.get(callbackUrl), 'sso.token_invalid', before, 'expiry');
      assert.ok(trace.clockSkewMs !== null && trace.clockSkewMs > 4 * 60_000, `skew recorded: ${trace.clockSkewMs}`);
    });

    it('refuses an ID token issued in the future beyond the tolerance', async () => {
      const before = await counts();
      const browser = server.client();
      peer.signInAs('first-sub');
      const { callbackUrl } = await authorizeAtProvider(server, browser, '/sso/idp-users/start');
      clock.offsetMs = -5 * 60_000; // Frontdoor 5 minutes behind the provider
      const trace = await assertRefused(await browser.get(callbackUrl), 'sso.token_invalid', before, 'issued_at');
      assert.ok(trace.clockSkewMs !== null && trace.clockSkewMs < -4 * 60_000, `skew recorded: ${trace.clockSkewMs}`);
    });

    it('accepts a skew within the tolerance, and records it', async () => {
      const browser = server.client();
      peer.signInAs('first-sub');
      const { callbackUrl } = await authorizeAtProvider(server, browser, '/sso/idp-users/start');
      clock.offsetMs = -(CLOCK_TOLERANCE_SECONDS - 10) * 1000;
      const landed = await browser.get(callbackUrl);
      assert.equal(landed.status, 303);
      const [trace] = await server.services.ssoTraces.list({ appId: usersApp.id, outcome: 'success' });
      assert.ok(trace?.clockSkewMs !== null && trace!.clockSkewMs! < -15_000 && trace!.clockSkewMs! > -30_000, `skew: ${trace?.clockSkewMs}`);
    });
  });

  describe('forged ID tokens', () => {
    const forgedCases: { name: string; forgery: ForgingOidcPeer['forgery']; check: string }[] = [
      { name: 'another issuer', forgery: { claims: { iss: 'https://evil.example' } }, check: 'issuer' },
      { name: 'another audience', forgery: { claims: { aud: 'some-other-client' } }, check: 'audience' },
      { name: 'a second audience without azp', forgery: { claims: { aud: ['forged-client', 'some-other-client'] } }, check: 'audience' },
      { name: 'a key the provider does not publish', forgery: { signWith: 'unpublished' }, check: 'signature' },
      { name: 'no signature (alg none)', forgery: { signWith: 'none' }, check: 'algorithm' },
      { name: 'an expiry in the past', forgery: { claims: { iat: Math.floor(Date.now() / 1000) - 600, exp: Math.floor(Date.now() / 1000) - 300 } }, check: 'expiry' },
      { name: 'an issue time in the future', forgery: { claims: { iat: Math.floor(Date.now() / 1000) + 600, exp: Math.floor(Date.now() / 1000) + 900 } }, check: 'issued_at' },
      { name: 'another nonce', forgery: { claims: { nonce: 'not-ours' } }, check: 'nonce' },
      // Issue 14: a missing nonce was traced as `id_token`.
      { name: 'no nonce', forgery: { claims: { nonce: undefined } }, check: 'nonce' },
    ];
    for (const { name, forgery, check } of forgedCases) {
      it(`refuses an ID token with ${name}`, async () => {
        const before = await counts();
        forger.forgery = forgery;
        await assertRefused(await signInThroughProvider(server, server.client(), '/sso/forged-users/start'), 'sso.token_invalid', before, check);
      });
    }

    it('signs in with the forging peer when the token is right (the refusals above are the checks, not the peer)', async () => {
      forger.subject = 'forged-ok';
      const landed = await signInThroughProvider(server, server.client(), '/sso/forged-users/start');
      assert.equal(landed.status, 303);
    });
  });

  it('follows a key rotation at the provider: a token signed with a new key is checked against the new JWKS', async () => {
    forger.subject = 'keys-person';
    assert.equal((await signInThroughProvider(server, server.client(), '/sso/forged-users/start')).status, 303);
    await forger.rotateKeys();
    const fetched = forger.jwksRequests;
    assert.equal((await signInThroughProvider(server, server.client(), '/sso/forged-users/start')).status, 303);
    assert.equal(forger.jwksRequests, fetched + 1, 'the keys were fetched for this sign-in');
  });

  describe('Google hosted domain', () => {
    it('refuses a Google account of another hosted domain, or of none, whatever the hd hint said', async () => {
      for (const hd of ['elsewhere.example', undefined]) {
        const before = await counts();
        forger.subject = `google-${hd ?? 'consumer'}`;
        forger.baseClaims = { email: 'someone@example.com', email_verified: true, ...(hd ? { hd } : {}) };
        const browser = server.client();
        const { authorizationUrl, callbackUrl } = await authorizeAtProvider(server, browser, '/sso/google-users/start');
        assert.equal(authorizationUrl.searchParams.get('hd'), 'example.com', 'the hint is sent');
        await assertRefused(await browser.get(callbackUrl), 'sso.hosted_domain_mismatch', before, 'hosted_domain');
      }
    });

    it('signs in a Google account of the allowed hosted domain', async () => {
      forger.subject = 'google-allowed';
      forger.baseClaims = { email: 'member@example.com', email_verified: true, hd: 'example.com', name: 'Member' };
      const landed = await signInThroughProvider(server, server.client(), '/sso/google-users/start');
      assert.equal(landed.status, 303);
    });
  });

  describe('Microsoft Entra', () => {
    it('keys the person on tid and oid, not on sub or the editable email', async () => {
      forger.subject = 'pairwise-sub-1';
      forger.baseClaims = { tid: ENTRA_TENANT, oid: 'object-1', email: 'entra.person@example.com', name: 'Entra Person' };
      assert.equal((await signInThroughProvider(server, server.client(), '/sso/entra-users/start')).status, 303);
      const before = await counts();
      forger.subject = 'pairwise-sub-2';
      forger.baseClaims = { tid: ENTRA_TENANT, oid: 'object-1', email: 'renamed@example.com', name: 'Entra Person' };
      assert.equal((await signInThroughProvider(server, server.client(), '/sso/entra-users/start')).status, 303);
      assert.deepEqual(await counts(), { ...before, sessions: before.sessions + 1 }, 'the same person again');
      const [person] = await server.services.people.list({ audience: 'users', query: 'entra.person@example.com' });
      assert.deepEqual(person?.identities.map((i) => i.subject), [`${ENTRA_TENANT}:object-1`]);
    });

    it('never links an existing account by email (trustEmail is off for Entra), even with email_verified true', async () => {
      const before = await counts();
      forger.subject = 'entra-attacker';
      forger.baseClaims = { tid: ENTRA_TENANT, oid: 'object-attacker', email: 'owner@example.com', email_verified: true };
      await assertRefused(await signInThroughProvider(server, server.client(), '/sso/entra-users/start'), 'sso.email_unverified', before);
    });

    it('refuses an Entra ID token from another tenant (tid is compared with the configured tenant)', async () => {
      const before = await counts();
      forger.subject = 'entra-other-tenant';
      forger.baseClaims = { tid: '99999999-8888-7777-6666-555555555555', oid: 'object-elsewhere', email: 'elsewhere@example.com', email_verified: true };
      const trace = await assertRefused(await signInThroughProvider(server, server.client(), '/sso/entra-users/start'), 'sso.token_invalid', before, 'microsoft_tenant');
      assert.match(trace.detail ?? '', /99999999-8888-7777-6666-555555555555/);
      forger.baseClaims = { tid: ENTRA_TENANT.toUpperCase(), oid: 'object-upper', email: 'upper@example.com' };
      assert.equal((await signInThroughProvider(server, server.client(), '/sso/entra-users/start')).status, 303, 'compared without regard to case');
    });

    it('refuses an Entra ID token without tid and oid', async () => {
      const before = await counts();
      forger.subject = 'entra-no-oid';
      forger.baseClaims = { email: 'no.oid@example.com' };
      await assertRefused(await signInThroughProvider(server, server.client(), '/sso/entra-users/start'), 'sso.token_invalid', before, 'microsoft_tid_oid');
    });
  });

  describe('account resolution', () => {
    it('refuses a disabled person, linked or not, without linking or touching anything', async () => {
      const disabled = await server.services.people.create({ audience: 'users', name: 'Dee', email: 'dee@example.com' });
      await server.services.people.update(disabled.id, 'users', { disabled: true });
      peer.putAccount({ id: 'dee-sub', email: 'dee@example.com', email_verified: true, name: 'Dee' });
      const before = await counts();
      peer.signInAs('dee-sub');
      await assertRefused(await signInThroughProvider(server, server.client(), '/sso/idp-users/start'), 'auth.account_disabled', before);
      assert.deepEqual((await server.services.people.get(disabled.id))?.identities, []);
    });

    it('refuses to link an existing account when email_verified is false or the string "false"', async () => {
      for (const account of ['false-sub', 'string-false-sub']) {
        const before = await counts();
        peer.signInAs(account);
        const trace = await assertRefused(await signInThroughProvider(server, server.client(), '/sso/idp-users/start'), 'sso.email_unverified', before);
        assert.equal(trace.claims?.email, 'owner@example.com', 'the trace shows the claims received');
      }
    });

    it('refuses people the app\'s filter does not allow (email domain, required group)', async () => {
      for (const account of ['outsider-sub', 'stranger-sub']) {
        const before = await counts();
        peer.signInAs(account);
        await assertRefused(await signInThroughProvider(server, server.client(), '/sso/idp-filtered/start'), 'sso.filter_refused', before);
      }
    });

    it('refuses a first sign-in when registration is closed', async () => {
      await server.services.registration.updateSettings({ mode: 'closed' }, { type: 'cli' });
      try {
        const before = await counts();
        peer.signInAs('stranger-sub');
        await assertRefused(await signInThroughProvider(server, server.client(), '/sso/idp-users/start'), 'registration.closed', before);
      } finally {
        await server.services.registration.updateSettings({ mode: 'open' }, { type: 'cli' });
      }
    });

    it('refuses an unknown agent when the Agents app has no Auto Agent', async () => {
      const before = await counts();
      peer.signInAs('stranger-sub');
      await assertRefused(await signInThroughProvider(server, server.client(), '/sso/idp-agents/start'), 'sso.unknown_agent', before);
    });
  });

  it('signs out of an Automatic app without end_session at its configured logout URL', async () => {
    await server.services.apps.update('forged-users', { sso: 'automatic', config: { logoutUrl: 'http://localhost:9/signed-out' } }, { type: 'cli' });
    try {
      forger.subject = 'logout-url-person';
      const browser = server.client();
      assert.equal((await signInThroughProvider(server, browser, '/')).status, 303);
      const out = await browser.postForm('/logout', { _csrf: await browser.csrfFrom('/logout') });
      assert.equal(out.status, 303);
      assert.equal(out.location, 'http://localhost:9/signed-out');
      assert.equal((await browser.get('/')).location, '/sso/forged-users/start?return_to=%2F', 'signed out');
    } finally {
      await server.services.apps.update('forged-users', { sso: 'disabled' }, { type: 'cli' });
    }
  });

  it('lets an admin read the trace of a refusal through the API, without tokens', async () => {
    const { key } = await server.services.apiKeys.create('trace reader', null);
    peer.signInAs('false-sub');
    const refused = await signInThroughProvider(server, server.client(), '/sso/idp-users/start');
    const { traceId } = errorPageFacts(refused);
    const response = await server.client().get(`/api/v1/sso-traces/${traceId}`, { authorization: `Bearer ${key}` });
    assert.equal(response.status, 200);
    assert.equal(response.json.trace.errorCode, 'sso.email_unverified');
    assert.equal(response.json.trace.claims.email_verified, false);
    assert.equal(response.json.trace.claims.id_token, undefined);
    assert.doesNotMatch(response.text, /eyJ/, 'no JWT anywhere in the trace');
  });
});
