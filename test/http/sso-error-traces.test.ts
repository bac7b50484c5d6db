import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthApp } from '../../src/core/apps.ts';
import { installSamlApp } from '../helpers/saml.ts';
import { callbackUrlFor, errorPageFacts, installOidcApp } from '../helpers/oidc-flow.ts';
import { startTestServer, type TestResponse, type TestServer } from '../helpers/server.ts';
import { startOidcPeer, type OidcPeer } from '../peers/oidc-provider.ts';
import { SamlIdp } from '../peers/saml-idp.ts';

// The trace id on every SSO and sign-out error page is one an admin can read at
// /api/v1/sso-traces/:id, with the code the page showed: sign-in failures (traced from their
// start), and the pages answered outside a sign-in attempt (single logout refused, an unknown
// app, the loop guard, a sign-out refused), which get a trace of their own.

describe('the trace id of SSO and sign-out error pages', () => {
  let server: TestServer;
  let idp: SamlIdp;
  let peer: OidcPeer;
  let saml: AuthApp;
  let oidc: AuthApp;
  let key: string;

  before(async () => {
    server = await startTestServer();
    idp = await SamlIdp.start();
    ({ app: saml } = await installSamlApp(server, idp, { slug: 'traced-saml' }));
    peer = await startOidcPeer({
      clients: [{ clientId: 'traced', clientSecret: 'traced-client-secret', redirectUris: [callbackUrlFor(server, 'traced-oidc')] }],
      accounts: [{ id: 'tia-sub', email: 'tia@example.com', email_verified: true, name: 'Tia' }],
    });
    oidc = await installOidcApp(server, { audience: 'users', slug: 'traced-oidc', issuer: peer.issuer, clientId: 'traced', clientSecret: 'traced-client-secret' });
    ({ key } = await server.services.apiKeys.create('tests', null));
  });
  after(async () => {
    await peer?.close();
    await idp?.close();
    await server?.close();
  });

  /** The trace an error page names, read through the admin API. */
  async function traceOf(page: TestResponse) {
    const facts = errorPageFacts(page);
    const response = await server.client().get(`/api/v1/sso-traces/${encodeURIComponent(facts.traceId)}`, { authorization: `Bearer ${key}` });
    assert.equal(response.status, 200, `trace ${facts.traceId} of a ${facts.code} page: ${response.text}`);
    assert.equal(response.json.trace.errorCode, facts.code, 'the trace says what the page said');
    assert.equal(response.json.trace.outcome, 'failure');
    return response.json.trace as { appId: string | null; audience: string; failedCheck: string; detail: string | null };
  }

  it('a single logout message we refuse (none at all, or one that is not SAML)', async () => {
    const empty = await server.client().get(`/sso/${saml.slug}/saml/slo`);
    assert.equal(empty.status, 400);
    const trace = await traceOf(empty);
    assert.equal(trace.appId, saml.id);
    assert.equal(trace.failedCheck, 'message_present');

    const garbage = await server.client().get(`/sso/${saml.slug}/saml/slo?SAMLRequest=bm90IHhtbA&RelayState=x`);
    assert.ok(garbage.status >= 400 && garbage.status < 500, String(garbage.status));
    assert.equal((await traceOf(garbage)).appId, saml.id);

    const posted = await server.client().postForm(`/sso/${saml.slug}/saml/slo`, { SAMLResponse: Buffer.from('<x/>').toString('base64') });
    assert.ok(posted.status >= 400 && posted.status < 500, String(posted.status));
    assert.equal((await traceOf(posted)).appId, saml.id);
  });

  it('an address naming no app, and the app of another protocol', async () => {
    const unknown = await server.client().get('/sso/no-such-app/start');
    assert.equal(unknown.status, 404);
    const trace = await traceOf(unknown);
    assert.equal(trace.appId, null);
    assert.equal(trace.audience, 'users');
    const wrongEndpoint = await server.client().get(`/sso/${saml.slug}/callback?state=x&code=y`);
    assert.equal((await traceOf(wrongEndpoint)).appId, saml.id);
  });

  it('the loop guard', async () => {
    const browser = server.client();
    let page: TestResponse | undefined;
    for (let i = 0; i < 8 && page?.status !== 429; i++) page = await browser.get(`/sso/${oidc.slug}/start`);
    assert.equal(page?.status, 429);
    assert.equal(errorPageFacts(page!).code, 'sso.loop_detected');
    assert.equal((await traceOf(page!)).appId, oidc.id);
  });

  it('a sign-in callback that belongs to no attempt (as before: traced by the sign-in)', async () => {
    const forged = await server.client().get(`/sso/${oidc.slug}/callback?state=forged&code=x`);
    const trace = await traceOf(forged);
    assert.equal(trace.appId, oidc.id);
    assert.equal(trace.failedCheck, 'state');
  });

  it('a sign-out refused (no CSRF token), for each audience', async () => {
    const users = await server.client().postForm('/logout', {});
    assert.equal(users.status, 403);
    assert.equal((await traceOf(users)).audience, 'users');
    const agents = await server.client().postForm('/agent/logout', {});
    assert.equal((await traceOf(agents)).audience, 'agents');
  });

  it('pages outside SSO and sign-out keep the request id, which their log line carries, and write no trace', async () => {
    const traces = async () => (await server.services.db.query<{ count: number }>('SELECT count(*)::int AS count FROM sso_traces'))[0]!.count;
    const before = await traces();
    const page = await server.client().get('/articles/00000000-0000-4000-8000-000000000000');
    assert.equal(page.status, 404);
    const { traceId } = errorPageFacts(page);
    const response = await server.client().get(`/api/v1/sso-traces/${encodeURIComponent(traceId)}`, { authorization: `Bearer ${key}` });
    assert.equal(response.status, 404);
    assert.equal(await traces(), before);
  });
});
