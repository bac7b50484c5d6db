import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { assertRefused } from '../helpers/attacks.ts';
import { formFields } from '../helpers/pages.ts';
import { signedInAdmin, startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

// An attacker's look at POST /admin/apps/validate (issue 18 part 1), the check console.js runs
// as an admin types: as a server-side request forgery (an address typed into a form must not be
// fetched by the check: it is a schema check, nothing more), and as an oracle (an installed
// app's stored secrets are merged into the check, never into the answer). The CSRF and who may
// call it: test/http/app-forms.test.ts.

const PASSWORD = 'correct horse battery';
const CLIENT_SECRET = 'stored-client-secret-that-must-never-be-echoed';

describe('attacks on the app validation', () => {
  let server: TestServer;
  let admin: TestClient;
  let listener: Server;
  let listenerUrl: string;
  const hits: string[] = [];
  const validate = async (page: string, fields: Record<string, string>) => admin.postForm('/admin/apps/validate', { ...fields, _csrf: await admin.csrfFrom(page) });

  before(async () => {
    // An "internal" service: the check must never call it.
    listener = createServer((request, response) => {
      hits.push(`${request.method} ${request.url}`);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    listenerUrl = `http://127.0.0.1:${(listener.address() as { port: number }).port}`;
    server = await startTestServer();
    admin = await signedInAdmin(server, PASSWORD);
  });
  after(async () => {
    await server.close();
    await new Promise<void>((resolve) => listener.close(() => resolve()));
  });

  it('fetches nothing from the addresses typed in: no discovery, metadata or key set request leaves', async () => {
    const forms: [string, Record<string, string>][] = [
      ['/admin/apps/new?audience=users&type=oidc', { slug: 'ssrf-oidc', 'config.issuer': `${listenerUrl}/realms/x`, 'config.clientId': 'a', 'config.clientSecret': 'b' }],
      ['/admin/apps/new?audience=users&type=saml', { slug: 'ssrf-saml', 'config.idpMetadataUrl': `${listenerUrl}/metadata` }],
      ['/admin/apps/new?audience=users&type=jwt', { slug: 'ssrf-jwt', 'config.jwksUrl': `${listenerUrl}/jwks`, 'config.algorithms': 'RS256' }],
      ['/admin/apps/new?audience=users&type=oidc', { slug: 'ssrf-meta', 'config.issuer': 'http://169.254.169.254/latest/meta-data/', 'config.clientId': 'a', 'config.clientSecret': 'b' }],
    ];
    for (const [page, extra] of forms) {
      const fields = { ...formFields((await admin.get(page)).text, '/admin/apps'), ...extra };
      const answer = await validate(page, fields);
      assert.equal(answer.status, 200, `${page}: ${answer.text.slice(0, 200)}`);
    }
    assert.deepEqual(hits, [], 'the check is the schema only');
  });

  it("never answers an installed app's stored secret, whatever the form asks", async () => {
    const app = await server.services.apps.create({
      audience: 'users', type: 'oidc', slug: 'corp', name: 'Corp',
      config: { issuer: 'https://idp.example.com', clientId: 'corp-client', clientSecret: CLIENT_SECRET },
    }, { type: 'cli' });
    const page = `/admin/apps/${app.id}`;
    const fields = formFields((await admin.get(page)).text, `/admin/apps/${app.id}`);
    assert.equal(JSON.stringify(fields).includes(CLIENT_SECRET), false, 'the edit form itself does not carry it');
    const edits: Record<string, string>[] = [{}, { 'config.clientSecret': '' }, { 'config.issuer': 'not a url' }, { 'config.clientSecret': 'x', 'config.clientId': '' }];
    for (const extra of edits) {
      const answer = await validate(page, { ...fields, appId: app.id, ...extra });
      assert.equal(answer.status, 200);
      assert.equal(answer.text.includes(CLIENT_SECRET), false, JSON.stringify(extra));
    }
  });

  it('refuses an app that does not exist, and a type it cannot check, with a code and a message, changing nothing', async () => {
    const apps = (await server.services.apps.list()).length;
    for (const appId of ['00000000-0000-0000-0000-000000000000', 'no-such-slug', "' OR 1=1 --", 'x'.repeat(300)]) {
      const answer = await validate('/admin/apps', { appId });
      assertRefused(answer, 'app.not_found');
      assert.equal(answer.json.error.message, 'There is no such app.');
      assert.deepEqual(answer.json.problems, { appId: 'No such app' }, 'console.js still finds its field');
    }
    const password = (await server.services.apps.list()).find((a) => a.type === 'password')!;
    const unchecked: Record<string, string>[] = [{ appId: password.id }, { audience: 'users', type: 'password' }, { audience: 'nobody', type: 'oidc' }, { audience: 'users', type: '__proto__' }, {}];
    for (const fields of unchecked) {
      const answer = await validate('/admin/apps', fields);
      assertRefused(answer, 'request.invalid');
      assert.ok(answer.json.error.message);
    }
    assert.equal((await server.services.apps.list()).length, apps);
  });
});
