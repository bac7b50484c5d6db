import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { accountCounts } from '../helpers/counts.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';

// The admin API end to end over HTTP: who may call it, what each resource does, and that a
// refused call answers a stable code and changes nothing.
describe('admin API', () => {
  let server: TestServer;
  let key: string;
  const api = (method: string, path: string, body?: unknown) =>
    server.client().sendJson(method, path, body, { authorization: `Bearer ${key}` });

  before(async () => {
    server = await startTestServer();
    const s = server.services;
    await s.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    await s.people.create({ audience: 'agents', name: 'Bob Agent', email: 'bob@example.com', password: PASSWORD });
    await s.people.create({ audience: 'users', name: 'Una User', email: 'una@example.com', password: PASSWORD });
    key = (await s.apiKeys.create('tests', null)).key;
  });
  after(async () => {
    await server.close();
  });

  it('lets in only an admin agent or an API key, with a code that says why', async () => {
    const anonymous = await server.client().get('/api/v1/users');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.json.error.code, 'auth.required');

    const badKey = await server.client().get('/api/v1/users', { authorization: 'Bearer fdk_not-a-key' });
    assert.equal(badKey.status, 401);

    const user = server.client();
    await user.signIn('una@example.com', PASSWORD);
    const fromUser = await user.get('/api/v1/users');
    assert.equal(fromUser.status, 403);
    assert.equal(fromUser.json.error.code, 'auth.wrong_audience');

    const agent = server.client();
    await agent.signIn('bob@example.com', PASSWORD, 'agents');
    const fromAgent = await agent.get('/api/v1/users');
    assert.equal(fromAgent.status, 403);
    assert.equal(fromAgent.json.error.code, 'auth.forbidden');

    const admin = server.client();
    await admin.signIn('ada@example.com', PASSWORD, 'agents');
    assert.equal((await admin.get('/api/v1/users')).status, 200);
  });

  it('needs the CSRF header for a cookie-authenticated change', async () => {
    const admin = server.client();
    await admin.signIn('ada@example.com', PASSWORD, 'agents');
    const counts = await accountCounts(server.services.db);
    const forged = await admin.sendJson('POST', '/api/v1/users', { name: 'Mallory', email: 'mallory@example.com' });
    assert.equal(forged.status, 403);
    assert.equal(forged.json.error.code, 'request.csrf_invalid');
    assert.deepEqual(await accountCounts(server.services.db), counts);

    const real = await admin.sendJson('POST', '/api/v1/users', { name: 'Cara', email: 'cara@example.com' }, await admin.apiCsrfHeader());
    assert.equal(real.status, 201);
    assert.equal(real.json.person.name, 'Cara');
  });

  it('creates, finds, changes and removes Users, and audits each change', async () => {
    const created = await api('POST', '/api/v1/users', { name: 'Dana', email: 'Dana@Example.com', password: PASSWORD });
    assert.equal(created.status, 201);
    const id = created.json.person.id;
    assert.equal(created.json.person.audience, 'users');
    assert.equal(created.json.person.hasPassword, true);

    const found = await api('GET', '/api/v1/users?query=dana%40example');
    assert.deepEqual(found.json.people.map((p: { id: string }) => p.id), [id]);

    const group = await api('POST', '/api/v1/usergroups', { name: 'Premium' });
    const changed = await api('PATCH', `/api/v1/users/${id}`, { name: 'Dana D.', usergroupIds: [group.json.usergroup.id] });
    assert.equal(changed.status, 200);
    assert.equal(changed.json.person.name, 'Dana D.');
    assert.deepEqual(changed.json.person.usergroups, [{ id: group.json.usergroup.id, name: 'Premium' }]);

    const events = await api('GET', `/api/v1/audit?targetId=${id}`);
    assert.deepEqual(events.json.events.map((e: { action: string }) => e.action), ['person.updated', 'person.created']);
    assert.equal(events.json.events[0].actor.type, 'api_key');

    assert.equal((await api('DELETE', `/api/v1/users/${id}`)).status, 204);
    const gone = await api('GET', `/api/v1/users/${id}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.json.error.code, 'person.not_found');
  });

  it('refuses bad input and duplicates with a precise code, changing nothing', async () => {
    const counts = await accountCounts(server.services.db);
    const cases: [unknown, number, string][] = [
      [{ name: 'X', email: 'not-an-email' }, 400, 'request.invalid'],
      [{ name: '', email: 'x@example.com' }, 400, 'request.invalid'],
      [{ name: 'X', email: 'x@example.com', isAdmin: true }, 400, 'request.invalid'],
      [{ name: 'X', email: 'x@example.com', password: 'short' }, 400, 'password.too_short'],
      [{ name: 'Una again', email: 'UNA@example.com' }, 409, 'person.email_taken'],
    ];
    for (const [body, status, code] of cases) {
      const response = await api('POST', '/api/v1/users', body);
      assert.equal(response.status, status, JSON.stringify(body));
      assert.equal(response.json.error.code, code, JSON.stringify(body));
      assert.equal(typeof response.json.error.message, 'string');
    }
    assert.deepEqual(await accountCounts(server.services.db), counts);
  });

  it('keeps audiences apart: an Agent is not found under /users, and only Agents can be admins', async () => {
    const bob = (await api('GET', '/api/v1/agents?query=bob')).json.people[0];
    assert.equal((await api('GET', `/api/v1/users/${bob.id}`)).status, 404);
    const promoted = await api('PATCH', `/api/v1/agents/${bob.id}`, { isAdmin: true });
    assert.equal(promoted.json.person.isAdmin, true);
    const demoted = await api('PATCH', `/api/v1/agents/${bob.id}`, { isAdmin: false });
    assert.equal(demoted.json.person.isAdmin, false);
  });

  it('refuses to demote or disable the last admin', async () => {
    const ada = (await api('GET', '/api/v1/agents?query=ada')).json.people[0];
    for (const change of [{ isAdmin: false }, { disabled: true }]) {
      const response = await api('PATCH', `/api/v1/agents/${ada.id}`, change);
      assert.equal(response.status, 409);
      assert.equal(response.json.error.code, 'person.last_admin');
    }
    assert.equal((await api('DELETE', `/api/v1/agents/${ada.id}`)).json.error.code, 'person.last_admin');
    assert.equal((await api('GET', `/api/v1/agents/${ada.id}`)).json.person.isAdmin, true);
  });

  it('lists and ends sessions; disabling a person ends theirs at once', async () => {
    const user = server.client();
    await user.signIn('una@example.com', PASSWORD);
    const una = (await api('GET', '/api/v1/users?query=una')).json.people[0];
    const live = await api('GET', `/api/v1/users/${una.id}/sessions`);
    assert.equal(live.json.sessions.length >= 1, true);
    const sessionId = live.json.sessions[0].id;
    assert.equal((await api('DELETE', `/api/v1/sessions/${sessionId}`)).status, 204);
    assert.equal((await user.get('/api/v1/session')).status, 401, 'the revoked cookie no longer works');
    const again = await api('DELETE', `/api/v1/sessions/${sessionId}`);
    assert.equal(again.status, 404);
    assert.equal(again.json.error.code, 'session.not_found');

    const second = server.client();
    await second.signIn('una@example.com', PASSWORD);
    assert.equal((await second.get('/api/v1/session')).status, 200);
    await api('PATCH', `/api/v1/users/${una.id}`, { disabled: true });
    assert.equal((await second.get('/api/v1/session')).status, 401);
    assert.equal((await server.client().signIn('una@example.com', PASSWORD)).status, 403, 'a disabled person cannot sign in');
    await api('PATCH', `/api/v1/users/${una.id}`, { disabled: false });
  });

  it('manages usergroups and the articles they gate', async () => {
    const group = (await api('POST', '/api/v1/usergroups', { name: 'Partners' })).json.usergroup;
    const duplicate = await api('POST', '/api/v1/usergroups', { name: 'Partners' });
    assert.equal(duplicate.json.error.code, 'usergroup.name_taken');
    const everyone = (await api('GET', '/api/v1/usergroups')).json.usergroups.find((g: { system: string }) => g.system === 'everyone');
    assert.equal((await api('PATCH', `/api/v1/usergroups/${everyone.id}`, { name: 'All' })).json.error.code, 'usergroup.system');
    assert.equal((await api('DELETE', `/api/v1/usergroups/${everyone.id}`)).json.error.code, 'usergroup.system');

    const article = (await api('POST', '/api/v1/articles', { title: 'Partner pricing', body: 'Ask us.', usergroupIds: [group.id] })).json.article;
    assert.deepEqual(article.usergroupIds, [group.id]);
    const retitled = await api('PATCH', `/api/v1/articles/${article.id}`, { title: 'Partner prices' });
    assert.equal(retitled.json.article.title, 'Partner prices');
    assert.deepEqual(retitled.json.article.usergroupIds, [group.id], 'a change that leaves out the readers keeps them');
    const unknownGroup = await api('PATCH', `/api/v1/articles/${article.id}`, { usergroupIds: ['00000000-0000-4000-8000-000000000000'] });
    assert.equal(unknownGroup.status, 404);
    assert.equal(unknownGroup.json.error.code, 'usergroup.not_found');
    assert.deepEqual((await api('GET', `/api/v1/articles/${article.id}`)).json.article.usergroupIds, [group.id], 'unchanged');

    const anonymousHome = await server.client().get('/');
    assert.doesNotMatch(anonymousHome.text, /Partner prices/);
    assert.equal((await api('DELETE', `/api/v1/articles/${article.id}`)).status, 204);
    assert.equal((await api('GET', `/api/v1/articles/${article.id}`)).json.error.code, 'article.not_found');
  });

  it('changes registration settings, and closed registration refuses sign-ups', async () => {
    assert.deepEqual((await api('GET', '/api/v1/settings/registration')).json.registration.mode, 'open');
    const bad = await api('PATCH', '/api/v1/settings/registration', { mode: 'sometimes' });
    assert.equal(bad.json.error.code, 'request.invalid');
    const closed = await api('PATCH', '/api/v1/settings/registration', { mode: 'closed' });
    assert.equal(closed.json.registration.mode, 'closed');
    const visitor = server.client();
    const csrf = await visitor.csrfFrom('/login');
    const refused = await visitor.postForm('/register', { _csrf: csrf, name: 'Eve', email: 'eve@example.com', password: PASSWORD });
    assert.equal(refused.status, 403);
    assert.match(refused.text, /registration\.closed/);
    const [refusal, change] = (await api('GET', '/api/v1/audit?action=registration.*&limit=2')).json.events;
    assert.deepEqual([refusal.action, refusal.outcome, refusal.reason], ['registration.created', 'failure', 'registration.closed']);
    assert.deepEqual([change.action, change.details], ['registration.settings_changed', { mode: 'closed' }]);
    await api('PATCH', '/api/v1/settings/registration', { mode: 'open' });
  });

  it('creates API keys shown once, and a revoked key stops working at once', async () => {
    const created = await api('POST', '/api/v1/api-keys', { name: 'provisioning' });
    assert.equal(created.status, 201);
    const newKey: string = created.json.apiKey.key;
    assert.match(newKey, /^fdk_/);
    const listed = await api('GET', '/api/v1/api-keys');
    assert.equal(JSON.stringify(listed.json).includes(newKey), false, 'keys are never listed');
    const withNewKey = (client: TestClient) => client.get('/api/v1/apps', { authorization: `Bearer ${newKey}` });
    assert.equal((await withNewKey(server.client())).status, 200);
    assert.equal((await api('DELETE', `/api/v1/api-keys/${created.json.apiKey.id}`)).status, 204);
    assert.equal((await withNewKey(server.client())).status, 401);
  });

  it('describes every route in the OpenAPI document', async () => {
    const document = (await server.client().get('/api/v1/openapi.json')).json;
    for (const path of ['/api/v1/users', '/api/v1/agents/{id}', '/api/v1/usergroups', '/api/v1/articles/{id}', '/api/v1/sessions/{id}', '/api/v1/audit', '/api/v1/settings/registration', '/api/v1/api-keys']) {
      assert.ok(document.paths[path], `${path} is documented`);
    }
  });
});
