import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestResponse, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';

/** What a proxy can see of an answer: status, headers (but the date) and body. */
const visible = (response: TestResponse) => ({
  status: response.status,
  headers: Object.fromEntries([...response.headers].filter(([name]) => name !== 'date')),
  body: response.text,
});

// The everyday forward-auth answer comes from a fast path before Fastify once the session
// check holds the cookie's answer; the first ask (and every refusal) goes through the route.
// A proxy must not be able to tell them apart.
describe('forward auth: the fast path and the route answer alike', () => {
  let server: TestServer;
  // How often the route's own session check ran: the fast path never calls it.
  let routeChecks = 0;
  before(async () => {
    server = await startTestServer();
    const check = server.services.sessionCheck.check.bind(server.services.sessionCheck);
    server.services.sessionCheck.check = (token, audience) => ((routeChecks += 1), check(token, audience));
    await server.services.people.create({ audience: 'users', name: 'Ann "Quote" Ünïcode', email: 'ann@example.com', password: PASSWORD });
    await server.services.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
  });
  after(async () => server?.close());

  it('gives the same status, headers and body the first time (route) and after (fast path), for each way of asking', async () => {
    const user = server.client();
    await user.signIn('ann@example.com', PASSWORD);
    const agent = server.client();
    await agent.signIn('ada@example.com', PASSWORD, 'agents');
    for (const [client, path, headers] of [
      [user, '/api/v1/session', {}],
      [user, '/api/v1/session?audience=users', {}],
      [agent, '/api/v1/session?audience=agents', {}],
      [agent, '/api/v1/session', { 'x-frontdoor-audience': 'agents' }],
    ] as const) {
      server.services.sessionCheck.forgetAll();
      routeChecks = 0;
      const fromRoute = visible(await client.get(path, headers));
      assert.equal(fromRoute.status, 200, `${path}: ${fromRoute.body}`);
      assert.equal(routeChecks, 1, 'the route answered the first ask and filled the cache');
      const fromFastPath = visible(await client.get(path, headers));
      assert.equal(routeChecks, 1, 'the second answer came from the fast path');
      assert.deepEqual(fromFastPath, fromRoute, path);
    }
  });

  it('leaves refusals to the route: a revoked session, another audience, extra parameters', async () => {
    const user = server.client();
    await user.signIn('ann@example.com', PASSWORD);
    assert.equal((await user.get('/api/v1/session')).status, 200);
    assert.equal((await user.get('/api/v1/session')).status, 200, 'now held in the cache');
    assert.equal((await user.get('/api/v1/session?audience=agents')).json.error.code, 'auth.required');
    assert.equal((await user.get('/api/v1/session?audience=users&audience=agents')).status, 400);
    assert.equal((await user.get('/api/v1/session', { 'x-frontdoor-audience': 'everyone' })).json.error.code, 'request.invalid');
    const [session] = await server.services.db.query<{ id: string }>('SELECT id FROM sessions WHERE revoked_at IS NULL ORDER BY created_at DESC LIMIT 1');
    await server.services.sessions.revoke(session!.id, 'test');
    const afterRevoke = await user.get('/api/v1/session');
    assert.equal(afterRevoke.status, 401, 'this node forgets at once');
    assert.equal(afterRevoke.json.error.code, 'auth.required');
  });
});
