import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertRefused, createsNothing } from '../helpers/attacks.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';

// The admin API (/api/v1): who may call it, CSRF for cookie callers, and hostile bodies.
describe('admin API attacks', () => {
  let server: TestServer;
  let key: string;
  let admin: TestClient;

  before(async () => {
    server = await startTestServer();
    const s = server.services;
    await s.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    await s.people.create({ audience: 'agents', name: 'Bob', email: 'bob@example.com', password: PASSWORD });
    await s.people.create({ audience: 'users', name: 'Una', email: 'una@example.com', password: PASSWORD });
    key = (await s.apiKeys.create('tests', null)).key;
    admin = server.client();
    await admin.signIn('ada@example.com', PASSWORD, 'agents');
  });
  after(async () => {
    await server.close();
  });

  const newUser = { name: 'Mallory', email: 'mallory@example.com' };

  it('CSRF: cookie-authenticated changes need the token, whatever the content type a cross-site page can send', async () => {
    for (const [type, body] of [
      ['application/json', JSON.stringify(newUser)],
      ['text/plain', JSON.stringify(newUser)],
      ['application/x-www-form-urlencoded', 'name=Mallory&email=mallory%40example.com'],
      ['application/x-www-form-urlencoded', 'name=Mallory&email=mallory%40example.com&_csrf=forged'],
    ] as const) {
      const response = await createsNothing(server.services.db, () => admin.request('POST', '/api/v1/users', { body, headers: { 'content-type': type } }));
      assert.ok(response.status === 403 || response.status === 400, `${type}: ${response.status}`);
      assert.ok(['request.csrf_invalid', 'request.invalid'].includes(response.json.error.code), `${type}: ${response.json.error.code}`);
    }
    const otherBrowser = await server.client().apiCsrfHeader();
    assertRefused(await createsNothing(server.services.db, () => admin.sendJson('POST', '/api/v1/users', newUser, otherBrowser)), 'request.csrf_invalid');
    for (const method of ['PATCH', 'DELETE']) {
      const response = await admin.sendJson(method, '/api/v1/settings/registration', method === 'PATCH' ? { mode: 'closed' } : undefined);
      assert.ok(response.status === 403 || response.status === 404, `${method}: ${response.status}`);
    }
    assert.equal((await server.services.registration.settings()).mode, 'open');
  });

  it('credentials: malformed, unknown and revoked keys, other schemes, keys in the query, and every non-admin session', async () => {
    const revoked = await server.services.apiKeys.create('to revoke', null);
    await server.services.apiKeys.revoke(revoked.apiKey.id);
    const headers = [
      `Bearer ${revoked.key}`, 'Bearer fdk_unknown', 'Bearer', 'Bearer  ', `bearer${key}`, `Basic ${Buffer.from(`x:${key}`).toString('base64')}`,
      `Bearer ${key} extra`, `Bearer ${key}\u00a0`, '',
    ];
    for (const authorization of headers) {
      const response = await createsNothing(server.services.db, () => server.client().sendJson('POST', '/api/v1/users', newUser, { authorization }));
      assertRefused(response, 'auth.required');
    }
    assertRefused(await server.client().get(`/api/v1/users?api_key=${key}&access_token=${key}`), 'auth.required');
    // A bad key is not rescued by an admin cookie next to it.
    assertRefused(await admin.get('/api/v1/users', { authorization: 'Bearer fdk_unknown' }), 'auth.required');
    const user = server.client();
    await user.signIn('una@example.com', PASSWORD);
    assertRefused(await user.get('/api/v1/apps'), 'auth.wrong_audience');
    const agent = server.client();
    await agent.signIn('bob@example.com', PASSWORD, 'agents');
    assertRefused(await createsNothing(server.services.db, async () => agent.sendJson('POST', '/api/v1/users', newUser, await agent.apiCsrfHeader())), 'auth.forbidden');
    assertRefused(await agent.sendJson('POST', '/api/v1/api-keys', { name: 'mine' }, await agent.apiCsrfHeader()), 'auth.forbidden');
  });

  it('a disabled admin\'s cookie stops at once, also for the API', async () => {
    const carl = await server.services.people.create({ audience: 'agents', name: 'Carl', email: 'carl@example.com', password: PASSWORD, isAdmin: true });
    const browser = server.client();
    await browser.signIn('carl@example.com', PASSWORD, 'agents');
    assert.equal((await browser.get('/api/v1/users')).status, 200);
    const response = await server.client().sendJson('PATCH', `/api/v1/agents/${carl.id}`, { disabled: true }, { authorization: `Bearer ${key}` });
    assert.equal(response.status, 200);
    assertRefused(await browser.get('/api/v1/users'), 'auth.required');
  });

  it('hostile bodies: too large, broken JSON, NUL, prototype pollution, unknown or privileged fields', async () => {
    const api = (method: string, path: string, body: unknown) => server.client().sendJson(method, path, body, { authorization: `Bearer ${key}` });
    const raw = (body: string, type = 'application/json') =>
      server.client().request('POST', '/api/v1/users', { body, headers: { authorization: `Bearer ${key}`, 'content-type': type } });
    await createsNothing(server.services.db, async () => {
      assertRefused(await raw(JSON.stringify({ ...newUser, name: 'x'.repeat(70 * 1024) })), 'request.too_large');
      assertRefused(await raw('{"name": "Mallory",'), 'request.invalid');
      assertRefused(await raw('[]'), 'request.invalid');
      assertRefused(await raw('null'), 'request.invalid');
      assertRefused(await raw('"string"'), 'request.invalid');
      assertRefused(await raw(JSON.stringify({ ...newUser, name: 'Mal\u0000lory' })), 'request.invalid');
      assertRefused(await raw('<user/>', 'application/xml'), 'request.invalid');
      assertRefused(await api('POST', '/api/v1/users', { name: ['Mallory'], email: 'mallory@example.com' }), 'request.invalid');
    });
    const polluted = await raw('{"name":"Pol","email":"pol@example.com","__proto__":{"isAdmin":true},"constructor":{"prototype":{"isAdmin":true}}}');
    assert.ok(polluted.status === 201 || polluted.status === 400, `${polluted.status}`);
    assert.equal(({} as Record<string, unknown>).isAdmin, undefined, 'no prototype was polluted');
    const sneaky = await api('POST', '/api/v1/users', { name: 'Sneak', email: 'sneak@example.com', isAdmin: true, audience: 'agents' });
    assert.ok(sneaky.status < 500);
    if (sneaky.status === 201) {
      assert.equal(sneaky.json.person.isAdmin ?? false, false);
      assert.equal((await server.services.people.list({ audience: 'agents', query: 'sneak' })).length, 0, 'not an agent');
    }
    assertRefused(await api('GET', '/api/v1/users/%E0%A4%A', undefined), 'request.invalid');
    const long = await api('GET', `/api/v1/users/${'a'.repeat(300)}`, undefined);
    assert.ok(long.status === 404 || long.status === 400, `${long.status}`);
    assert.ok(['request.not_found', 'request.invalid', 'person.not_found'].includes(long.json.error.code));
  });
});
