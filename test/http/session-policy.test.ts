import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { refusalCode } from '../helpers/attacks.ts';
import { csrfOf } from '../helpers/pages.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';
import { TestClock } from '../helpers/services.ts';

// Session lengths per audience, set by admins (issue 18 part 8): the environment's values are
// the defaults, bounds are refused with the field named, every node applies a change, and a
// shorter idle length ends sessions already idle that long.

const PASSWORD = 'correct horse battery';
const cli = { type: 'cli' } as const;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('session policy per audience', () => {
  let server: TestServer;
  let apiKey: string;
  let admin: TestClient;
  const clock = new TestClock(Date.parse('2026-03-02T10:00:00Z'));
  const api = (method: string, path: string, body?: unknown) => server.client().sendJson(method, path, body, { authorization: `Bearer ${apiKey}` });
  const sessionOf = async (email: string, audience: 'users' | 'agents') => {
    const found = await server.services.people.findForSignIn(audience, email);
    const [session] = await server.services.sessions.list({ personId: found!.person.id, audience });
    return session!;
  };
  const spanOf = (from: string, to: string) => Date.parse(to) - Date.parse(from);

  before(async () => {
    server = await startTestServer({ clock, env: { SESSION_IDLE_MINUTES: '60', SESSION_ABSOLUTE_HOURS: '24' } });
    const s = server.services;
    ({ key: apiKey } = await s.apiKeys.create('tests', null));
    await s.people.create({ audience: 'users', name: 'Una', email: 'una@example.com', password: PASSWORD });
    await s.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    admin = server.client();
    assert.equal((await admin.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
  });
  after(async () => server.close());

  it('starts from the environment for both audiences', async () => {
    const response = await api('GET', '/api/v1/settings/sessions');
    assert.equal(response.status, 200);
    for (const audience of ['users', 'agents']) {
      assert.deepEqual(response.json.sessions[audience], {
        idleMinutes: 60, absoluteHours: 24, fromEnvironment: { idleMinutes: true, absoluteHours: true }, rememberDeviceDays: null,
      });
    }
  });

  it('refuses lengths out of bounds, and an idle length over the absolute one, changing nothing and auditing nothing', async () => {
    const before = await server.services.sessionPolicy.settings();
    const cases: [unknown, string, string][] = [
      [{ users: { idleMinutes: 4 } }, 'request.invalid', 'users.idleMinutes'],
      [{ agents: { absoluteHours: 24 * 365 + 1 } }, 'request.invalid', 'agents.absoluteHours'],
      [{ users: { idleMinutes: '30' } }, 'request.invalid', 'users.idleMinutes'],
      [{ users: { sessionLength: 3 } }, 'request.invalid', 'users'],
    ];
    for (const [body, code, field] of cases) {
      const refused = await api('PATCH', '/api/v1/settings/sessions', body);
      assert.equal(refused.status, 400, JSON.stringify(body));
      assert.equal(refusalCode(refused), code);
      assert.ok(refused.json.error.details.fields.some((f: { field: string }) => f.field === field), JSON.stringify(refused.json.error.details));
    }
    const tooLong = await api('PATCH', '/api/v1/settings/sessions', { users: { absoluteHours: 2 }, agents: { idleMinutes: 2 * 60 * 24 } });
    assert.equal(tooLong.status, 400);
    assert.equal(refusalCode(tooLong), 'session_policy.idle_exceeds_absolute');
    assert.equal(tooLong.json.error.details.audience, 'agents');
    assert.deepEqual(await server.services.sessionPolicy.settings(), before, 'users unchanged too: one transaction');
    assert.equal((await server.services.audit.list({ action: 'settings.sessions_changed' })).length, 0);
  });

  it('gives each audience its own lengths for new sessions, audited; null goes back to the environment', async () => {
    const changed = await api('PATCH', '/api/v1/settings/sessions', { users: { idleMinutes: 30 }, agents: { absoluteHours: 2 } });
    assert.equal(changed.status, 200);
    assert.equal(changed.json.sessions.users.idleMinutes, 30);
    assert.equal(changed.json.sessions.users.fromEnvironment.idleMinutes, false);
    assert.equal(changed.json.sessions.agents.absoluteHours, 2);
    const [event] = await server.services.audit.list({ action: 'settings.sessions_changed', limit: 1 });
    assert.deepEqual(event?.details, { users: { idleMinutes: 30 }, agents: { absoluteHours: 2 } });

    clock.advance(MINUTE); // the newest session is the one made here
    assert.equal((await server.client().signIn('una@example.com', PASSWORD)).status, 303);
    const user = await sessionOf('una@example.com', 'users');
    assert.equal(spanOf(user.createdAt, user.idleExpiresAt), 30 * MINUTE);
    assert.equal(spanOf(user.createdAt, user.absoluteExpiresAt), 24 * HOUR, 'the environment still sets what was not changed');
    assert.equal((await server.client().signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
    const agent = await sessionOf('ada@example.com', 'agents');
    assert.equal(spanOf(agent.createdAt, agent.absoluteExpiresAt), 2 * HOUR);
    assert.equal(spanOf(agent.createdAt, agent.idleExpiresAt), 60 * MINUTE);

    const reset = await api('PATCH', '/api/v1/settings/sessions', { users: { idleMinutes: null }, agents: { absoluteHours: null } });
    assert.equal(reset.json.sessions.users.idleMinutes, 60);
    assert.equal(reset.json.sessions.users.fromEnvironment.idleMinutes, true);
    assert.equal(reset.json.sessions.agents.absoluteHours, 24);
  });

  it('applies a shorter idle length to sessions already running, at once', async () => {
    const browser = server.client();
    assert.equal((await browser.signIn('una@example.com', PASSWORD)).status, 303);
    clock.advance(20 * MINUTE);
    assert.equal((await browser.get('/account')).status, 200, 'used after 20 minutes (the idle window slides)');
    clock.advance(16 * MINUTE);
    assert.equal((await browser.get('/account')).status, 200, 'within the environment\'s 60 minutes');
    await server.services.sessionPolicy.update({ users: { idleMinutes: 15 } }, cli);
    clock.advance(16 * MINUTE);
    const una = await server.services.people.findForSignIn('users', 'una@example.com');
    const listed = await api('GET', `/api/v1/sessions?personId=${una!.person.id}`);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.json.sessions, [], 'before its next request, the admin list already counts the session as ended');
    const after = await browser.get('/account');
    assert.equal(after.status, 302, 'idle 16 minutes under a 15-minute policy: signed out');
    assert.match(after.location!, /^\/login/);
    await server.services.sessionPolicy.update({ users: { idleMinutes: null } }, cli);
  });

  it('is a console section: the form saves per audience, and a bad value comes back with its field named', async () => {
    const page = await admin.get('/admin/settings/sessions');
    assert.equal(page.status, 200);
    assert.match(page.text, /<a href="\/admin\/settings\/sessions" aria-current="page">Sessions<\/a>/);
    assert.match(page.text, /placeholder="60"/, 'the environment default is shown');

    const bad = await admin.postForm('/admin/settings/sessions', { _csrf: csrfOf(page.text), 'users.idleMinutes': '3', 'agents.absoluteHours': '8' });
    assert.equal(bad.status, 400);
    assert.equal(refusalCode(bad), 'request.invalid');
    assert.match(bad.text, /id="f-users-idleMinutes-error"/);
    assert.equal((await server.services.sessionPolicy.settings()).agents.absoluteHours, 24, 'nothing saved');

    const saved = await admin.postForm('/admin/settings/sessions', {
      _csrf: csrfOf(page.text), 'users.idleMinutes': '45', 'users.absoluteHours': '', 'agents.absoluteHours': '8',
      'agents.rememberDevice': 'on', 'agents.rememberDeviceDays': '14', 'users.rememberDeviceDays': '30',
    });
    assert.equal(saved.status, 303, saved.text.slice(0, 300));
    assert.equal(saved.location, '/admin/settings/sessions?notice=saved');
    const policy = await server.services.sessionPolicy.settings();
    assert.equal(policy.users.idleMinutes, 45);
    assert.equal(policy.users.fromEnvironment.absoluteHours, true);
    assert.equal(policy.users.rememberDeviceDays, null, 'unticked is off whatever the days say');
    assert.equal(policy.agents.absoluteHours, 8);
    assert.equal(policy.agents.rememberDeviceDays, 14);
    const [event] = await server.services.audit.list({ action: 'settings.sessions_changed', limit: 1 });
    assert.equal(event?.actor.type, 'person');

    const ticked = await admin.postForm('/admin/settings/sessions', { _csrf: csrfOf(page.text), 'users.rememberDevice': 'on', 'users.rememberDeviceDays': '' });
    assert.equal(ticked.status, 400, 'ticked needs a number of days');
    assert.match(ticked.text, /id="f-users-rememberDeviceDays-error"/);
    await server.services.sessionPolicy.update({ users: { idleMinutes: null, absoluteHours: null }, agents: { absoluteHours: null, rememberDeviceDays: null } }, cli);
  });

  it('is seen by every node within a second', async () => {
    const b = await startTestServer({ clock, database: server.services.db, env: { SESSION_IDLE_MINUTES: '60', SESSION_ABSOLUTE_HOURS: '24' } });
    try {
      assert.equal((await b.services.sessionPolicy.settings()).users.absoluteHours, 24);
      await server.services.sessionPolicy.update({ users: { absoluteHours: 3 } }, cli);
      await sleep(1000); // the promise to keep: a setting changed on one node applies on all within 1 s
      const browser = b.client();
      assert.equal((await browser.signIn('una@example.com', PASSWORD)).status, 303);
      const [session] = (await b.services.sessions.list({ audience: 'users' })).filter((s) => s.createdAt === clock.now().toISOString());
      assert.equal(spanOf(session!.createdAt, session!.absoluteExpiresAt), 3 * HOUR);
    } finally {
      await b.close();
    }
  });
});
