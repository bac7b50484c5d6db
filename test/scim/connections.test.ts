import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { errorCodeOf } from '../helpers/jwt.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';
import { USER } from './scim-helpers.ts';

const PASSWORD = 'correct horse battery';

// Making and revoking SCIM connections: in the console (URL and token shown once, the last
// requests with their outcome) and through the admin API; both audited with the admin as actor.
describe('SCIM connections: console and admin API', () => {
  let server: TestServer;
  let admin: TestClient;
  let key: string;
  const submit = async (client: TestClient, page: string, action: string, fields: Record<string, string>) =>
    client.postForm(action, { _csrf: await client.csrfFrom(page), ...fields });
  const scimAs = (token: string, method: string, path: string, body?: unknown) => server.client().request(method, `/scim/v2${path}`, {
    ...(body ? { body: JSON.stringify(body) } : {}), headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/scim+json' } : {}) },
  });

  before(async () => {
    server = await startTestServer();
    await server.services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    await server.services.people.create({ audience: 'agents', name: 'Bob Agent', email: 'bob@example.com', password: PASSWORD });
    admin = server.client();
    await admin.signIn('ada@example.com', PASSWORD, 'agents');
    key = (await server.services.apiKeys.create('tests', null)).key;
  });
  after(async () => {
    await server.close();
  });

  it('is linked from the console navigation and open to admins only', async () => {
    const apps = await admin.get('/admin/apps');
    assert.match(apps.text, /href="\/admin\/scim"/);
    assert.equal((await server.client().get('/admin/scim')).status, 302);
    const agent = server.client();
    await agent.signIn('bob@example.com', PASSWORD, 'agents');
    const forbidden = await agent.get('/admin/scim');
    assert.equal(forbidden.status, 403);
    assert.equal(errorCodeOf(forbidden), 'auth.forbidden');
  });

  it('creates a connection showing the URL and token once; the token provisions; the page lists the requests; revoking refuses it', async () => {
    const posted = await submit(admin, '/admin/scim', '/admin/scim', { name: 'Okta', audience: 'users' });
    assert.equal(posted.status, 303, posted.text);
    const created = await admin.get(posted.location!);
    assert.equal(created.status, 200);
    assert.equal((await admin.get(posted.location!)).text, created.text, 'a reload shows the same token, making no other connection');
    const token = /value="(fdscim_[^"]+)"/.exec(created.text)?.[1];
    assert.ok(token, 'the token is on the page');
    assert.match(created.text, /value="http:\/\/localhost:8080\/scim\/v2"/);
    assert.doesNotMatch((await admin.get('/admin/scim')).text, new RegExp(token!), 'and never again');

    assert.equal((await scimAs(token!, 'POST', '/Users', { schemas: [USER], userName: 'console@example.com' })).status, 201);
    assert.equal((await scimAs(token!, 'GET', '/Users?filter=bad')).status, 400);
    const [connection] = (await admin.get('/api/v1/scim-connections', await admin.apiCsrfHeader())).json.connections;
    const detail = await admin.get(`/admin/scim/${connection.id}`);
    assert.equal(detail.status, 200);
    assert.match(detail.text, /GET \/scim\/v2\/Users<\/code><\/td><td data-label="Status">400<\/td><td data-label="Outcome">refused: <code>scim.invalid_filter<\/code>/);
    assert.match(detail.text, /POST \/scim\/v2\/Users<\/code><\/td><td data-label="Status">201<\/td><td data-label="Outcome">done/);

    // Revoking is destructive: the button leads to a page naming what it takes; a POST without confirm changes nothing.
    const confirm = await admin.get(`/admin/scim/${connection.id}/revoke`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, /can no longer create, change or deactivate anyone/);
    const unconfirmed = await submit(admin, `/admin/scim/${connection.id}`, `/admin/scim/${connection.id}/revoke`, {});
    assert.equal(unconfirmed.status, 303);
    assert.equal(unconfirmed.location, `/admin/scim/${connection.id}/revoke`);
    assert.equal((await scimAs(token!, 'GET', '/Users')).status, 200, 'still live');
    const revoked = await submit(admin, `/admin/scim/${connection.id}`, `/admin/scim/${connection.id}/revoke`, { confirm: 'yes' });
    assert.equal(revoked.status, 303);
    assert.equal((await scimAs(token!, 'GET', '/Users')).status, 401);
    const [audit] = await server.services.audit.list({ action: 'scim_connection.revoked' });
    assert.equal(audit!.target!.id, connection.id);
    assert.equal(audit!.actor.type, 'person');
    const again = await submit(admin, '/admin/scim', `/admin/scim/${connection.id}/revoke`, { confirm: 'yes' });
    assert.equal(again.status, 404);
    assert.equal(errorCodeOf(again), 'scim_connection.not_found');
  });

  it('refuses a connection without a name or audience, and makes none', async () => {
    const before_ = (await server.services.db.query<{ n: number }>('SELECT count(*)::int AS n FROM scim_connections'))[0]!.n;
    const refused = await submit(admin, '/admin/scim', '/admin/scim', { name: '', audience: 'staff' });
    assert.equal(refused.status, 400);
    assert.equal(errorCodeOf(refused), 'request.invalid');
    const api = await server.client().sendJson('POST', '/api/v1/scim-connections', { name: 'x', audience: 'everyone' }, { authorization: `Bearer ${key}` });
    assert.equal(api.status, 400);
    assert.equal(api.json.error.code, 'request.invalid');
    assert.equal((await server.services.db.query<{ n: number }>('SELECT count(*)::int AS n FROM scim_connections'))[0]!.n, before_);
  });

  it('makes, reads and revokes connections through the admin API', async () => {
    const api = (method: string, path: string, body?: unknown) => server.client().sendJson(method, path, body, { authorization: `Bearer ${key}` });
    const created = await api('POST', '/api/v1/scim-connections', { name: 'Entra', audience: 'agents' });
    assert.equal(created.status, 201, created.text);
    const { id, token, baseUrl } = created.json.connection;
    assert.equal(baseUrl, 'http://localhost:8080/scim/v2');
    const agent = await scimAs(token, 'POST', '/Users', { schemas: [USER], userName: 'entra.agent@example.com' });
    assert.equal(agent.status, 201);
    assert.equal((await server.services.people.require(agent.json.id, 'agents')).isAdmin, false);
    const read = await api('GET', `/api/v1/scim-connections/${id}`);
    assert.equal(read.json.connection.token, undefined);
    assert.deepEqual(read.json.requests.map((r: { status: number }) => r.status), [201]);
    assert.equal((await api('DELETE', `/api/v1/scim-connections/${id}`)).status, 204);
    assert.equal((await scimAs(token, 'GET', '/Users')).status, 401);
    assert.equal((await api('DELETE', `/api/v1/scim-connections/${id}`)).json.error.code, 'scim_connection.not_found');
    const [audit] = await server.services.audit.list({ action: 'scim_connection.created' });
    assert.equal(audit!.actor.type, 'api_key');
  });
});
