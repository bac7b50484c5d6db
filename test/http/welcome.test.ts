import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// Issue 15, part 4: the first visit says what to do next, and the note goes once it is done.
const PASSWORD = 'correct horse battery staple';
const cli = { type: 'cli' } as const;

describe('the welcome on a fresh installation', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await server.services.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
  });
  after(() => server.close());

  it('the Help Center says what to do next until the first article exists', async () => {
    const first = await server.client().get('/');
    assert.equal(first.status, 200);
    assert.match(first.text, /Welcome: this Help Center has no articles yet/);
    assert.match(first.text, /href="\/admin\/articles"/);
    await server.services.articles.create({ title: 'Resetting your password', body: 'Use the link.', usergroupIds: [] });
    const later = await server.client().get('/');
    assert.doesNotMatch(later.text, /Welcome/);
    // An article only some groups may read: anonymous visitors see none, but no welcome either.
    assert.match(later.text, /Resetting your password|No articles to show/);
  });

  it('the admin console lists the next steps, checks each off when done, and goes away when all are', async () => {
    const admin = server.client();
    assert.equal((await admin.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
    await server.services.db.query('DELETE FROM articles');
    const fresh = await admin.get('/admin/apps');
    assert.match(fresh.text, /Welcome: what to do next/);
    assert.match(fresh.text, /Install an auth app/);
    assert.doesNotMatch(fresh.text, /<strong>done<\/strong>/);

    await server.services.articles.create({ title: 'First', body: 'Hello', usergroupIds: [] });
    const half = await admin.get('/admin/apps');
    assert.match(half.text, /<s><a href="\/admin\/articles\/new">Add articles<\/a>.*<\/s> <strong>done<\/strong>/s);

    await server.services.apps.create({ audience: 'users', type: 'oidc', slug: 'google-ish', config: { issuer: 'https://idp.invalid', clientId: 'c', clientSecret: 's' } }, cli);
    const done = await admin.get('/admin/apps');
    assert.equal(done.status, 200);
    assert.doesNotMatch(done.text, /Welcome/);
  });
});
