import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FrontdoorError } from '../../src/core/errors.ts';
import { THROTTLE_POLICY } from '../../src/core/throttle.ts';
import { totpCode } from '../../src/core/credentials/totp.ts';
import { accountCounts } from '../helpers/counts.ts';
import { Mailbox } from '../helpers/mailbox.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { TestClock } from '../helpers/services.ts';
import { csrfOf } from '../helpers/pages.ts';

const PASSWORD = 'correct horse battery';

describe('brute-force throttling, shared through the database', () => {
  let server: TestServer;
  let mailbox: Mailbox;
  const clock = new TestClock(Date.parse('2026-05-04T08:00:00Z'));

  before(async () => {
    mailbox = await Mailbox.start();
    server = await startTestServer({ clock, env: { SMTP_URL: mailbox.url } });
  });
  after(async () => {
    await server.close();
    await mailbox.close();
  });

  it('backs off one address after 5 failures on one account: even the right password waits, then works', async () => {
    assert.equal(THROTTLE_POLICY.pairFreeFailures, 5, 'the number docs/ACCOUNTS.md states');
    const person = await server.services.people.create({ audience: 'users', name: 'Vic', email: 'vic@example.com', password: PASSWORD });
    for (let i = 0; i < THROTTLE_POLICY.pairFreeFailures; i++) {
      const wrong = await server.client().signIn('vic@example.com', `wrong guess ${i}`);
      assert.equal(wrong.status, 401, `guess ${i}`);
    }
    const before = await accountCounts(server.services.db);
    const blocked = await server.client().signIn('vic@example.com', PASSWORD);
    assert.equal(blocked.status, 429);
    assert.match(blocked.text, /data-code="auth\.throttled"/);
    assert.match(blocked.text, /Too many failed attempts/);
    assert.equal(blocked.headers.get('retry-after'), '30');
    assert.deepEqual(await accountCounts(server.services.db), before, 'no session');

    const lockouts = await server.services.audit.list({ action: 'signin.lockout', targetId: person.id });
    assert.equal(lockouts.length, 1);
    assert.equal(lockouts[0]!.details.scope, 'pair');
    assert.equal(lockouts[0]!.details.kind, 'password');
    assert.equal(lockouts[0]!.ip, '127.0.0.1');
    const refusals = await server.services.audit.list({ action: 'signin.password', outcome: 'failure', limit: 1 });
    assert.equal(refusals[0]!.reason, 'auth.throttled');
    const alert = await mailbox.next('vic@example.com', /Failed sign-in attempts/);
    assert.match(alert.text, /127\.0\.0\.1/);

    clock.advance(31_000);
    assert.equal((await server.client().signIn('vic@example.com', PASSWORD)).status, 303, 'the block ends by itself');
  });

  it('at the boundary: wrong passwords 1 to 5 are answered 401, the 6th attempt is the first 429', async () => {
    await server.services.people.create({ audience: 'users', name: 'Bo', email: 'bo@example.com', password: PASSWORD });
    const statuses: number[] = [];
    for (let attempt = 1; attempt <= 7; attempt++) statuses.push((await server.client().signIn('bo@example.com', `wrong ${attempt}`)).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
  });

  it('the back-off doubles and is capped at 15 minutes: never a permanent lock', async () => {
    await server.services.people.create({ audience: 'users', name: 'Dee', email: 'dee@example.com', password: PASSWORD });
    const waits: number[] = [];
    for (let round = 0; round < 24; round++) {
      const response = await server.client().signIn('dee@example.com', 'still wrong');
      if (response.status === 429) {
        const wait = Number(response.headers.get('retry-after'));
        waits.push(wait);
        clock.advance(wait * 1000);
      }
    }
    assert.deepEqual(waits.slice(0, 7), [30, 60, 120, 240, 480, 900, 900]);
    assert.equal(Math.max(...waits), 15 * 60, `waits ${waits}`);
    clock.advance(15 * 60_000);
    assert.equal((await server.client().signIn('dee@example.com', PASSWORD)).status, 303);
  });

  it('unknown emails are throttled exactly like known ones (nothing to learn from the throttle)', async () => {
    for (let i = 0; i < THROTTLE_POLICY.pairFreeFailures; i++) await server.client().signIn('ghost@example.com', 'guess');
    const blocked = await server.client().signIn('ghost@example.com', 'guess');
    assert.equal(blocked.status, 429);
    assert.equal(blocked.headers.get('retry-after'), '30');
  });

  it('at most 100 failures an hour per account from anywhere, but not from an address the owner uses', async () => {
    const s = server.services;
    const owner = await s.people.create({ audience: 'users', name: 'Own', email: 'own@example.com', password: PASSWORD });
    // The owner signed in from 192.0.2.10 before the attack.
    await s.sessions.create({ personId: owner.id, audience: 'users', ip: '192.0.2.10' });
    const subject = (ip: string) => ({ audience: 'users' as const, account: `person:${owner.id}`, ip, personId: owner.id });
    let started: { scope: string }[] = [];
    for (let i = 0; i < THROTTLE_POLICY.accountMaxFailures; i++) {
      // A botnet: every guess from another address, so no per-address counter trips.
      started = started.concat(await s.throttle.recordFailure(subject(`198.51.100.${i}`), 'password'));
    }
    assert.deepEqual(started.map((b) => b.scope), ['account']);
    await assert.rejects(s.throttle.check(subject('203.0.113.7')), (e: unknown) => e instanceof FrontdoorError && e.code === 'auth.throttled');
    await s.throttle.check(subject('192.0.2.10'));
    const lockout = await s.audit.list({ action: 'signin.lockout', targetId: owner.id });
    assert.equal(lockout[0]!.details.scope, 'account');
    assert.equal(lockout[0]!.details.failures, 100);

    clock.advance(THROTTLE_POLICY.windowMs);
    await s.throttle.check(subject('203.0.113.7'));
  });

  it('counters live in the database: another node (a second set of services) sees the same block', async () => {
    const { createServices } = await import('../../src/core/services.ts');
    const other = await createServices(server.services.db, server.services.config, clock);
    await server.services.people.create({ audience: 'users', name: 'Nod', email: 'nod@example.com', password: PASSWORD });
    for (let i = 0; i < THROTTLE_POLICY.pairFreeFailures; i++) {
      await assert.rejects(other.passwordSignIn.signIn({ audience: 'users', email: 'nod@example.com', password: 'nope', ip: '127.0.0.1' }));
    }
    const blocked = await server.client().signIn('nod@example.com', PASSWORD);
    assert.equal(blocked.status, 429);
  });

  it('second-factor guesses are throttled too, and audited', async () => {
    const s = server.services;
    const tia = await s.people.create({ audience: 'users', name: 'Tia', email: 'tia@example.com', password: PASSWORD });
    const secret = Buffer.alloc(20, 7);
    await s.db.query('INSERT INTO totp_secrets (person_id, secret, confirmed_at) VALUES ($1, $2, now())', [tia.id, s.secretBox.seal(secret.toString('base64'))]);
    const browser = server.client();
    assert.equal((await browser.signIn('tia@example.com', PASSWORD)).location, '/login/2fa');
    const page = await browser.get('/login/2fa');
    const right = totpCode(secret, clock.now());
    const wrongCode = right === '123456' ? '654321' : '123456';
    for (let i = 0; i < THROTTLE_POLICY.pairFreeFailures; i++) {
      const wrong = await browser.postForm('/login/2fa', { _csrf: csrfOf(page.text), method: 'totp', code: wrongCode });
      assert.equal(wrong.status, 401);
    }
    const blocked = await browser.postForm('/login/2fa', { _csrf: csrfOf(page.text), method: 'totp', code: right });
    assert.equal(blocked.status, 429);
    assert.match(blocked.text, /data-code="auth\.throttled"/);
    assert.equal((await browser.get('/api/v1/session')).status, 401);
    const lockout = await s.audit.list({ action: 'signin.lockout', targetId: tia.id });
    assert.equal(lockout[0]!.details.kind, 'totp');
    clock.advance(31_000);
    const later = await browser.get('/login/2fa');
    const done = await browser.postForm('/login/2fa', { _csrf: csrfOf(later.text), method: 'totp', code: totpCode(secret, clock.now()) });
    assert.equal(done.status, 303);
  });
});
