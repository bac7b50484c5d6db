import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateKeyPair } from '../../src/protocols/saml/sp-keys.ts';
import { SamlIdp } from '../peers/saml-idp.ts';
import { accountCounts } from '../helpers/counts.ts';
import { errorCodeOf, failureOf, installSamlApp, loginAtIdp, postToAcs } from '../helpers/saml.ts';
import { errorPageFacts } from '../helpers/oidc-flow.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';
import { ShiftedClock } from '../helpers/services.ts';

const cli = { type: 'cli' } as const;

// Real time plus an offset the test can move (the IdP peer stamps real time).
const clock = new ShiftedClock();

async function whoAmI(browser: TestClient, audience: 'users' | 'agents') {
  const response = await browser.get(`/api/v1/session?audience=${audience}`);
  return response.status === 200 ? (response.json.person as { id: string; name: string; email: string }) : undefined;
}

async function signOut(browser: TestClient, audience: 'users' | 'agents') {
  const path = audience === 'users' ? '/logout' : '/agent/logout';
  const csrf = await browser.csrfFrom(path);
  return browser.postForm(path, { _csrf: csrf });
}

describe('SAML sign-in and sign-out against a real IdP (samlify)', () => {
  let server: TestServer;
  let idp: SamlIdp;
  let apiKey: string;

  before(async () => {
    server = await startTestServer({ clock });
    idp = await SamlIdp.start();
    const admin = await server.services.people.create({ audience: 'agents', name: 'Root', email: 'root@example.com', password: 'correct horse battery', isAdmin: true });
    apiKey = (await server.services.apiKeys.create('tests', admin.id)).key;
  });
  after(async () => {
    await idp.close();
    await server.close();
  });

  const api = (method: string, path: string, body?: unknown) => server.client().sendJson(method, path, body, { authorization: `Bearer ${apiKey}` });

  it('Users, HTTP-Redirect, signed assertion: creates the account from the attributes, keyed on issuer and NameID', async () => {
    const { app, sp } = await installSamlApp(server, idp, { slug: 'saml-redirect', signResponse: false });
    const browser = server.client();
    const answer = await loginAtIdp(browser, app, idp, sp, { nameId: 'ada@example.com', email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' }, {}, '/articles/1');
    assert.equal(answer.RelayState, answer.requestId, 'RelayState references the stored request');
    const done = await postToAcs(browser, app, answer);
    assert.equal(done.status, 303, await failureOf(server, done));
    assert.equal(done.location, '/articles/1');
    const me = await whoAmI(browser, 'users');
    assert.equal(me?.name, 'Ada Lovelace');
    assert.equal(me?.email, 'ada@example.com');
    const [identity] = await server.services.db.query<{ subject: string; issuer: string }>('SELECT subject, issuer FROM identities WHERE app_id = $1', [app.id]);
    assert.deepEqual(identity, { subject: `${idp.entityId} ada@example.com`, issuer: idp.entityId });
    assert.equal(await whoAmI(browser, 'agents'), undefined, 'a Users sign-in grants nothing to Agents');

    // The same response again: refused as a replay, nothing created.
    const before = await accountCounts(server.services.db);
    const again = await postToAcs(server.client(), app, answer);
    assert.equal(again.status, 400);
    assert.equal(errorCodeOf(again), 'sso.saml.replayed');
    assert.deepEqual(await accountCounts(server.services.db), before);
  });

  it('Users, HTTP-POST, signed response only (wantAssertionsSigned off, wantResponseSigned on)', async () => {
    const { app, sp, metadata } = await installSamlApp(server, idp, {
      slug: 'saml-post', config: { authnRequestBinding: 'post', wantAssertionsSigned: false, wantResponseSigned: true }, signResponse: true,
    });
    assert.match(metadata, /WantAssertionsSigned="false"/);
    const browser = server.client();
    const start = await browser.get(`/sso/${app.slug}/start`);
    assert.equal(start.status, 200);
    assert.match(start.headers.get('content-security-policy') ?? '', /script-src 'sha256-[^']+'; form-action http:\/\/127\.0\.0\.1:\d+/);
    const answer = await loginAtIdp(browser, app, idp, sp, { nameId: 'bob@example.com', email: 'bob@example.com' });
    const xml = Buffer.from(answer.SAMLResponse, 'base64').toString();
    assert.equal((xml.match(/<ds:Signature[ >]/g) ?? []).length, 1, 'only the response is signed');
    const done = await postToAcs(browser, app, answer);
    assert.equal(done.status, 303, await failureOf(server, done));
    assert.equal((await whoAmI(browser, 'users'))?.email, 'bob@example.com');
  });

  it('refuses a response signed only at the response level when the assertion must be signed', async () => {
    const { app, sp } = await installSamlApp(server, idp, { slug: 'saml-want-assertion', config: { wantAssertionsSigned: true } });
    // Our metadata says WantAssertionsSigned="true", so samlify signs both: strip the assertion's signature.
    const browser = server.client();
    const answer = await loginAtIdp(browser, app, idp, sp, { nameId: 'cy@example.com', email: 'cy@example.com' });
    const xml = Buffer.from(answer.SAMLResponse, 'base64').toString();
    assert.equal((xml.match(/<ds:Signature[ >]/g) ?? []).length, 2, 'response and assertion signed');
    const done = await postToAcs(browser, app, answer);
    assert.equal(done.status, 303, await failureOf(server, done));
  });

  it('accepts an encrypted assertion, and with requireEncryptedAssertions refuses a clear one', async () => {
    const encrypting = await SamlIdp.start({ encryptAssertions: true, keys: idp.keys });
    try {
      const { app, sp } = await installSamlApp(server, encrypting, { slug: 'saml-encrypted', config: { requireEncryptedAssertions: true }, signResponse: true });
      const browser = server.client();
      const answer = await loginAtIdp(browser, app, encrypting, sp, { nameId: 'dee@example.com', email: 'dee@example.com' });
      assert.match(Buffer.from(answer.SAMLResponse, 'base64').toString(), /EncryptedAssertion/);
      const done = await postToAcs(browser, app, answer);
      assert.equal(done.status, 303, await failureOf(server, done));
      assert.equal((await whoAmI(browser, 'users'))?.email, 'dee@example.com');

      encrypting.setEncryption(false);
      const before = await accountCounts(server.services.db);
      const clear = await loginAtIdp(server.client(), app, encrypting, sp, { nameId: 'eve@example.com', email: 'eve@example.com' });
      const refused = await postToAcs(server.client(), app, clear);
      assert.equal(errorCodeOf(refused), 'sso.saml.encryption_required');
      assert.deepEqual(await accountCounts(server.services.db), before);
    } finally {
      await encrypting.close();
    }
  });

  it('Agents, Automatic: signs in an existing agent, signs out through single logout and lands on a signed-out page', async () => {
    await server.services.people.create({ audience: 'agents', name: 'Fay Agent', email: 'fay@example.com', emailVerified: true });
    const { app, sp } = await installSamlApp(server, idp, { audience: 'agents', slug: 'saml-agents', sso: 'automatic', config: { trustEmail: true } });
    const browser = server.client();
    const login = await browser.get('/agent/login');
    assert.equal(login.status, 302);
    assert.match(login.location ?? '', /^\/sso\/saml-agents\/start/);
    const answer = await loginAtIdp(browser, app, idp, sp, { nameId: 'fay@example.com', email: 'fay@example.com', sessionIndex: '_idp_session_fay' });
    const done = await postToAcs(browser, app, answer);
    assert.equal(done.status, 303, await failureOf(server, done));
    assert.equal(done.location, '/agent');
    assert.equal((await whoAmI(browser, 'agents'))?.name, 'Fay Agent');
    assert.equal(await whoAmI(browser, 'users'), undefined);

    const out = await signOut(browser, 'agents');
    assert.equal(out.status, 303);
    assert.ok(out.location?.startsWith(`${idp.baseUrl}/slo?SAMLRequest=`), out.location ?? '');
    assert.equal(await whoAmI(browser, 'agents'), undefined, 'the local session is revoked before the browser leaves');
    // The IdP verifies our signed LogoutRequest and answers; the browser brings the answer back.
    const { responseUrl, nameId, sessionIndex } = await idp.answerLogout(sp, out.location!);
    assert.equal(nameId, 'fay@example.com');
    assert.match(JSON.stringify(sessionIndex), /_idp_session_fay/);
    const back = new URL(responseUrl);
    const landing = await browser.get(`${back.pathname.replace(/^.*\/sso\//, '/sso/')}${back.search}`);
    assert.equal(landing.status, 200, landing.text.slice(0, 400));
    assert.match(landing.text, /You are signed out here and at Test IdP/);
    // A second delivery of the same answer is refused.
    const replay = await browser.get(`${back.pathname.replace(/^.*\/sso\//, '/sso/')}${back.search}`);
    assert.equal(errorCodeOf(replay), 'sso.saml.in_response_to_invalid');
    await server.services.apps.update(app.id, { sso: 'disabled' }, cli);
  });

  it('IdP-initiated single logout revokes the sessions of that NameID and session index and answers with a signed LogoutResponse', async () => {
    const { app, sp } = await installSamlApp(server, idp, { slug: 'saml-slo' });
    const browser = server.client();
    const other = server.client();
    for (const [client, sessionIndex] of [[browser, '_s1'], [other, '_s2']] as const) {
      const answer = await loginAtIdp(client, app, idp, sp, { nameId: 'gus@example.com', email: 'gus@example.com', sessionIndex });
      assert.equal((await postToAcs(client, app, answer)).status, 303);
    }
    const request = idp.logoutRequestUrl(sp, 'gus@example.com', '_s1');
    const url = new URL(request.url);
    const answer = await browser.get(`${url.pathname}${url.search}`);
    assert.equal(answer.status, 302, answer.text.slice(0, 300));
    const response = new URL(answer.location!);
    assert.equal(`${response.origin}${response.pathname}`, `${idp.baseUrl}/slo`);
    assert.ok(response.searchParams.get('SAMLResponse') && response.searchParams.get('Signature'), 'a signed LogoutResponse');
    assert.equal(response.searchParams.get('RelayState'), 'rs-idp');
    assert.equal(await whoAmI(browser, 'users'), undefined, 'session _s1 revoked');
    assert.equal((await whoAmI(other, 'users'))?.email, 'gus@example.com', 'session _s2 untouched');
    // Replayed logout request: refused.
    const again = await browser.get(`${url.pathname}${url.search}`);
    assert.equal(errorCodeOf(again), 'sso.saml.replayed');
    // An unsigned one: refused.
    const unsigned = `${url.pathname}?${url.search.slice(1).split('&').filter((p) => !p.startsWith('Signature=')).join('&')}`;
    assert.equal(errorCodeOf(await browser.get(unsigned)), 'sso.saml.signature_invalid');
  });

  it('Users, Automatic, HTTP-POST binding: the Help Center sends visitors to the IdP; sign-out ends there too', async () => {
    const { app, sp } = await installSamlApp(server, idp, { slug: 'saml-users-auto', sso: 'automatic', config: { authnRequestBinding: 'post' } });
    const browser = server.client();
    const gate = await browser.get('/');
    assert.equal(gate.status, 302);
    assert.equal(gate.location, `/sso/${app.slug}/start?return_to=%2F`);
    const answer = await loginAtIdp(browser, app, idp, sp, { nameId: 'hana@example.com', email: 'hana@example.com', sessionIndex: '_hana' });
    const done = await postToAcs(browser, app, answer);
    assert.equal(done.status, 303, await failureOf(server, done));
    assert.equal((await whoAmI(browser, 'users'))?.email, 'hana@example.com');
    const out = await signOut(browser, 'users');
    assert.ok(out.location?.startsWith(`${idp.baseUrl}/slo?SAMLRequest=`), out.location ?? '');
    assert.equal(await whoAmI(browser, 'users'), undefined);
    const { responseUrl } = await idp.answerLogout(sp, out.location!);
    const back = new URL(responseUrl);
    const landing = await browser.get(`/sso/${app.slug}/saml/slo${back.search}`);
    assert.equal(landing.status, 200);
    assert.match(landing.text, /You are signed out/);
    await server.services.apps.update(app.id, { sso: 'disabled' }, cli);
  });

  it('a Disabled (button) app signs out locally only, to the Help Center', async () => {
    const { app, sp } = await installSamlApp(server, idp, { slug: 'saml-users-button' });
    const browser = server.client();
    assert.match((await browser.get('/login')).text, /href="\/sso\/saml-users-button\/start/);
    assert.equal((await postToAcs(browser, app, await loginAtIdp(browser, app, idp, sp, { nameId: 'ike@example.com', email: 'ike@example.com' }))).status, 303);
    const out = await signOut(browser, 'users');
    assert.equal(out.status, 303);
    assert.equal(out.location, '/');
    assert.equal(await whoAmI(browser, 'users'), undefined);
  });

  it('IdP-initiated single logout by HTTP-POST (enveloped signature) revokes the session', async () => {
    const { app, sp } = await installSamlApp(server, idp, { slug: 'saml-slo-post' });
    const browser = server.client();
    assert.equal((await postToAcs(browser, app, await loginAtIdp(browser, app, idp, sp, { nameId: 'jan@example.com', email: 'jan@example.com', sessionIndex: '_jan' }))).status, 303);
    const form = idp.logoutRequestForm(sp, 'jan@example.com', '_jan');
    const answer = await server.client().postForm(`/sso/${app.slug}/saml/slo`, form);
    assert.equal(answer.status, 302, await failureOf(server, answer));
    assert.ok(answer.location?.startsWith(`${idp.baseUrl}/slo?SAMLResponse=`));
    assert.equal(await whoAmI(browser, 'users'), undefined, 'revoked although the request came without the session cookie');
    const tampered = { ...form, SAMLRequest: Buffer.from(Buffer.from(form.SAMLRequest!, 'base64').toString().replace('jan@example.com', 'ann@example.com')).toString('base64') };
    assert.equal(errorCodeOf(await server.client().postForm(`/sso/${app.slug}/saml/slo`, tampered)), 'sso.saml.signature_invalid');
  });

  it('the Okta, OneLogin and Microsoft presets in SAML mode (protocol: "saml") sign in like the generic type', async () => {
    for (const type of ['okta', 'onelogin', 'microsoft'] as const) {
      const app = await server.services.apps.create(
        { audience: 'users', type, slug: `${type}-saml`, showButton: true, config: { protocol: 'saml', idpMetadataUrl: idp.metadataUrl, trustEmail: false } },
        cli,
      );
      assert.deepEqual(app.secretsSet, ['spPrivateKey'], 'an SP key was generated');
      const view = await api('GET', `/api/v1/apps/${app.slug}`);
      assert.equal(view.json.app.urls.acs, `http://localhost:8080/sso/${app.slug}/saml/acs`);
      const sp = idp.spFrom((await server.client().get(`/sso/${app.slug}/saml/metadata`)).text);
      const browser = server.client();
      const done = await postToAcs(browser, app, await loginAtIdp(browser, app, idp, sp, { nameId: `${type}@example.com`, email: `${type}@example.com` }));
      assert.equal(done.status, 303, await failureOf(server, done));
      assert.equal((await whoAmI(browser, 'users'))?.email, `${type}@example.com`);
      // Its OIDC endpoints are closed.
      assert.equal((await server.client().get(`/sso/${app.slug}/callback?state=x`)).status, 404);
    }
    // The OIDC form of the presets is unchanged and still validated field by field.
    const oidc = await api('POST', '/api/v1/apps', { audience: 'users', type: 'okta', config: { domain: 'acme.okta.com' } });
    assert.equal(oidc.status, 400);
    assert.match(JSON.stringify(oidc.json.error.details), /config\.clientId/);
    const noIdp = await api('POST', '/api/v1/apps', { audience: 'users', type: 'okta', config: { protocol: 'saml', domain: 'acme.okta.com' } });
    assert.equal(noIdp.json.error.code, 'app.config_invalid');
  });

  it('IdP-initiated sign-in: refused by default; when allowed, RelayState may only be a path here', async () => {
    const { app, sp } = await installSamlApp(server, idp, { slug: 'saml-unsolicited' });
    const before = await accountCounts(server.services.db);
    const unsolicited = await idp.createResponse(sp, { nameId: 'hal@example.com', email: 'hal@example.com' });
    const refused = await postToAcs(server.client(), app, { SAMLResponse: unsolicited, RelayState: '/articles/2' });
    assert.equal(errorCodeOf(refused), 'sso.saml.unsolicited');
    assert.deepEqual(await accountCounts(server.services.db), before);

    await server.services.apps.update(app.id, { config: { allowIdpInitiated: true } }, cli);
    const browser = server.client();
    const allowed = await postToAcs(browser, app, { SAMLResponse: await idp.createResponse(sp, { nameId: 'hal@example.com', email: 'hal@example.com' }), RelayState: '/articles/2' });
    assert.equal(allowed.status, 303, errorCodeOf(allowed));
    assert.equal(allowed.location, '/articles/2');
    const offsite = await postToAcs(server.client(), app, { SAMLResponse: await idp.createResponse(sp, { nameId: 'hal@example.com', email: 'hal@example.com' }), RelayState: 'https://evil.example/' });
    assert.equal(offsite.status, 303);
    assert.equal(offsite.location, '/');
    // Still replay-checked.
    const replayed = await postToAcs(server.client(), app, { SAMLResponse: unsolicited, RelayState: '/' });
    assert.equal(errorCodeOf(replayed), 'sso.saml.replayed');
  });

  it('links an existing account by email only when the app trusts the identity service with emails', async () => {
    await server.services.people.create({ audience: 'users', name: 'Ivy', email: 'ivy@example.com', password: 'correct horse battery', emailVerified: true });
    const { app, sp } = await installSamlApp(server, idp, { slug: 'saml-untrusted' });
    const before = await accountCounts(server.services.db);
    const refused = await postToAcs(server.client(), app, await loginAtIdp(server.client(), app, idp, sp, { nameId: 'ivy@example.com', email: 'ivy@example.com' }));
    assert.equal(errorCodeOf(refused), 'sso.email_unverified');
    assert.deepEqual(await accountCounts(server.services.db), before);
    await server.services.apps.update(app.id, { config: { trustEmail: true } }, cli);
    const browser = server.client();
    const linked = await postToAcs(browser, app, await loginAtIdp(browser, app, idp, sp, { nameId: 'ivy@example.com', email: 'ivy@example.com' }));
    assert.equal(linked.status, 303, errorCodeOf(linked));
    assert.equal((await whoAmI(browser, 'users'))?.name, 'Ivy');
  });

  // Issue 17: the SAML tail was a copy of its own and had drifted from OIDC's and JWT's.
  it('a second sign-in in the same browser revokes the session it replaces, as OIDC and JWT do', async () => {
    const { app, sp } = await installSamlApp(server, idp, { slug: 'saml-replace' });
    const browser = server.client();
    const first = await postToAcs(browser, app, await loginAtIdp(browser, app, idp, sp, { nameId: 'rae@example.com', email: 'rae@example.com' }));
    assert.equal(first.status, 303, await failureOf(server, first));
    const second = await postToAcs(browser, app, await loginAtIdp(browser, app, idp, sp, { nameId: 'rae@example.com', email: 'rae@example.com' }));
    assert.equal(second.status, 303, await failureOf(server, second));
    const sessions = await server.services.db.query<{ revoked_reason: string | null }>(
      'SELECT revoked_reason FROM sessions WHERE app_id = $1 ORDER BY created_at', [app.id],
    );
    assert.deepEqual(sessions.map((s) => s.revoked_reason), ['replaced by a new sign-in', null]);
    assert.equal((await whoAmI(browser, 'users'))?.email, 'rae@example.com');
  });

  it('the retry link of a refused answer keeps the return_to of the sign-in it answers', async () => {
    await server.services.people.create({ audience: 'users', name: 'Uma', email: 'uma@example.com', password: 'correct horse battery', emailVerified: true });
    const { app, sp } = await installSamlApp(server, idp, { slug: 'saml-retry' });
    const browser = server.client();
    const refused = await postToAcs(browser, app, await loginAtIdp(browser, app, idp, sp, { nameId: 'uma@example.com', email: 'uma@example.com' }, {}, '/articles/7'));
    assert.equal(errorCodeOf(refused), 'sso.email_unverified');
    assert.equal(errorPageFacts(refused).retryHref, `/sso/${app.slug}/start?retry=1&return_to=${encodeURIComponent('/articles/7')}`);
  });

  it('pasted metadata works; expired metadata and a wrong certificate fingerprint are refused', async () => {
    const { app, sp } = await installSamlApp(server, idp, { slug: 'saml-pasted', config: { idpMetadataUrl: undefined, idpMetadataXml: idp.metadataXml } });
    const browser = server.client();
    assert.equal((await postToAcs(browser, app, await loginAtIdp(browser, app, idp, sp, { nameId: 'jo@example.com', email: 'jo@example.com' }))).status, 303);

    const expired = idp.metadataXml.replace(/<(\w+:)?EntityDescriptor /, (m) => `${m}validUntil="2020-01-01T00:00:00Z" `);
    const old = await server.services.apps.create({ audience: 'users', type: 'saml', slug: 'saml-expired', config: { idpMetadataXml: expired } }, cli);
    const start = await server.client().get(`/sso/${old.slug}/start`);
    assert.equal(errorCodeOf(start), 'sso.saml.metadata_invalid');

    const pinned = await server.services.apps.create(
      { audience: 'users', type: 'saml', slug: 'saml-pinned', config: { idpMetadataUrl: idp.metadataUrl, idpCertificateFingerprint: 'ab'.repeat(32) } }, cli,
    );
    assert.equal(errorCodeOf(await server.client().get(`/sso/${pinned.slug}/start`)), 'sso.saml.metadata_invalid');
  });

  it('accepts responses signed by either certificate during an IdP key rollover (metadata refetched on a signature failure)', async () => {
    const { app, sp } = await installSamlApp(server, idp, { slug: 'saml-rollover' });
    const browser = server.client();
    assert.equal((await postToAcs(browser, app, await loginAtIdp(browser, app, idp, sp, { nameId: 'kim@example.com', email: 'kim@example.com' }))).status, 303);
    // The IdP rolls to a new key and publishes both certificates.
    const rolled = await SamlIdp.start({ keys: await generateKeyPair('Rolled IdP') });
    try {
      const newCert = rolled.keys.certificate.replace(/-----[^-]+-----|\s/g, '');
      idp.metadataOverride = idp.metadataXml.replace(/(<(\w+:)?KeyDescriptor[^>]*use="signing"[^>]*>)/, `<md:KeyDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${newCert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>$1`);
      // Signature failures refetch metadata at most once a minute.
      clock.offsetMs += 90_000;
      // A response signed with the new key, for a request our app made, passed through the old IdP's flow.
      const second = server.client();
      const request = await loginAtIdp(second, app, idp, sp, { nameId: 'kim@example.com', email: 'kim@example.com' });
      const resigned = await rolledResponse(rolled, idp, sp, request.requestId);
      const done = await postToAcs(second, app, { SAMLResponse: resigned, RelayState: request.RelayState });
      assert.equal(done.status, 303, await failureOf(server, done));
    } finally {
      idp.metadataOverride = undefined;
      clock.offsetMs = 0;
      await rolled.close();
    }
  });

  it('rotates the SP key without a gap: add_next, promote, remove_previous', async () => {
    const { app } = await installSamlApp(server, idp, { slug: 'saml-rotate' });
    const certCount = async () => ((await server.client().get(`/sso/${app.slug}/saml/metadata`)).text.match(/KeyDescriptor use="signing"/g) ?? []).length;
    assert.equal(await certCount(), 1);
    const added = await api('POST', `/api/v1/apps/${app.slug}/saml/sp-keys`, { action: 'add_next' });
    assert.equal(added.status, 200, added.text);
    assert.equal(await certCount(), 2);
    assert.equal((await api('POST', `/api/v1/apps/${app.slug}/saml/sp-keys`, { action: 'promote' })).status, 200);
    assert.equal(await certCount(), 2);
    // The IdP reads the new metadata; sign-in works with AuthnRequests signed by the new key.
    const fresh = (await server.client().get(`/sso/${app.slug}/saml/metadata`)).text;
    // samlify verifies with one signing certificate per entity: give it the signing (first) one,
    // as an IdP that re-read our metadata and picked the current key would.
    const firstPair = /<md:KeyDescriptor use="signing">.*?<\/md:KeyDescriptor><md:KeyDescriptor use="encryption">.*?<\/md:KeyDescriptor>/.exec(fresh)![0];
    const sp = idp.spFrom(fresh.replace(/(<md:KeyDescriptor use="signing">.*<\/md:KeyDescriptor>)(?=<md:SingleLogoutService)/, firstPair), { signResponse: true });
    const updated = (await server.services.apps.find(app.id))!;
    const browser = server.client();
    assert.equal((await postToAcs(browser, updated, await loginAtIdp(browser, updated, idp, sp, { nameId: 'lu@example.com', email: 'lu@example.com' }))).status, 303);
    assert.equal((await api('POST', `/api/v1/apps/${app.slug}/saml/sp-keys`, { action: 'remove_previous' })).status, 200);
    assert.equal(await certCount(), 1);
    const view = await api('GET', `/api/v1/apps/${app.slug}`);
    assert.deepEqual(view.json.app.secretsSet, ['spPrivateKey']);
    assert.equal(view.json.app.urls.acs, `http://localhost:8080/sso/${app.slug}/saml/acs`);
  });

  it('the Test button reports metadata, certificates and the SP values to copy', async () => {
    const { app } = await installSamlApp(server, idp, { slug: 'saml-test-button' });
    const report = await api('POST', `/api/v1/apps/${app.slug}/test`);
    assert.equal(report.status, 200, report.text);
    assert.equal(report.json.ok, true, JSON.stringify(report.json.checks));
    assert.deepEqual(report.json.checks.map((c: { name: string }) => c.name), ['metadata', 'idp_certificate_1', 'sso_url', 'slo_url', 'sp_key']);
    assert.equal(report.json.sp.acsUrl, `http://localhost:8080/sso/${app.slug}/saml/acs`);
    assert.equal(report.json.sp.entityId, `http://localhost:8080/sso/${app.slug}/saml/metadata`);
    assert.match(report.json.sp.certificate, /BEGIN CERTIFICATE/);
    // A certificate ten days from its end: the report warns.
    const ageing = await generateKeyPair('Ageing IdP', new Date(Date.now() - (10 * 365 - 10) * 86_400_000));
    const fields = await server.services.apps.create(
      { audience: 'users', type: 'saml', slug: 'saml-ageing', config: { idpEntityId: 'https://idp.example.com/e', idpSsoUrl: `${idp.baseUrl}/sso`, idpCertificate: ageing.certificate } }, cli,
    );
    const warned = await api('POST', `/api/v1/apps/${fields.slug}/test`);
    assert.equal(warned.json.ok, true);
    assert.equal(warned.json.warnings.length, 1);
    assert.match(warned.json.warnings[0], /signing certificate .* expires on/);
    const broken = await server.services.apps.create({ audience: 'users', type: 'saml', slug: 'saml-broken', config: { idpMetadataUrl: `${idp.baseUrl}/nothing-here` } }, cli);
    const failed = await api('POST', `/api/v1/apps/${broken.slug}/test`);
    assert.equal(failed.json.ok, false);
    assert.match(failed.json.checks[0].detail, /HTTP 404/);
    // The only signing certificate past its end: the metadata check fails and says so.
    const expired = await generateKeyPair('Expired IdP', new Date(Date.now() - 11 * 365 * 86_400_000));
    const stale = await server.services.apps.create(
      { audience: 'users', type: 'saml', slug: 'saml-test-expired-cert', config: { idpEntityId: 'https://idp.example.com/x', idpSsoUrl: `${idp.baseUrl}/sso`, idpCertificate: expired.certificate } }, cli,
    );
    const staleReport = await api('POST', `/api/v1/apps/${stale.slug}/test`);
    assert.equal(staleReport.json.ok, false);
    assert.deepEqual(staleReport.json.checks.filter((c: { ok: boolean }) => !c.ok).map((c: { name: string }) => c.name), ['metadata']);
    assert.match(staleReport.json.checks[0].detail, /all expired/);
    // An SSO address that answers nothing (a port just closed): the check fails, naming why.
    const closed = (await import('node:net')).createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as import('node:net').AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const silent = await server.services.apps.create(
      { audience: 'users', type: 'saml', slug: 'saml-silent', config: { idpEntityId: 'https://idp.example.com/s', idpSsoUrl: `http://127.0.0.1:${closedPort}/sso`, idpCertificate: ageing.certificate } }, cli,
    );
    const unreachable = await api('POST', `/api/v1/apps/${silent.slug}/test`);
    assert.equal(unreachable.json.ok, false);
    const ssoCheck = unreachable.json.checks.find((c: { name: string }) => c.name === 'sso_url');
    assert.equal(ssoCheck.ok, false);
    assert.match(ssoCheck.detail, /connection refused/);
  });
});

/** A login response from `rolled` (the IdP's new key) answering `requestId`, with the old IdP's entity id. */
async function rolledResponse(rolled: SamlIdp, idp: SamlIdp, sp: import('samlify').ServiceProviderInstance, requestId: string): Promise<string> {
  return rolled.createResponse(sp, { nameId: 'kim@example.com', email: 'kim@example.com' }, { inResponseTo: requestId, issuer: idp.entityId });
}
