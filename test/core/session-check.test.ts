import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { createServices, type Services } from '../../src/core/services.ts';
import { SessionCheck } from '../../src/core/session-check.ts';
import { testConfig, testServices } from '../helpers/services.ts';

// The per-request session check answers from memory for under a second. What must hold:
// this node sees its own revocations at once; another node (its own cache, same database)
// sees them once its cache lifetime has passed; the other audience never gets an answer.
describe('SessionCheck', () => {
  let nodeA: Services;
  let nodeB: Services;
  let personId: string;

  before(async () => {
    nodeA = await testServices();
    nodeB = await createServices(nodeA.db, testConfig());
    personId = (await nodeA.people.create({ audience: 'users', name: 'Cy', email: 'cy@example.com' })).id;
  });
  after(async () => {
    await nodeA.db.close();
  });

  it('answers the same live session again, and nothing for the other audience or an unknown token', async () => {
    const { token, session } = await nodeA.sessions.create({ personId, audience: 'users' });
    assert.equal((await nodeA.sessionCheck.check(token, 'users'))?.session.id, session.id);
    assert.equal((await nodeA.sessionCheck.check(token, 'users'))?.person.id, personId);
    assert.equal(await nodeA.sessionCheck.check(token, 'agents'), undefined);
    assert.equal(await nodeA.sessionCheck.check('x'.repeat(43), 'users'), undefined);
  });

  it('shares one database lookup among concurrent asks for one cookie', async () => {
    const { token, session } = await nodeA.sessions.create({ personId, audience: 'users' });
    let lookups = 0;
    const resolve = nodeA.sessions.resolve.bind(nodeA.sessions);
    const counting = Object.create(nodeA.sessions, { resolve: { value: (t: string, a: 'users' | 'agents') => ((lookups += 1), resolve(t, a)) } });
    const shared = new SessionCheck(counting, nodeA.people, nodeA.clock);
    const answers = await Promise.all(Array.from({ length: 20 }, () => shared.check(token, 'users')));
    assert.ok(answers.every((answer) => answer?.session.id === session.id));
    assert.equal(lookups, 1);
  });

  it('does not keep an answer whose lookup began before a revocation on this node', async () => {
    const { token, session } = await nodeA.sessions.create({ personId, audience: 'users' });
    const check = new SessionCheck(nodeA.sessions, nodeA.people, nodeA.clock);
    const underWay = check.check(token, 'users');
    check.forgetAll(); // what a revocation on this node does, while the lookup is under way
    await nodeA.sessions.revoke(session.id, 'test');
    await underWay;
    assert.equal(check.cached(token, 'users'), undefined, 'the answer from before the revocation was not kept');
    assert.equal(await check.check(token, 'users'), undefined);
  });

  it('forgets at once on the node that revokes, disables or removes', async () => {
    const revoked = await nodeA.sessions.create({ personId, audience: 'users' });
    assert.ok(await nodeA.sessionCheck.check(revoked.token, 'users'));
    await nodeA.sessions.revoke(revoked.session.id, 'test');
    assert.equal(await nodeA.sessionCheck.check(revoked.token, 'users'), undefined);

    const disabled = await nodeA.sessions.create({ personId, audience: 'users' });
    assert.ok(await nodeA.sessionCheck.check(disabled.token, 'users'));
    await nodeA.people.update(personId, 'users', { disabled: true });
    assert.equal(await nodeA.sessionCheck.check(disabled.token, 'users'), undefined);
    await nodeA.people.update(personId, 'users', { disabled: false });
  });

  it('shows another node a revocation once its cache lifetime has passed', async () => {
    const shortLived = new SessionCheck(nodeB.sessions, nodeB.people, nodeB.clock, { ttlMs: 50 });
    const { token, session } = await nodeA.sessions.create({ personId, audience: 'users' });
    assert.ok(await shortLived.check(token, 'users'), 'node B has the session cached');
    await nodeA.sessions.revoke(session.id, 'signed out on node A');
    await sleep(60);
    assert.equal(await shortLived.check(token, 'users'), undefined);
  });

  it('renews an ageing answer in the background, so a busy cookie never waits for the database', async () => {
    const { token, session } = await nodeA.sessions.create({ personId, audience: 'users' });
    let lookups = 0;
    const resolve = nodeA.sessions.resolve.bind(nodeA.sessions);
    const counting = Object.create(nodeA.sessions, { resolve: { value: (t: string, a: 'users' | 'agents') => ((lookups += 1), resolve(t, a)) } });
    let nowMs = 0;
    const check = new SessionCheck(counting, nodeA.people, nodeA.clock, { ttlMs: 900, monotonicMs: () => nowMs });
    assert.ok(await check.check(token, 'users'));
    assert.equal(lookups, 1);
    nowMs = 400;
    assert.equal(check.cached(token, 'users')?.session.id, session.id, 'a young answer is given without a lookup');
    assert.equal(lookups, 1);
    nowMs = 500; // half the lifetime: the answer is given, and renewed behind it
    assert.equal(check.cached(token, 'users')?.session.id, session.id);
    assert.equal((await check.check(token, 'users'))?.session.id, session.id);
    assert.equal(lookups, 2, 'one background lookup, however many asks');
    await check.settled(token, 'users');
    nowMs = 1300; // past the first answer's lifetime: the renewed one (from 500) is given, and renewed in turn
    assert.equal(check.cached(token, 'users')?.session.id, session.id);
    assert.equal(lookups, 3);
    await check.settled(token, 'users');
  });

  it('drops an answer whose background renewal finds the session revoked on another node', async () => {
    let nowMs = 0;
    const check = new SessionCheck(nodeB.sessions, nodeB.people, nodeB.clock, { ttlMs: 900, monotonicMs: () => nowMs });
    const { token, session } = await nodeA.sessions.create({ personId, audience: 'users' });
    assert.ok(await check.check(token, 'users'));
    await nodeA.sessions.revoke(session.id, 'signed out on node A');
    nowMs = 600;
    // Still within its lifetime (the promised bound), so still given; the renewal it starts
    // finds the revocation and removes it, well before the lifetime ends.
    assert.ok(check.cached(token, 'users'));
    await check.settled(token, 'users');
    assert.equal(check.cached(token, 'users'), undefined);
    assert.equal(await check.check(token, 'users'), undefined);
  });

  it('keeps the answer it has when a background renewal fails, until its lifetime ends', async () => {
    const { token, session } = await nodeA.sessions.create({ personId, audience: 'users' });
    let failing = false;
    const resolve = nodeA.sessions.resolve.bind(nodeA.sessions);
    const flaky = Object.create(nodeA.sessions, {
      resolve: { value: (t: string, a: 'users' | 'agents') => (failing ? Promise.reject(new Error('database away')) : resolve(t, a)) },
    });
    let nowMs = 0;
    const check = new SessionCheck(flaky, nodeA.people, nodeA.clock, { ttlMs: 900, monotonicMs: () => nowMs });
    assert.ok(await check.check(token, 'users'));
    failing = true;
    nowMs = 600;
    assert.equal(check.cached(token, 'users')?.session.id, session.id);
    await check.settled(token, 'users');
    assert.equal(check.cached(token, 'users')?.session.id, session.id, 'still within its lifetime');
    nowMs = 900;
    assert.equal(check.cached(token, 'users'), undefined);
    await assert.rejects(check.check(token, 'users'), /database away/, 'past it, the request itself meets the failure');
  });

  it('keeps at most the configured number of sessions in memory', async () => {
    const tiny = new SessionCheck(nodeA.sessions, nodeA.people, nodeA.clock, { maxEntries: 2 });
    const tokens = [];
    for (let i = 0; i < 3; i++) tokens.push((await nodeA.sessions.create({ personId, audience: 'users' })).token);
    for (const token of tokens) assert.ok(await tiny.check(token, 'users'));
    assert.equal(tiny.size, 2);
    // The oldest was pushed out; asking again still answers, from the database.
    assert.ok(await tiny.check(tokens[0]!, 'users'));
    assert.equal(tiny.size, 2);
  });
});
