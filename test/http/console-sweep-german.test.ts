import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateJwtSharedSecret } from '../../src/protocols/jwt/keys.ts';
import { scimProvisioning } from '../../src/provisioning/scim/service.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

// Issue 18 part 7, the sweep: with a German browser, every console page (the routes of
// test/browser/console-pages.test.ts and test/security/csrf.test.ts, each install form and each
// confirmation page) shows no English UI word in its visible text. What is data is left out:
// the seeded names (chosen without those words), codes (<code>), values in fields, the
// default email texts (<pre>), protocol values (the email scope). "Test" alone is German too ("Test an mich senden"): the English
// phrases around it are looked for instead.

const PASSWORD = 'correct horse battery';
const cli = { type: 'cli' } as const;
const ENGLISH = ['Save', 'Remove', 'Cancel', 'Copy', 'Copied', 'Edit', 'Delete', 'Back', 'Next', 'Sign out', 'Sign in', 'Signed in', 'Revoke', 'Disable', 'Enable',
  'Search', 'Add', 'Install', 'Preview', 'Upload', 'Required', 'Yes', 'Show', 'Run a test', 'Test sign-in', 'Send a test', 'session of', 'no longer exists',
  'problems in the form', 'Regenerate', 'the shared secret', 'people keep', 'Automatic app of', 'success', 'failure', 'any', 'users', 'agents'];

/** A page's visible text without the parts that are data. */
function visibleText(page: string): string {
  return page
    .replace(/<(script|style|code|pre|textarea)\b[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&[a-z]+;|&#\d+;/g, ' ')
    .replace(/\s+/g, ' ');
}

describe('every console page in German, swept for English words', () => {
  let server: TestServer;
  let admin: TestClient;
  const paths: string[] = [];

  before(async () => {
    server = await startTestServer();
    const s = server.services;
    await s.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    const group = await s.usergroups.create('Kundendienst');
    const article = await s.articles.create({ title: 'Router neu starten', body: 'Zehn Sekunden warten.', usergroupIds: [group.id] });
    const user = await s.people.create({ audience: 'users', name: 'Dora Deutsch', email: 'dora@example.com', password: PASSWORD });
    const oidc = await s.apps.create({ audience: 'users', type: 'oidc', slug: 'acme-id', name: 'Acme', showButton: true, config: { issuer: 'https://login.example.com', clientId: 'c', clientSecret: 's' } }, cli);
    const saml = await s.apps.create({ audience: 'agents', type: 'saml', slug: 'firmen-saml', name: 'Firmenverzeichnis', config: { idpMetadataUrl: 'https://idp.example.com/metadata.php' } }, cli);
    const jwt = await s.apps.create({ audience: 'users', type: 'jwt', slug: 'webseite', name: 'Unsere Webseite', config: { remoteLoginUrl: 'https://www.example.com/remote-login', sharedSecret: generateJwtSharedSecret() } }, cli);
    const { apiKey } = await s.apiKeys.create('Abgleich', null);
    const traceId = 'trace-zum-durchsehen';
    await s.ssoTraces.recordRefusal({ id: traceId, appId: oidc.id, audience: 'users', ip: '203.0.113.7' }, { errorCode: 'sso.state_invalid', failedCheck: 'state', detail: 'kein solcher Zustand' });
    const { connection } = await scimProvisioning(s).connections.create({ audience: 'users', name: 'Entra' }, null);
    admin = server.client();
    assert.equal((await admin.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
    // The audit log names a subject that is gone, and a session.
    const gone = await s.usergroups.create('Vergänglich');
    const removed = await admin.postForm(`/admin/usergroups/${gone.id}/remove`, { _csrf: await admin.csrfFrom(`/admin/usergroups/${gone.id}/remove`), confirm: 'yes' });
    assert.equal(removed.status, 303);
    paths.push('/admin/apps', '/admin/apps/new?audience=users', '/admin/apps/new?audience=agents',
      ...['oidc', 'google', 'microsoft', 'okta', 'onelogin', 'saml', 'jwt', 'ldap'].map((type) => `/admin/apps/new?audience=users&type=${type}`),
      `/admin/apps/${oidc.id}`, `/admin/apps/${saml.id}`, `/admin/apps/${jwt.id}`, `/admin/apps/${oidc.id}/automatic`,
      '/admin/settings/registration', '/admin/settings/sessions', '/admin/settings/languages', '/admin/usergroups', '/admin/articles', '/admin/articles/new', `/admin/articles/${article.id}`,
      '/admin/people/users', '/admin/people/agents', `/admin/people/users/${user.id}`, '/admin/people/users/import', '/admin/audit', '/admin/sso-traces',
      `/admin/sso-traces/${traceId}`, '/admin/api-keys', '/admin/scim', `/admin/scim/${connection.id}`, '/admin/brand', '/admin/emails', '/admin/emails/approved/de',
      `/admin/apps/${oidc.id}/remove`, `/admin/apps/${jwt.id}/regenerate-secret`, `/admin/usergroups/${group.id}/remove`, `/admin/articles/${article.id}/remove`,
      `/admin/people/users/${user.id}/disable`, `/admin/people/users/${user.id}/sessions/revoke-all`, `/admin/people/users/${user.id}/devices/forget`,
      `/admin/scim/${connection.id}/revoke`, `/admin/api-keys/${apiKey.id}/revoke`);
  });
  after(async () => server?.close());

  it('no page shows an English UI word', async () => {
    const found: string[] = [];
    for (const path of paths) {
      const response = await admin.get(path, { 'accept-language': 'de' });
      assert.equal(response.status, 200, path);
      assert.match(response.text, /<html lang="de">/, path);
      const text = visibleText(response.text);
      for (const word of ENGLISH) {
        const at = new RegExp(`(^|[^\\p{L}-])${word}($|[^\\p{L}-])`, 'u').exec(text);
        if (at) found.push(`${path}: “${word}” in …${text.slice(Math.max(0, at.index - 40), at.index + word.length + 40)}…`);
      }
    }
    assert.deepEqual(found, []);
  });

  it('the live form check answers in German: its own problems, zod’s, and our schemas’ sentences', async () => {
    const csrf = await admin.csrfFrom('/admin/apps/new?audience=users&type=oidc');
    const answer = await admin.request('POST', '/admin/apps/validate', {
      body: new URLSearchParams({ _csrf: csrf, audience: 'users', type: 'oidc', name: '', slug: 'Nicht Erlaubt', displayOrder: '5000', 'config.issuer': 'http://login.example.com', 'config.clientId': 'c' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'de' },
    });
    assert.equal(answer.status, 200);
    const problems = answer.json.problems as Record<string, string>;
    assert.equal(problems.name, 'Geben Sie der App einen Namen');
    assert.equal(problems.displayOrder, 'Eine ganze Zahl von -1000 bis 1000');
    assert.equal(problems.slug, 'Kleinbuchstaben, Ziffern und Bindestriche, höchstens 63');
    assert.equal(problems['config.issuer'], 'Muss https sein (http nur für localhost)');
    const page = await admin.get('/admin/apps/new?audience=users&type=oidc', { 'accept-language': 'de' });
    assert.match(page.text, /data-one="1 Problem im Formular\."/, 'console.js counts problems in the page’s words');
  });
});

