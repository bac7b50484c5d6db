import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthApp } from '../../src/core/apps.ts';
import { accountCounts } from '../helpers/counts.ts';
import { claimsAt, errorCodeOf, signToken } from '../helpers/jwt.ts';
import { generateJwtSharedSecret } from '../../src/protocols/jwt/keys.ts';
import { authorizeAtProvider, callbackUrlFor, installOidcApp } from '../helpers/oidc-flow.ts';
import { failureOf, installSamlApp, postToAcs } from '../helpers/saml.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';
import { startOidcPeer, type OidcPeer } from '../peers/oidc-provider.ts';
import { GitHubOAuthPeer } from '../peers/github-oauth.ts';
import { SamlIdp } from '../peers/saml-idp.ts';

const PASSWORD = 'correct horse battery';
const CLIENT = { clientId: 'frontdoor-test-sign-in', clientSecret: 'test-sign-in-client-secret' };

const unescape = (text: string) => text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

// "Test sign-in" (issue 18 part 2): an admin runs an app's sign-in through the real identity
// service and gets a report of the claims, their mapping and the checks; nobody is signed in
// and nothing is created. The test mark is server-side only, started by an admin's ticket.
describe('test sign-in: a report instead of a session', () => {
  let server: TestServer;
  let peer: OidcPeer;
  let idp: SamlIdp;
  let github: GitHubOAuthPeer;
  let admin: TestClient;
  let oidcApp: AuthApp;
  let vipId: string;

  before(async () => {
    server = await startTestServer();
    peer = await startOidcPeer({
      clients: [{ ...CLIENT, redirectUris: [callbackUrlFor(server, 'test-oidc')] }],
      accounts: [
        { id: 'tess-sub', email: 'tess@example.com', email_verified: true, name: 'Tess Tester', groups: ['vip'] },
        { id: 'known-sub', email: 'kim@example.com', email_verified: true, name: 'Kim Known' },
      ],
    });
    idp = await SamlIdp.start();
    github = await GitHubOAuthPeer.start();
    await server.services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    await server.services.people.create({ audience: 'agents', name: 'Paul Plain', email: 'paul@example.com', password: PASSWORD });
    vipId = (await server.services.usergroups.create('VIP')).id;
    oidcApp = await installOidcApp(server, {
      audience: 'users', slug: 'test-oidc', issuer: peer.issuer, ...CLIENT,
      config: { scopes: ['openid', 'email', 'profile', 'groups'], loginActions: { groupMappings: [{ group: 'vip', usergroupId: vipId }] } },
    });
    admin = server.client();
    assert.equal((await admin.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
  });
  after(async () => {
    await github.close();
    await idp.close();
    await peer.close();
    await server.close();
  });

  /** The console's Test sign-in button: a CSRF-checked POST answering 303 to the app's start with a ticket. */
  const startTest = async (client: TestClient, app: AuthApp) => {
    const response = await client.postForm(`/admin/apps/${app.id}/test-sign-in`, { _csrf: await client.csrfFrom(`/admin/apps/${app.id}`) });
    assert.equal(response.status, 303, response.text.slice(0, 400));
    assert.match(response.location ?? '', new RegExp(`^/sso/${app.slug}/start\\?test=`));
    return response.location!;
  };

  const testSignInThroughOidc = async (client: TestClient, account: string) => {
    peer.signInAs(account);
    const { callbackUrl } = await authorizeAtProvider(server, client, await startTest(client, oidcApp));
    const done = await client.get(callbackUrl);
    assert.equal(done.status, 303, done.text.slice(0, 400));
    assert.match(done.location ?? '', new RegExp(`^/admin/apps/${oidcApp.id}/test-sign-in/[0-9a-f-]{36}$`));
    assert.equal(done.headers.getSetCookie().filter((c) => /session/i.test(c)).length, 0, 'no session cookie is set or cleared');
    return done.location!;
  };

  it('OIDC: the report shows the claims and their mapping, and nobody, no identity and no session is created', async () => {
    const before = await accountCounts(server.services.db);
    const reportPath = await testSignInThroughOidc(admin, 'tess-sub');
    assert.deepEqual(await accountCounts(server.services.db), before, 'no person, email, identity or session');

    const report = await admin.get(reportPath);
    assert.equal(report.status, 200, report.text.slice(0, 400));
    const text = unescape(report.text);
    assert.match(text, /This sign-in would succeed/);
    assert.match(text, /<code>email<\/code><\/td><td data-label="Value"><code>"tess@example.com"<\/code>/, 'the claims received');
    assert.match(text, /<dt>Email<\/dt><dd>tess@example.com<\/dd>/);
    assert.match(text, /<dt>Email trusted<\/dt><dd>yes/);
    assert.match(text, /<dt>Name<\/dt><dd>Tess Tester<\/dd>/);
    assert.match(text, /<dt>Groups<\/dt><dd>vip<\/dd>/);
    assert.match(text, /<dt>Usergroups that would be added<\/dt><dd>VIP<\/dd>/);
    assert.match(text, /Would create a new account for tess@example.com/);
    assert.match(text, /data-check="filter"><strong>passed/);
    assert.match(text, /data-check="account"><strong>passed/);
    assert.match(text, /Second factor: not asked/);
    const traceId = /trace <a href="\/admin\/sso-traces\/([^"]+)"/.exec(text)?.[1];
    assert.ok(traceId, 'the trace id');
    const [trace] = await server.services.db.query<{ outcome: string; person_id: string | null }>('SELECT outcome, person_id FROM sso_traces WHERE id = $1', [traceId]);
    assert.deepEqual(trace, { outcome: 'success', person_id: null }, 'a passing test counts as a successful sign-in for the Automatic gate');

    // The admin's own browser is still the admin, and has no Help Center session.
    const me = await admin.get('/api/v1/session?audience=agents');
    assert.equal(me.json.person.email, 'ada@example.com');
    assert.equal((await admin.get('/api/v1/session?audience=users')).status, 401);

    // Reloading the report works; it is audited with the admin as actor.
    assert.equal((await admin.get(reportPath)).status, 200);
    const [audit] = await server.services.audit.list({ action: 'app.test_sign_in', limit: 1 });
    assert.equal(audit?.outcome, 'success');
    assert.equal(audit?.target?.id, oidcApp.id);
  });

  it('an existing account: the report names the account it would reach, and changes nothing about it', async () => {
    const kim = await server.services.people.create({ audience: 'users', name: 'Kim Known', email: 'kim@example.com' });
    await server.services.db.query('INSERT INTO identities (app_id, audience, subject, person_id, email, issuer) VALUES ($1, $2, $3, $4, $5, $6)', [
      oidcApp.id, 'users', 'known-sub', kim.id, 'kim@example.com', peer.issuer,
    ]);
    const [identityBefore] = await server.services.db.query('SELECT last_used_at FROM identities WHERE person_id = $1', [kim.id]);
    // A browser without the provider's session of the test above, signed in as the admin.
    const fresh = server.client();
    assert.equal((await fresh.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
    const before = await accountCounts(server.services.db);
    const report = unescape((await fresh.get(await testSignInThroughOidc(fresh, 'known-sub'))).text);
    assert.match(report, /Would sign in Kim Known <kim@example.com>, already linked to this app/);
    assert.match(report, new RegExp(`href="/admin/people/users/${kim.id}"`));
    assert.deepEqual(await accountCounts(server.services.db), before);
    assert.deepEqual((await server.services.db.query('SELECT last_used_at FROM identities WHERE person_id = $1', [kim.id]))[0], identityBefore, 'the identity is not touched');
  });

  it('a refusal of the account resolution is reported with its reason, not shown as an error', async () => {
    await server.services.registration.updateSettings({ mode: 'closed' }, { type: 'cli' });
    try {
      const report = unescape((await admin.get(await testSignInThroughOidc(admin, 'tess-sub'))).text);
      assert.match(report, /This sign-in would be refused/);
      assert.match(report, /data-check="registration"><strong>failed/);
      assert.match(report, /Would be refused \(registration\.closed\)/);
      const [audit] = await server.services.audit.list({ action: 'app.test_sign_in', limit: 1 });
      assert.equal(audit?.outcome, 'failure');
    } finally {
      await server.services.registration.updateSettings({ mode: 'open' }, { type: 'cli' });
    }
  });

  it('an answer the protocol refuses ends on the report too, naming the failed check', async () => {
    const fresh = server.client();
    assert.equal((await fresh.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
    const before = await accountCounts(server.services.db);
    peer.signInAs('tess-sub');
    const { callbackUrl } = await authorizeAtProvider(server, fresh, await startTest(fresh, oidcApp));
    const tampered = new URL(callbackUrl);
    tampered.searchParams.set('code', 'not-the-code-the-provider-issued');
    const done = await fresh.get(tampered.href);
    assert.equal(done.status, 303, done.text.slice(0, 300));
    const report = unescape((await fresh.get(done.location!)).text);
    assert.match(report, /This sign-in would be refused/);
    assert.match(report, /data-check="answer"><strong>failed<\/strong> · The identity service's answer: sso\.code_invalid/);
    assert.match(report, /Not reached: the identity service's answer was refused/);
    assert.deepEqual(await accountCounts(server.services.db), before);
  });

  it('another session, even the same admin\'s, gets 404 for the report', async () => {
    const reportPath = await testSignInThroughOidc(admin, 'tess-sub');
    const otherSession = server.client();
    assert.equal((await otherSession.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
    const other = await otherSession.get(reportPath);
    assert.equal(other.status, 404);
    assert.equal(errorCodeOf(other), 'request.not_found');
    assert.equal((await admin.get(reportPath)).status, 200);
  });

  it('a non-admin cannot start one, a ticket works once and only in the session it was issued to, and a made-up one is refused', async () => {
    const plain = server.client();
    assert.equal((await plain.signIn('paul@example.com', PASSWORD, 'agents')).status, 303);
    const forbidden = await plain.postForm(`/admin/apps/${oidcApp.id}/test-sign-in`, { _csrf: (await plain.apiCsrfHeader())['x-csrf-token']! });
    assert.equal(forbidden.status, 403);

    const start = await startTest(admin, oidcApp);
    // In another browser (or a plain agent's), the admin's ticket is worthless.
    const before = await accountCounts(server.services.db);
    for (const client of [server.client(), plain]) {
      const refused = await client.get(start);
      assert.equal(refused.status, 403);
      assert.equal(errorCodeOf(refused), 'app.test_sign_in_invalid');
    }
    const forged = await admin.get(`/sso/${oidcApp.slug}/start?test=00000000-0000-4000-8000-000000000000`);
    assert.equal(errorCodeOf(forged), 'app.test_sign_in_invalid');
    // The ticket was only ever usable by its own session: there it still works, once.
    assert.equal((await admin.get(start)).status, 302);
    assert.equal(errorCodeOf(await admin.get(start)), 'app.test_sign_in_invalid');
    assert.deepEqual(await accountCounts(server.services.db), before);
  });

  it('a real sign-in through the same app still signs in: the mark is in the transaction, not in any parameter', async () => {
    const visitor = server.client();
    peer.signInAs('tess-sub');
    const { callbackUrl } = await authorizeAtProvider(server, visitor, `/sso/${oidcApp.slug}/start`);
    const done = await visitor.get(`${callbackUrl}&test=1`);
    assert.equal(done.status, 303);
    assert.doesNotMatch(done.location ?? '', /test-sign-in/);
    assert.equal((await visitor.get('/api/v1/session?audience=users')).json.person.email, 'tess@example.com');
  });

  it('SAML: the report shows the attributes received and what they map to, and unlocks Automatic', async () => {
    const { app, sp } = await installSamlApp(server, idp, { slug: 'test-saml', audience: 'agents', signResponse: false });
    const before = await accountCounts(server.services.db);
    const start = await admin.get(await startTest(admin, app));
    assert.equal(start.status, 302, start.text.slice(0, 300));
    const answer = await idp.answerLogin(sp, { redirectUrl: start.location! }, { nameId: 'sam@example.com', email: 'sam@example.com', firstName: 'Sam', lastName: 'Saml' });
    const done = await postToAcs(admin, app, answer);
    assert.equal(done.status, 303, await failureOf(server, done));
    assert.match(done.location ?? '', new RegExp(`^/admin/apps/${app.id}/test-sign-in/`));
    assert.deepEqual(await accountCounts(server.services.db), before);
    const report = unescape((await admin.get(done.location!)).text);
    assert.match(report, /<dt>Email<\/dt><dd>sam@example.com<\/dd>/);
    assert.match(report, /<dt>Name<\/dt><dd>Sam Saml<\/dd>/);
    // Agents apps create no one without Auto Agent: the report says so.
    assert.match(report, /Would be refused \(sso\.unknown_agent\)/);
    assert.match(report, /sam@example\.com/);

    const autoApp = await installSamlApp(server, idp, { slug: 'test-saml-auto', audience: 'agents', config: { autoAgent: true }, signResponse: false });
    const autoStart = await admin.get(await startTest(admin, autoApp.app));
    const autoAnswer = await idp.answerLogin(autoApp.sp, { redirectUrl: autoStart.location! }, { nameId: 'sam@example.com', email: 'sam@example.com' });
    const autoDone = await postToAcs(admin, autoApp.app, autoAnswer);
    assert.match(unescape((await admin.get(autoDone.location!)).text), /This sign-in would succeed/);
    assert.ok((await server.services.apps.require(autoApp.app.id)).lastTestSucceededAt, 'a passing test sign-in counts like a passing Test');
    const automatic = await admin.get(`/admin/apps/${autoApp.app.id}/automatic`);
    assert.match(automatic.text, /Make it Automatic/);
    assert.deepEqual(await accountCounts(server.services.db), before);
  });

  it('OAuth 2.0 (GitHub): the report shows the verified primary email and the numeric id', async () => {
    const app = await server.services.apps.create({
      audience: 'users', type: 'github', slug: 'test-github',
      config: { clientId: github.clientId, clientSecret: github.clientSecret, serverUrl: github.url, apiUrl: github.apiUrl },
    }, { type: 'cli' });
    github.person = {
      id: 583231, login: 'gail', name: 'Gail Hub', email: null,
      emails: [{ email: 'gail@example.com', primary: true, verified: true, visibility: 'private' }],
    };
    const before = await accountCounts(server.services.db);
    const start = await admin.get(await startTest(admin, app));
    assert.equal(start.status, 302, start.text.slice(0, 300));
    const answer = await fetch(start.location!, { redirect: 'manual' });
    const callback = new URL(answer.headers.get('location')!);
    const done = await admin.get(`${callback.pathname}${callback.search}`);
    assert.equal(done.status, 303, done.text.slice(0, 300));
    const report = unescape((await admin.get(done.location!)).text);
    assert.match(report, /<dt>Identity \(subject\)<\/dt><dd><code>583231<\/code>/);
    assert.match(report, /<dt>Email<\/dt><dd>gail@example.com<\/dd>/);
    assert.match(report, /This sign-in would succeed/);
    assert.deepEqual(await accountCounts(server.services.db), before);
  });

  // Issue 18 part 7: a German admin reads every check's detail in German, while the admin API
  // answers the same Test in the English it always has.
  describe('in German', () => {
    const DE = { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' };
    const german = async (path: string) => {
      const response = await admin.get(path, DE);
      assert.equal(response.status, 200, response.text.slice(0, 300));
      assert.match(response.text, /<html lang="de">/);
      return unescape(response.text);
    };
    /** The console's Test, posted by a browser that asks for German; its report page. */
    const germanTest = async (app: AuthApp) => {
      const response = await admin.request('POST', `/admin/apps/${app.id}/test`, {
        body: new URLSearchParams({ _csrf: await admin.csrfFrom(`/admin/apps/${app.id}`) }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...DE },
      });
      assert.equal(response.status, 303, response.text.slice(0, 300));
      return german(response.location!);
    };
    const line = (page: string, check: string) => new RegExp(`data-check="${check}"><strong>[^<]+</strong> · ([^<]*)</li>`).exec(page)?.[1] ?? '';
    const assertNone = (page: string, english: readonly string[], where: string) => {
      for (const text of english) assert.ok(!page.includes(text), `${where}: “${text}” is still English`);
    };

    it('the Test of an OpenID Connect app: each detail in German, the addresses as they are', async () => {
      const page = await germanTest(oidcApp);
      assert.match(page, /Alle Prüfungen bestanden\./);
      assert.equal(line(page, 'discovery'), `Discovery: ${peer.issuer} veröffentlicht seine Konfiguration (Issuer ${peer.issuer})`);
      assert.match(line(page, 'signing_keys'), /^Signaturschlüssel: \d+ Signaturschlüssel unter http:\/\/127\.0\.0\.1:\d+\/\S+$/);
      assert.match(line(page, 'endpoints'), /^Endpunkte: Autorisierung http\S+, Token http\S+, Abmeldung http\S+$/);
      assert.match(line(page, 'client_credentials'),
        /^Client-Zugangsdaten: Der Anbieter kennt diesen Client \(Antwort invalid_grant auf einen erfundenen Code\), mit client_secret_basic \(automatisch: die erste Methode dieser App, die der Anbieter nennt \([^)]+\)\)$/);
      assertNone(page, ['publishes its configuration', 'signing key(s)', 'authorization http', 'the provider knows this client', 'auto: the first'], 'OIDC Test');
    });

    it('the Test of a SAML app in German, and the same Test through the admin API in English', async () => {
      const { app } = await installSamlApp(server, idp, { slug: 'test-saml-de', audience: 'agents', signResponse: false });
      const page = await germanTest(app);
      assert.match(line(page, 'metadata'), /^IdP-Metadaten: Identitätsdienst \S+; Quelle: (eingefügte Metadaten|abgerufen von \S+|die eingegebenen Felder)$/);
      assert.match(line(page, 'idp_certificate_1'), /^Signaturzertifikat 1 des IdP: .+, gültig bis \S+, SHA-256 [0-9A-F:]+$/i);
      assert.match(line(page, 'sso_url'), /^SSO-URL: http\S+ antwortet \(HTTP \d{3}\)$/);
      assert.match(line(page, 'sp_key'), /^SP-Schlüsselpaar: unser Signaturzertifikat, gültig bis \S+, SHA-256 /);
      assertNone(page, ['identity service ', 'our signing certificate', 'answers (HTTP', 'idp_certificate_1:', 'valid until'], 'SAML Test');

      const api = await admin.sendJson('POST', `/api/v1/apps/${app.id}/test`, undefined, { ...(await admin.apiCsrfHeader()), ...DE });
      assert.equal(api.status, 200, api.text.slice(0, 300));
      const checks = api.json.checks as Record<string, unknown>[];
      assert.ok(checks.every((check) => Object.keys(check).sort().join() === 'detail,name,ok'), 'each check is name, ok and an English detail, as before');
      const detail = (name: string) => String(checks.find((check) => check.name === name)?.detail);
      assert.match(detail('metadata'), /^identity service \S+, from (pasted metadata|fetched from \S+|the fields entered)$/);
      assert.match(detail('sp_key'), /^our signing certificate, valid until \S+, SHA-256 /);
      assert.match(detail('sso_url'), /^http\S+ answers \(HTTP \d{3}\)$/);
    });

    it('the Test of a GitHub app: its details in German', async () => {
      const app = await server.services.apps.create({
        audience: 'users', type: 'github', slug: 'test-github-de',
        config: { clientId: github.clientId, clientSecret: github.clientSecret, serverUrl: github.url, apiUrl: github.apiUrl },
      }, { type: 'cli' });
      const page = await germanTest(app);
      assert.equal(line(page, 'client_id'), `Client-ID: Client-ID ${github.clientId}`);
      assert.match(line(page, 'client_secret'), /^Client-Secret: hinterlegt/);
      assert.match(line(page, 'client_credentials'), /^Client-Zugangsdaten: GitHub (kennt diese Client-ID und dieses Secret|antwortete|hat)/);
      assert.match(line(page, 'user_endpoint'), /antwortet \(401 ohne Token, wie die GitHub-API\)$/);
      assertNone(page, ['client id ', 'GitHub knows', 'as GitHub\'s API does', 'set, 40 hexadecimal'], 'GitHub Test');
    });

    it('a test sign-in’s report: the account it reaches, the second factor, a refusal’s reason and an answer refused, in German', async () => {
      // Tess signed in for real above: the test now reaches her account.
      const signedIn = await german(await testSignInThroughOidc(admin, 'tess-sub'));
      assert.match(signedIn, /<dt>Konto<\/dt><dd>Würde Tess Tester <tess@example\.com> anmelden, bereits mit dieser App verknüpft\./);
      assert.match(line(signedIn, 'answer'), /: von der oidc-Anmeldung verifiziert, wie bei jeder Anmeldung$/);
      assert.match(line(signedIn, 'filter'), /: erlaubt$/);
      assert.match(line(signedIn, 'registration'), /: über diese App dürfen neue Konten angelegt werden$/);
      assert.match(line(signedIn, 'second_factor'), /: nicht abgefragt: Kein zweiter Faktor ist eingerichtet oder vorgeschrieben$/);
      assertNone(signedIn, ['Would sign in', 'verified by the', 'new accounts may be created', 'not asked'], 'signed-in report');

      // An agents app without Auto Agent: the refusal's reason is its code's German message.
      const { app, sp } = await installSamlApp(server, idp, { slug: 'test-saml-de-refused', audience: 'agents', signResponse: false });
      const start = await admin.get(await startTest(admin, app));
      const answer = await idp.answerLogin(sp, { redirectUrl: start.location! }, { nameId: 'sia@example.com', email: 'sia@example.com' });
      const done = await postToAcs(admin, app, answer);
      assert.equal(done.status, 303, await failureOf(server, done));
      const refused = await german(done.location!);
      assert.match(refused, /Würde abgewiesen \(sso\.unknown_agent\): Für Sie gibt es kein Agentenkonto\. Ein Admin muss es zuerst anlegen\./);
      assert.match(line(refused, 'second_factor'), /: nicht erreicht$/);
      assertNone(refused, ['Would be refused', 'No agent account', 'not reached'], 'refused report');

      // An answer the protocol refuses: its code, and the code's German message.
      const fresh = server.client();
      assert.equal((await fresh.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
      peer.signInAs('tess-sub');
      const { callbackUrl } = await authorizeAtProvider(server, fresh, await startTest(fresh, oidcApp));
      const tampered = new URL(callbackUrl);
      tampered.searchParams.set('code', 'not-the-code-the-provider-issued');
      const back = await fresh.get(tampered.href);
      assert.equal(back.status, 303, back.text.slice(0, 300));
      const report = unescape((await fresh.get(back.location!, DE)).text);
      assert.match(line(report, 'answer'), /: sso\.code_invalid( \(Prüfung \w+\))?: Die Antwort des Anmeldedienstes war ungültig\. Versuchen Sie es erneut\.$/);
      for (const check of ['filter', 'registration', 'account', 'second_factor']) assert.match(line(report, check), /: nicht erreicht$/, check);
      assertNone(report, ['not reached', '(check '], 'answer refused');
    });
  });

  it('JWT: the state rides in the return address, the report shows the claims, and the token is spent', async () => {
    const secret = generateJwtSharedSecret();
    const app = await server.services.apps.create({
      audience: 'users', type: 'jwt', slug: 'test-jwt', config: { remoteLoginUrl: 'https://www.example.com/login', algorithms: ['HS256'], sharedSecret: secret },
    }, { type: 'cli' });
    const before = await accountCounts(server.services.db);
    const start = await admin.get(await startTest(admin, app));
    assert.equal(start.status, 302);
    const back = new URL(new URL(start.location!).searchParams.get('return_to')!);
    assert.ok(back.searchParams.get('state'), 'the test transaction\'s state');
    // The signing site posts its token back to the address it was given, as it always does.
    const token = await signToken(claimsAt(server.services.clock.now(), { email: 'jay@example.com', name: 'Jay Site', external_id: 'jay-1' }), secret, { alg: 'HS256' });
    const done = await admin.postForm(`${back.pathname}${back.search}`, { jwt: token });
    assert.equal(done.status, 303, done.text.slice(0, 300));
    assert.match(done.location ?? '', new RegExp(`^/admin/apps/${app.id}/test-sign-in/`));
    const report = unescape((await admin.get(done.location!)).text);
    assert.match(report, /<dt>Identity \(subject\)<\/dt><dd><code>jay-1<\/code>/);
    assert.match(report, /<dt>Email<\/dt><dd>jay@example.com<\/dd>/);
    assert.match(report, /This sign-in would succeed/);
    assert.deepEqual(await accountCounts(server.services.db), before);
    // The token presented to the test is used up: it cannot sign anyone in afterwards.
    assert.equal(errorCodeOf(await server.client().postForm(`/sso/${app.slug}/jwt`, { jwt: token })), 'sso.jwt.replayed');
    // A made-up state at the JWT endpoint is refused, not taken for a test.
    const other = await signToken(claimsAt(server.services.clock.now(), { email: 'jay@example.com', external_id: 'jay-1' }), secret, { alg: 'HS256' });
    assert.equal(errorCodeOf(await server.client().postForm(`/sso/${app.slug}/jwt?state=made-up`, { jwt: other })), 'sso.state_invalid');
  });
});
