import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthApp } from '../../src/core/apps.ts';
import { isMessageKey } from '../../src/i18n/t.ts';
import { generateJwtSharedSecret } from '../../src/protocols/jwt/keys.ts';
import { ADMIN_FORMS } from '../../src/protocols/registry.ts';
import { claimsAt, signToken } from '../helpers/jwt.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

// The auth apps pages in German (issue 18 part 7): the list, the catalogue, each protocol's
// install form (labels, hints, legends, options, values to copy), an app's page, the Test, a
// pasted token's report and a test sign-in's report, drawn for an admin whose browser asks for
// German. Each page shows German words and none of a few of its English labels.

const PASSWORD = 'correct horse battery';
const DE = { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' };
const cli = { type: 'cli' } as const;

const unescape = (text: string) => text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function assertGerman(page: string, german: readonly (string | RegExp)[], english: readonly string[], where: string): void {
  assert.match(page, /<html lang="de">/, `${where}: lang="de"`);
  for (const text of german) assert.match(page, typeof text === 'string' ? new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : text, `${where}: ${String(text)}`);
  for (const text of english) assert.ok(!page.includes(text), `${where}: “${text}” is still English`);
}

describe('the auth apps pages in German', () => {
  let server: TestServer;
  let admin: TestClient;
  let jwtApp: AuthApp;
  let secret: string;
  const get = async (path: string) => {
    const response = await admin.get(path, DE);
    assert.equal(response.status, 200, `${path}: ${response.text.slice(0, 300)}`);
    return unescape(response.text);
  };
  /** A console form posted by a browser that asks for German; a redirect is followed the same way. */
  const post = async (path: string, fields: Record<string, string>) => {
    const response = await admin.request('POST', path, {
      body: new URLSearchParams({ _csrf: await admin.csrfFrom(`/admin/apps/${jwtApp.id}`), ...fields }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...DE },
    });
    if (response.status === 303 && response.location) return get(response.location);
    assert.equal(response.status, 200, `${path}: ${response.text.slice(0, 300)}`);
    return unescape(response.text);
  };

  before(async () => {
    server = await startTestServer();
    await server.services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    secret = generateJwtSharedSecret();
    jwtApp = await server.services.apps.create({
      audience: 'users', type: 'jwt', slug: 'site-jwt',
      config: { remoteLoginUrl: 'https://www.example.com/login', algorithms: ['HS256'], sharedSecret: secret, audience: 'frontdoor' },
    }, cli);
    admin = server.client();
    assert.equal((await admin.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
  });
  after(async () => server.close());

  it('names a message for every field label, hint and option of every protocol', () => {
    for (const { type, protocol, preset } of ADMIN_FORMS) {
      for (const field of preset.fields) {
        const where = `${type}${protocol ? ` (${protocol})` : ''}: ${field.key}`;
        assert.ok(isMessageKey(field.label), `${where}: label`);
        assert.ok(field.hint && isMessageKey(field.hint), `${where}: hint`);
        if (field.kind === 'select' && field.key !== 'nameIdFormat' && field.key !== 'preset') {
          for (const [, label] of field.options ?? []) assert.ok(isMessageKey(label), `${where}: option ${label}`);
        }
      }
    }
  });

  it('the list of apps', async () => {
    assertGerman(await get('/admin/apps'), ['<h1>Auth-Apps</h1>', 'App hinzufügen', 'SSO-Modus', 'Willkommen: die nächsten Schritte'],
      ['Add an app', 'SSO mode', 'Welcome: what to do next', 'This card goes away'], 'list');
  });

  it('the built-in app’s stored name, "Email and password", in German on its list, its page and the audit log; the API keeps it', async () => {
    const [password] = (await server.services.apps.list()).filter((app) => app.audience === 'users' && app.type === 'password');
    assert.equal(password?.name, 'Email and password');
    assertGerman(await get('/admin/apps'), [`<a href="/admin/apps/${password.id}">E-Mail und Passwort</a>`], ['Email and password'], 'list');
    assertGerman(await get(`/admin/apps/${password.id}`), ['<h1>E-Mail und Passwort</h1>'], ['<h1>Email and password</h1>'], 'its page');
    await server.services.audit.record({ action: 'app.updated', outcome: 'success', audience: 'users', actor: cli, target: { type: 'app', id: password.id }, details: {} });
    assertGerman(await get('/admin/audit'), [`<a href="/admin/apps/${password.id}">E-Mail und Passwort</a>`], ['>Email and password<'], 'audit log');
    const api = await admin.get(`/api/v1/apps/${password.id}`, DE);
    assert.equal(api.json.app.name, 'Email and password', 'the stored name, as the API answers it');
    // A name an admin chose is theirs, in every language.
    await server.services.apps.update(password.id, { name: 'Staff password' }, cli);
    try {
      assertGerman(await get('/admin/apps'), [`<a href="/admin/apps/${password.id}">Staff password</a>`], [`<a href="/admin/apps/${password.id}">E-Mail und Passwort</a>`], 'renamed');
    } finally {
      await server.services.apps.update(password.id, { name: 'Email and password' }, cli);
    }
  });

  it('the catalogue', async () => {
    assertGerman(await get('/admin/apps/new?audience=users'), ['Identitätsdienste', 'Protokolle', 'Google-Konten und Google Workspace', 'Wer sich damit anmeldet:'],
      ['Identity services', 'Protocols', 'Google accounts and Google Workspace', 'Who signs in with it'], 'catalogue');
  });

  it('the install forms: OpenID Connect, SAML, JWT and LDAP fields, legends, options and values to copy', async () => {
    assertGerman(await get('/admin/apps/new?audience=users&type=oidc'),
      ['<legend>Verbindung</legend>', '<legend>Sicherheit</legend>', 'Client-Authentifizierung am Token-Endpunkt', 'Automatisch (aus dem Discovery-Dokument)',
        'Diese Werte an den Identitätsdienst übergeben', 'data-copy="Redirect-URI (Callback)"', '<legend>Vertrauen und Zugang</legend>'],
      ['<legend>Connection</legend>', 'Client authentication at the token endpoint', 'Automatic (from the discovery document)', 'Give these to the identity service',
        'Redirect URI (callback)', 'Trust and who gets in', 'Stored encrypted and never shown again', 'Display order'], 'OIDC install');
    assertGerman(await get('/admin/apps/new?audience=agents&type=saml'),
      ['Anmeldeanfragen signieren', 'HTTP-Redirect (ein Link)', 'SP-Metadaten-URL', 'Claims und Attributzuordnung'],
      ['Sign sign-in requests', 'HTTP-Redirect (a link)', 'SP metadata URL', 'Claims and attribute mapping', 'Require signed assertions'], 'SAML install');
    assertGerman(await get('/admin/apps/new?audience=users&type=jwt'),
      ['Remote-Login-URL', 'Gemeinsames Geheimnis (HS256/384/512)', 'JWT-Endpunkt'],
      ['Remote login URL', 'Shared secret (HS256', 'JWT endpoint', 'Maximum token age'], 'JWT install');
    assertGerman(await get('/admin/apps/new?audience=agents&type=ldap'),
      ['Verzeichnis-URL', 'DN des Dienstkontos', 'Verschachtelten Gruppen folgen'],
      ['Directory URL', 'Service account DN', 'Follow nested groups', 'Search page size'], 'LDAP install');
  });

  it('validation as you type: the values to copy under their German labels, zod’s common problems in German', async () => {
    const answer = await admin.request('POST', '/admin/apps/validate', {
      body: new URLSearchParams({
        _csrf: await admin.csrfFrom('/admin/apps/new?audience=users&type=oidc'), audience: 'users', type: 'oidc', slug: 'corp', configFields: '1', 'config.issuer': 'ftp://idp.example.com',
      }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...DE },
    });
    assert.equal(answer.status, 200, answer.text.slice(0, 300));
    const copy = (answer.json as { copy?: Record<string, string> }).copy ?? {};
    assert.ok(copy['Redirect-URI (Callback)'], JSON.stringify(copy));
    assert.ok(!copy['Redirect URI (callback)']);
    assert.equal((answer.json as { problems: Record<string, string> }).problems['config.issuer'], 'Keine gültige URL');
  });

  it('an app’s page, its Test and a pasted token’s report', async () => {
    assertGerman(await get(`/admin/apps/${jwtApp.id}`),
      ['Einrichtung testen', 'Testanmeldung', 'Gemeinsames Geheimnis neu erzeugen', 'Diese App entfernen', 'Ein Token prüfen'],
      ['Test the setup', 'Regenerate the shared secret', 'Remove this app', 'Check the token', 'No successful sign-in with this app yet'], 'app page');
    assertGerman(await post(`/admin/apps/${jwtApp.id}/test`, {}),
      ['Alle Prüfungen bestanden.', '· Algorithmen: zugelassen: HS256</li>', '· Schlüssel: Ein gemeinsames Geheimnis ist hinterlegt</li>'],
      ['Every check passed', 'Some checks failed', '</strong> · algorithms:', 'accepted: HS256', 'a shared secret is set'], 'Test result');
    const token = await signToken(claimsAt(server.services.clock.now(), { aud: 'someone-else', email: 'pat@example.com' }), secret, { alg: 'HS256' });
    assertGerman(await post(`/admin/apps/${jwtApp.id}/test-token`, { token }),
      ['Das Token wird abgewiesen', 'Zielgruppe (aud)', '<strong>fehlgeschlagen</strong>', '<strong>nicht geprüft</strong> · E-Mail-Claim: nicht geprüft: Die Prüfung endet beim ersten Fehler', 'Enthaltene Claims',
        'Form und Größe: ein signiertes kompaktes JWT von zulässiger Größe', 'Signatur mit dem Schlüssel dieser App: mit dem für diese App eingerichteten Schlüssel verifiziert',
        // The failed check: its code's message in German (the English one names the expected audience).
        'Zielgruppe (aud): Das Anmeldetoken wurde für einen anderen Empfänger ausgestellt (aud).'],
      ['The token is refused', 'Audience (aud)', 'not checked', 'Claims it carried', 'Signature with this app', 'a signed compact JWT', 'verified with the key', 'this app expects'], 'token report');
    // A token that passes: every line's detail in German, the durations too.
    const good = await signToken(claimsAt(server.services.clock.now(), { aud: 'frontdoor', email: 'pat@example.com' }), secret, { alg: 'HS256' });
    assertGerman(await post(`/admin/apps/${jwtApp.id}/test-token`, { token: good }),
      ['Das Token besteht alle Prüfungen.', 'Zielgruppe (aud): enthält „frontdoor“', 'Aussteller (iss): beliebig: Diese App legt keinen Aussteller fest', /Ausstellung, Ablauf, nicht vor \(iat, exp, nbf\): höchstens \d+ (Sekunden|Minuten|Stunden|Tage) nach iat, nicht abgelaufen, mit \d+ s Toleranz für die Uhrzeit/,
        '„email“ ist eine E-Mail-Adresse', 'Noch keine Anmeldung hat diese jti verwendet; diese Prüfung verbraucht sie nicht'],
      ['includes "frontdoor"', 'of iat, not expired', 'is an email address', 'no sign-in used this jti', 'minutes', 'seconds'], 'token report, passed');
  });

  it('a test sign-in’s report', async () => {
    const start = await admin.postForm(`/admin/apps/${jwtApp.id}/test-sign-in`, { _csrf: await admin.csrfFrom(`/admin/apps/${jwtApp.id}`) });
    assert.equal(start.status, 303, start.text.slice(0, 300));
    const toSite = await admin.get(start.location!);
    const back = new URL(new URL(toSite.location!).searchParams.get('return_to')!);
    const token = await signToken(claimsAt(server.services.clock.now(), { aud: 'frontdoor', email: 'jay@example.com', name: 'Jay Site', external_id: 'jay-1' }), secret, { alg: 'HS256' });
    const done = await admin.postForm(`${back.pathname}${back.search}`, { jwt: token });
    assert.equal(done.status, 303, done.text.slice(0, 300));
    const reportPage = await get(done.location!);
    assertGerman(reportPage,
      ['<h1>Testanmeldung: JWT</h1>', 'Diese Anmeldung würde gelingen.', 'Identität (Subject)', 'Empfangene Claims und Attribute', 'Registrierungsregeln',
        'Würde ein neues Konto für jay@example.com anlegen', /<dt>Zweiter Faktor<\/dt><dd>(nicht abgefragt|abgefragt|vorerst|die Person)/],
      ['This sign-in would succeed', 'What it maps to', 'Claims and attributes received', 'Registration policy', 'nobody was signed in', 'Would create', 'not asked'], 'test sign-in report');
  });
});
