import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { accountCounts } from '../helpers/counts.ts';
import { csrfOf } from '../helpers/pages.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// Issue 15, part 3: the first admin without the CLI. While no admin exists the server prints a
// link with a one-time token; /setup with it creates the first admin, then is gone for good.
// Two nodes on one database: each printed its own link, either works, only one admin results.
const PASSWORD = 'correct horse battery staple';
const tokenOf = (link: URL) => link.searchParams.get('token')!;

describe('first-run setup (/setup)', () => {
  let node: TestServer;
  let otherNode: TestServer;
  let link: URL;
  let otherLink: URL;

  before(async () => {
    node = await startTestServer();
    otherNode = await startTestServer({ database: node.services.db });
    link = (await node.services.setup.issueLinkIfNoAdmin())!;
    otherLink = (await otherNode.services.setup.issueLinkIfNoAdmin())!;
  });
  after(async () => {
    await otherNode.close();
    await node.close();
  });

  it('is a link under PUBLIC_URL with a random token, kept in the database only as a hash', async () => {
    assert.equal(link.origin + link.pathname, 'http://localhost:8080/setup');
    assert.match(tokenOf(link), /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(tokenOf(link), tokenOf(otherLink));
    const stored = await node.services.db.query<{ token_hash: Buffer }>('SELECT token_hash FROM setup_tokens');
    assert.equal(stored.length, 2);
    for (const row of stored) assert.ok(!row.token_hash.toString('latin1').includes(tokenOf(link)));
  });

  it('without a token, or with a wrong one, answers setup.token_invalid (404) and shows no form', async () => {
    for (const path of ['/setup', '/setup?token=', `/setup?token=${tokenOf(link).slice(0, -1)}x`]) {
      const answer = await node.client().get(path);
      assert.equal(answer.status, 404, path);
      assert.match(answer.text, /setup\.token_invalid/);
      assert.doesNotMatch(answer.text, /name="password"/);
    }
  });

  it('refuses, creating nothing: a post without CSRF, with a wrong token, or breaking the password rules', async () => {
    const before = await accountCounts(node.services.db);
    const browser = node.client();
    const form = await browser.get(`/setup?token=${tokenOf(link)}`);
    assert.equal(form.status, 200);
    assert.match(form.text, /name="password"/);
    assert.equal(form.headers.get('cache-control'), 'no-store');
    const csrf = csrfOf(form.text);
    const fields = { _csrf: csrf, token: tokenOf(link), name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD };

    const forged = await node.client().postForm('/setup', { ...fields, _csrf: 'x' });
    assert.equal(forged.status, 403);
    assert.match(forged.text, /request\.csrf_invalid/);
    const wrong = await browser.postForm('/setup', { ...fields, token: 'not-the-token' });
    assert.equal(wrong.status, 404);
    assert.match(wrong.text, /setup\.token_invalid/);
    const weak = await browser.postForm('/setup', { ...fields, password: 'password' });
    assert.equal(weak.status, 400);
    assert.match(weak.text, /password\.too_(short|common)/);
    assert.match(weak.text, /name="password"/, 'the form again, to correct it');
    const badEmail = await browser.postForm('/setup', { ...fields, email: 'not an email' });
    assert.equal(badEmail.status, 400);

    assert.deepEqual(await accountCounts(node.services.db), before);
    assert.equal(await node.services.setup.adminExists(), false);
    assert.equal((await node.client().get(`/setup?token=${tokenOf(link)}`)).status, 200, 'the token is still good');
  });

  it('creates the first admin, who signs in; then every link is gone for good (410), on every node', async () => {
    const browser = otherNode.client();
    const form = await browser.get(`/setup?token=${tokenOf(otherLink)}`);
    const done = await browser.postForm('/setup', { _csrf: csrfOf(form.text), token: tokenOf(otherLink), name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD });
    assert.equal(done.status, 201);
    assert.match(done.text, /Frontdoor is set up/);
    const ada = (await node.services.people.findForSignIn('agents', 'ada@example.com'))!.person;
    assert.equal(ada.isAdmin, true);
    const audit = await node.services.audit.list({ action: 'person.created', limit: 1 });
    assert.equal(audit[0]!.details.firstRunSetup, true);

    const admin = node.client();
    assert.equal((await admin.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
    assert.equal((await admin.get('/admin/apps')).status, 200);

    // Used: the same link again, the other node's link, a fresh link: all refused, nothing created.
    const before = await accountCounts(node.services.db);
    for (const [server, token] of [[otherNode, tokenOf(otherLink)], [node, tokenOf(link)], [node, '']] as const) {
      const page = await server.client().get(`/setup?token=${token}`);
      assert.equal(page.status, 410);
      assert.match(page.text, /setup\.complete/);
    }
    const late = node.client();
    const replay = await late.postForm('/setup', { _csrf: await late.csrfFrom('/login'), token: tokenOf(link), name: 'Mallory', email: 'mallory@example.com', password: PASSWORD });
    assert.equal(replay.status, 410);
    assert.deepEqual(await accountCounts(node.services.db), before);
    assert.equal(await node.services.setup.issueLinkIfNoAdmin(), null, 'no new link once an admin exists');
  });
});

describe('first-run setup, two people at once with two links', () => {
  it('makes exactly one first admin', async () => {
    const node = await startTestServer();
    const otherNode = await startTestServer({ database: node.services.db });
    try {
      const links = [(await node.services.setup.issueLinkIfNoAdmin())!, (await otherNode.services.setup.issueLinkIfNoAdmin())!];
      const attempts = await Promise.all([node, otherNode].map(async (server, i) => {
        const browser = server.client();
        const form = await browser.get(`/setup?token=${tokenOf(links[i]!)}`);
        return browser.postForm('/setup', { _csrf: csrfOf(form.text), token: tokenOf(links[i]!), name: `Admin ${i}`, email: `admin${i}@example.com`, password: PASSWORD });
      }));
      assert.deepEqual(attempts.map((a) => a.status).sort(), [201, 410]);
      const [row] = await node.services.db.query<{ n: number }>("SELECT count(*)::int AS n FROM people WHERE audience = 'agents' AND is_admin");
      assert.equal(row!.n, 1);
    } finally {
      await otherNode.close();
      await node.close();
    }
  });
});
