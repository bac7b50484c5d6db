import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Mailbox } from '../helpers/mailbox.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { csrfOf } from '../helpers/pages.ts';

const PASSWORD = 'correct horse battery';
const sessionIdsOn = (text: string) => [...text.matchAll(/data-session-id="([^"]+)"/g)].map((m) => m[1]!);

describe('sessions on the account page', () => {
  let server: TestServer;
  let mailbox: Mailbox;

  before(async () => {
    mailbox = await Mailbox.start();
    server = await startTestServer({ env: { SMTP_URL: mailbox.url } });
    await server.services.people.create({ audience: 'users', name: 'Sid', email: 'sid@example.com', password: PASSWORD });
    await server.services.people.create({ audience: 'users', name: 'Mal', email: 'mal@example.com', password: PASSWORD });
    await server.services.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', password: PASSWORD });
  });
  after(async () => {
    await server.close();
    await mailbox.close();
  });

  it('lists the person\'s active sessions with device, address and last seen, and ends one', async () => {
    const phone = server.client();
    await phone.request('GET', '/login', { headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1' } });
    const csrf = csrfOf((await phone.get('/login')).text);
    await phone.request('POST', '/login', {
      body: new URLSearchParams({ _csrf: csrf, email: 'sid@example.com', password: PASSWORD }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1' },
    });
    const laptop = server.client();
    await laptop.signIn('sid@example.com', PASSWORD);
    const someoneElse = server.client();
    await someoneElse.signIn('mal@example.com', PASSWORD);

    const page = await laptop.get('/account');
    assert.equal(page.status, 200);
    const ids = sessionIdsOn(page.text);
    assert.equal(ids.length, 2, 'only Sid\'s sessions');
    assert.match(page.text, /Safari on iPhone/);
    assert.match(page.text, /127\.0\.0\.1/);
    assert.match(page.text, /<time datetime="/);
    assert.match(page.text, /This session/);

    const phoneSession = (await server.services.sessions.list({ audience: 'users' })).find((s) => s.userAgent?.includes('iPhone'))!;
    const ended = await laptop.postForm(`/account/sessions/${phoneSession.id}/end`, { _csrf: csrfOf(page.text) });
    assert.equal(ended.status, 200);
    assert.match(ended.text, /The session was ended/);
    assert.equal((await phone.get('/api/v1/session')).status, 401);
    assert.equal((await laptop.get('/api/v1/session')).status, 200);
    const audit = await server.services.audit.list({ action: 'session.revoked', limit: 1 });
    assert.equal(audit[0]!.target?.id, phoneSession.id);

    // Someone else's session id is "not found", and stays live.
    const malSession = (await server.services.sessions.list({ audience: 'users' })).find((s) => s.personId !== phoneSession.personId)!;
    const foreign = await laptop.postForm(`/account/sessions/${malSession.id}/end`, { _csrf: csrfOf(page.text) });
    assert.equal(foreign.status, 404);
    assert.match(foreign.text, /session\.not_found/);
    assert.equal((await someoneElse.get('/api/v1/session')).status, 200);
  });

  it('ends all other sessions at once, and the agent console has the same page', async () => {
    const a = server.client();
    const b = server.client();
    await a.signIn('sid@example.com', PASSWORD);
    await b.signIn('sid@example.com', PASSWORD);
    const page = await a.get('/account');
    const ended = await a.postForm('/account/sessions/end-others', { _csrf: csrfOf(page.text) });
    assert.match(ended.text, /other sessions? (was|were) ended/);
    assert.equal(sessionIdsOn(ended.text).length, 1);
    assert.equal((await b.get('/api/v1/session')).status, 401);
    assert.equal((await a.get('/api/v1/session')).status, 200);

    const agent = server.client();
    await agent.signIn('ada@example.com', PASSWORD, 'agents');
    const agentPage = await agent.get('/agent/account');
    assert.equal(agentPage.status, 200);
    assert.equal(sessionIdsOn(agentPage.text).length, 1);
    assert.equal((await server.client().get('/account')).status, 302, 'signed out: sent to sign in');
    const forged = await a.postForm('/account/sessions/end-others', { _csrf: 'x'.repeat(43) });
    assert.equal(forged.status, 403);
  });

  it('a sign-in from a new address is emailed when the alert is on', async () => {
    await server.services.registration.updateSettings({ alerts: { newDevice: true } }, { type: 'cli' });
    const s = server.services;
    const sid = (await s.people.findForSignIn('users', 'sid@example.com'))!.person;
    await s.sessions.revokeAllFor(sid.id, 'test');
    await s.db.query('UPDATE sessions SET ip = $2 WHERE person_id = $1', [sid.id, '192.0.2.1']);
    await server.client().signIn('sid@example.com', PASSWORD);
    const mail = await mailbox.next('sid@example.com', /New sign-in/);
    assert.match(mail.text, /Address: 127\.0\.0\.1/);
    await server.client().signIn('sid@example.com', PASSWORD);
    await s.mail.idle();
    assert.equal(mailbox.to('sid@example.com').filter((m) => /New sign-in/.test(m.subject)).length, 1, 'a known address is not news');
  });
});
