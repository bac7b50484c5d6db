import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertRefused } from '../helpers/attacks.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { TestClock } from '../helpers/services.ts';

const PASSWORD = 'correct horse battery';

// GET /api/v1/session: the proxy's question "who is this cookie?". Only a live, complete session
// of the audience asked for is a yes; everything else is 401 auth.required, never a 5xx.
describe('forward auth attacks', () => {
  let server: TestServer;
  const clock = new TestClock();

  before(async () => {
    server = await startTestServer({ clock, env: { SESSION_IDLE_MINUTES: '30', SESSION_ABSOLUTE_HOURS: '2' } });
    await server.services.people.create({ audience: 'users', name: 'Ann', email: 'ann@example.com', password: PASSWORD });
    await server.services.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
  });
  after(async () => {
    await server.close();
  });

  it('no cookie, a forged, truncated or padded token, or a token in another place than the cookie is auth.required', async () => {
    const user = server.client();
    await user.signIn('ann@example.com', PASSWORD);
    const token = user.cookies.get('fd_session_users')!;
    assertRefused(await server.client().get('/api/v1/session'), 'auth.required');
    for (const value of [token.slice(0, -1), `${token}A`, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, ` ${token}`, token.toUpperCase(), 'null', '0']) {
      const forged = server.client();
      forged.cookies.set('fd_session_users', encodeURIComponent(value));
      assertRefused(await forged.get('/api/v1/session'), 'auth.required');
    }
    for (const headers of [{ authorization: `Bearer ${token}` }, { 'x-session-token': token }] as Record<string, string>[]) {
      assertRefused(await server.client().get('/api/v1/session', headers), 'auth.required');
    }
    assertRefused(await server.client().get(`/api/v1/session?session=${token}&token=${token}`), 'auth.required');
  });

  it('audiences: a User cookie never passes for an agent, whatever the query or header says; a bad audience is request.invalid', async () => {
    const user = server.client();
    await user.signIn('ann@example.com', PASSWORD);
    assertRefused(await user.get('/api/v1/session?audience=agents'), 'auth.required');
    assertRefused(await user.get('/api/v1/session', { 'x-frontdoor-audience': 'agents' }), 'auth.required');
    for (const audience of ['admins', 'Agents', 'users%00', '', 'users&audience=agents']) {
      const response = await user.get(`/api/v1/session?audience=${audience}`);
      assert.ok(response.status < 500);
      if (audience === 'users&audience=agents') assert.ok([400, 401].includes(response.status));
      else if (audience !== '') assertRefused(response, 'request.invalid');
    }
    const agent = server.client();
    await agent.signIn('ada@example.com', PASSWORD, 'agents');
    assertRefused(await agent.get('/api/v1/session'), 'auth.required');
    assert.equal((await agent.get('/api/v1/session?audience=agents')).json.person.isAdmin, true);
    // The answer's identity headers come from the session, never from the request.
    const answer = await user.get('/api/v1/session', { 'x-frontdoor-email': 'ada@example.com', 'x-frontdoor-person-id': 'someone-else' });
    assert.equal(answer.headers.get('x-frontdoor-email'), 'ann@example.com');
  });

  it('a session stops answering after logout, revocation, disabling, and its idle and absolute expiry', async () => {
    const s = server.services;
    const person = await s.people.create({ audience: 'users', name: 'Ivy', email: 'ivy@example.com', password: PASSWORD });
    const signIn = async () => {
      const browser = server.client();
      await browser.signIn('ivy@example.com', PASSWORD);
      assert.equal((await browser.get('/api/v1/session')).status, 200);
      return browser;
    };
    const revoked = await signIn();
    await s.sessions.revokeAllFor(person.id, 'test');
    assertRefused(await revoked.get('/api/v1/session'), 'auth.required');

    const idle = await signIn();
    clock.advance(31 * 60_000);
    assertRefused(await idle.get('/api/v1/session'), 'auth.required');

    const absolute = await signIn();
    for (let i = 0; i < 4; i++) {
      clock.advance(25 * 60_000);
      assert.equal((await absolute.get('/api/v1/session')).status, 200, 'kept alive by use');
    }
    clock.advance(25 * 60_000);
    assertRefused(await absolute.get('/api/v1/session'), 'auth.required');

    const disabled = await signIn();
    await s.people.update(person.id, 'users', { disabled: true });
    assertRefused(await disabled.get('/api/v1/session'), 'auth.required');
  });

  it('changes nothing: other methods than GET are not forward auth', async () => {
    const user = server.client();
    await user.signIn('ann@example.com', PASSWORD);
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const response = await user.request(method, '/api/v1/session');
      assert.ok(response.status === 404 || response.status === 405 || response.status === 403, `${method}: ${response.status}`);
    }
    assert.equal((await user.get('/api/v1/session')).status, 200, 'still signed in');
  });
});
