import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERROR_STATUS } from '../../src/core/errors.ts';
import { MAIL_KINDS } from '../../src/core/mail-templates/kinds.ts';
import { en } from '../../src/i18n/en.ts';
import { scimProvisioning } from '../../src/provisioning/scim/service.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

// Issue 18 part 7, the other console sections: with Accept-Language: de a signed-in admin reads
// People, the import, SSO traces, SCIM, Brand, Emails, notices and confirmation pages in German,
// and none of each page's distinctive English labels is left. English stays the default (the
// section's own tests assert it).

const PASSWORD = 'correct horse battery';
const DE = { 'accept-language': 'de' };

describe('console sections in German', () => {
  let server: TestServer;
  let admin: TestClient;
  let userId: string;
  let connectionId: string;
  const traceId = 'trace-read-in-german';
  const german = async (path: string) => {
    const response = await admin.get(path, DE);
    assert.equal(response.status, 200, path);
    assert.match(response.text, /<html lang="de">/, path);
    return response.text;
  };
  /** The page has every German text and none of the English ones. */
  const reads = (text: string, germanTexts: (string | RegExp)[], englishTexts: string[]) => {
    for (const g of germanTexts) assert.match(text, typeof g === 'string' ? new RegExp(g.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : g);
    for (const e of englishTexts) assert.ok(!text.includes(e), `English left: ${e}`);
  };
  const postGerman = async (path: string, fields: Record<string, string>) => admin.request('POST', path, {
    body: new URLSearchParams({ _csrf: await admin.csrfFrom('/admin/people/users/import'), ...fields }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...DE },
  });

  before(async () => {
    server = await startTestServer();
    const s = server.services;
    await s.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    userId = (await s.people.create({ audience: 'users', name: 'Una User', email: 'una@example.com', password: PASSWORD })).id;
    await s.usergroups.create('Beta');
    const app = await s.apps.create({ audience: 'users', type: 'oidc', slug: 'acme', name: 'Acme', showButton: true, config: { issuer: 'https://login.example.com', clientId: 'c', clientSecret: 's' } }, { type: 'cli' });
    await s.ssoTraces.recordRefusal({ id: traceId, appId: app.id, audience: 'users', ip: '203.0.113.7' }, { errorCode: 'sso.state_invalid', failedCheck: 'state', detail: 'no such state' });
    connectionId = (await scimProvisioning(s).connections.create({ audience: 'users', name: 'Entra' }, null)).connection.id;
    admin = server.client();
    assert.equal((await admin.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
  });
  after(async () => server.close());

  it('People: the list, the add form and one person’s page', async () => {
    reads(await german('/admin/people/users'), ['Benutzer nach Name oder E-Mail-Adresse suchen', 'Benutzer hinzufügen', 'Benutzer aus CSV importieren', 'Eigene Benutzergruppen'],
      ['Search Users by name or email', 'Add a User', 'Import Users from CSV', 'The email is verified', 'Nobody found']);
    reads(await german('/admin/people/agents'), ['Agenten hinzufügen', 'Admins öffnen diese Konsole'], ['Add an Agent', 'Admins open this console']);
    reads(await german(`/admin/people/users/${userId}`), ['Name und E-Mail-Adressen', 'Verknüpfte Identitäten', 'Keine laufenden Sitzungen.', 'Gemerkte Geräte vergessen', '(primär)'],
      ['Name and emails', 'Linked identities', 'Send a password-reset link', 'Remembered devices', 'No live sessions', '(primary)']);
  });

  it('the import page and its dry run', async () => {
    reads(await german('/admin/people/users/import'), ['Benutzer aus CSV importieren', 'Die erste Zeile nennt die Spalten', 'Probelauf'],
      ['The first line names the columns', 'Dry run', 'At most']);
    const dry = await postGerman('/admin/people/users/import/dry-run', { csv: 'name,email\nNew Person,new@example.com\nBad,not-an-email' });
    assert.equal(dry.status, 200);
    reads(dry.text, ['Probelauf: Noch wurde nichts geändert', '1 würden angelegt, 0 geändert, 0 unverändert; 1 abgelehnt.', 'Abgelehnte Zeilen', 'Diesen Plan ausführen'],
      ['Dry run: nothing changed yet', 'would be created', 'Rows refused', 'What would change', 'Apply this plan']);
  });

  it('SSO traces: the list and one trace', async () => {
    reads(await german('/admin/sso-traces'), ['Trace-ID (von einer Fehlerseite)', 'Trace öffnen', 'Fehlgeschlagene Prüfung', 'Fehlschlag'],
      ['Trace id (from an error page)', 'Open trace', 'Failed check', 'No traces match']);
    reads(await german(`/admin/sso-traces/${traceId}`), ['SSO-Trace', 'Fehlercode', 'Uhrabweichung', 'Einzelheiten'], ['Error code', 'Clock skew', 'Failed check', '<dt>Detail</dt>']);
  });

  it('SCIM: the list, a connection and the token shown once', async () => {
    reads(await german('/admin/scim'), ['SCIM-Bereitstellung', 'Neue SCIM-Verbindung', 'Wen sie bereitstellt', 'Benutzer (Help Center)'],
      ['SCIM provisioning', 'New SCIM connection', 'Who it provisions', 'Users (Help Center)', 'Create connection']);
    reads(await german(`/admin/scim/${connectionId}`), ['SCIM-Verbindung „Entra“', 'SCIM-Basis-URL (Tenant-URL)', 'Letzte Anfragen', 'Noch keine Anfragen.'],
      ['All SCIM connections', 'Last requests', 'No requests yet', 'Revoke this connection']);
    const created = await admin.request('POST', '/admin/scim', {
      body: new URLSearchParams({ _csrf: await admin.csrfFrom('/admin/scim'), name: 'Okta', audience: 'agents' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...DE },
    });
    assert.equal(created.status, 303);
    const shown = await admin.request('GET', created.location!, { headers: DE });
    assert.equal(shown.status, 200);
    reads(shown.text, ['nur 15 Minuten lang angezeigt', 'Bearer-Token (geheimes Token)'], ['shown only to you', 'Bearer token (secret token)', 'Copy both now']);
  });

  it('Brand, and the notice after a save', async () => {
    reads(await german('/admin/brand?notice=saved'), ['Name des Helpdesks', 'Hauptfarbe', 'Logo hochladen', '<p class="notice" role="status">Gespeichert.</p>'],
      ['Helpdesk name', 'Primary colour', 'Upload a logo', 'Saved.', 'No logo yet']);
  });

  it('Emails: the list with the kinds’ names, and an edit page with the variables’ descriptions', async () => {
    reads(await german('/admin/emails'), ['Bestätigung der E-Mail-Adresse', 'Passwort zurücksetzen', 'Jede E-Mail wird in der Sprache der Person gesendet', 'Französisch'],
      ['Email validation', 'Every email is sent', 'French', 'Spanish']);
    reads(await german('/admin/emails/passwordReset/fr'), ['Variablen, die diese E-Mail verwenden darf', 'Der einmalige Link zum Zurücksetzen', 'Test an mich senden', 'Die Standardvorlage auf Französisch'],
      ['Variables this email may use', 'The one-time reset link', 'Send a test to me', 'The default in']);
  });

  it('confirmation pages: the title, what the action takes and the button', async () => {
    reads(await german(`/admin/people/users/${userId}/disable`), ['Una User deaktivieren?', 'Die Person kann sich auf keine Weise anmelden', '0 laufende Sitzungen enden sofort.'],
      ['Disable Una User?', 'They cannot sign in', 'live sessions end at once']);
    reads(await german(`/admin/scim/${connectionId}/revoke`), ['Die SCIM-Verbindung Entra widerrufen?', 'Entra widerrufen'], ['Revoke the SCIM connection', 'can no longer create']);
  });

  it('a refusal on a console page is in German, with its code', async () => {
    const taken = await admin.request('POST', '/admin/usergroups', {
      body: new URLSearchParams({ _csrf: await admin.csrfFrom('/admin/usergroups'), name: 'Beta' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...DE },
    });
    assert.equal(taken.status, 409);
    reads(taken.text, ['Eine Benutzergruppe mit diesem Namen gibt es schon.', '<code>usergroup.name_taken</code>'], ['A usergroup named Beta exists']);
  });

  it('a form’s field problems are in German, in the refusal box and under each field; the API keeps them English', async () => {
    const post = async (page: string, path: string, fields: Record<string, string>) => {
      const response = await admin.request('POST', path, {
        body: new URLSearchParams({ _csrf: await admin.csrfFrom(page), ...fields }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...DE },
      });
      assert.equal(response.status, 400, path);
      return response.text.replace(/&gt;/g, '>').replace(/&lt;/g, '<');
    };
    // Our schemas' own words (a name, an email) and zod's (numbers out of range, not a number).
    reads(await post('/admin/people/users', '/admin/people/users', { name: '', email: 'nope' }),
      ['<li><code>name</code>: Pflichtfeld</li>', '<li><code>email</code>: Keine gültige E-Mail-Adresse</li>', '<code>email</code>: Keine gültige E-Mail-Adresse</span>'],
      ['a name is required', 'not an email address']);
    reads(await post('/admin/settings/sessions', '/admin/settings/sessions', { 'users.idleMinutes': '0', 'users.absoluteHours': '99999999', 'agents.idleMinutes': 'x' }),
      ['<code>users.idleMinutes</code>: Mindestens 5', '<code>users.absoluteHours</code>: Höchstens 8760', '<code>agents.idleMinutes</code>: Bitte eine Zahl'],
      ['Too small', 'Too big', 'Invalid input']);
    reads(await post('/admin/settings/languages', '/admin/settings/languages', { defaultLanguage: 'xx' }),
      ['<code>offered</code>: Bieten Sie mindestens eine Sprache an', '<code>defaultLanguage</code>: Einer dieser Werte: en, de, fr, es'],
      ['offer at least one language', 'Invalid option']);
    const api = await admin.sendJson('POST', '/api/v1/users', { name: '', email: 'nope' }, { ...(await admin.apiCsrfHeader()), ...DE });
    assert.equal(api.status, 400);
    assert.deepEqual(api.json.error.details.fields.map((f: { problem: string }) => f.problem).sort(), ['a name is required', 'not an email address']);
  });

  it('every error code that can reach a page has a message (SCIM protocol refusals answer SCIM clients in JSON only)', () => {
    const missing = Object.keys(ERROR_STATUS).filter((code) => !code.startsWith('scim.') && !Object.hasOwn(en, `error.${code}`));
    assert.deepEqual(missing, []);
  });

  it('the English catalogue names each email kind and variable as kinds.ts does (one source for the English)', () => {
    const messages = en as Record<string, string>;
    for (const [kind, spec] of Object.entries(MAIL_KINDS)) {
      assert.equal(messages[`console.mail.${kind}.label`], spec.label);
      assert.equal(messages[`console.mail.${kind}.when`], spec.when);
      for (const [name, variable] of Object.entries(spec.variables)) {
        assert.equal(messages[`console.mail.${kind}.var.${name}`] ?? messages[`console.mail.var.${name}`], variable.description, `${kind}.${name}`);
      }
    }
  });
});
