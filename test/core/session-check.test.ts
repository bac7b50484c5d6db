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
