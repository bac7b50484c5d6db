import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedScale } from '../../bench/lib/seed-scale.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';

// Every admin list pages by cursor (issue 20): the answer's `next` (and its Link header) is
// the whole next request; following it from the first page visits every row once, in the
// list's order, whatever the filters; the console's lists follow the same cursors.
describe('admin lists, page by page', () => {
  let server: TestServer;
  let key: string;
  const api = (path: string) => server.client().get(path, { authorization: `Bearer ${key}` });

  /** Every row of a list, following `next` from `first`. */
  async function walk(first: string, field: string): Promise<{ rows: any[]; pages: number }> {
    const rows: any[] = [];
    let path: string | null = first;
    let pages = 0;
    while (path) {
      const response = await api(path);
      assert.equal(response.status, 200, path);
      rows.push(...response.json[field]);
      pages += 1;
      const next = response.json.next as string | null;
      if (next) assert.equal(response.headers.get('link'), `<${next}>; rel="next"`);
      else assert.equal(response.headers.get('link'), null);
      path = next;
    }
    return { rows, pages };
  }

  before(async () => {
    server = await startTestServer();
    await seedScale(server.services.db, { people: 260, sessions: 300, traces: 130, audit: 450 });
    await server.services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    key = (await server.services.apiKeys.create('tests', null)).key;
  });
  after(async () => server.close());

  it('people: every User once, oldest first, across pages; a search pages too', async () => {
    const { rows, pages } = await walk('/api/v1/users?limit=100', 'people');
    const n = (await server.services.db.query<{ n: number }>("SELECT count(*)::int AS n FROM people WHERE audience = 'users'"))[0]!.n;
    assert.equal(rows.length, n);
    assert.equal(pages, Math.ceil(n / 100));
    assert.equal(new Set(rows.map((p) => p.id)).size, rows.length, 'no one twice');
    assert.deepEqual(rows.map((p) => p.createdAt), rows.map((p) => p.createdAt).sort(), 'oldest first');
    assert.ok(rows.every((p) => p.emails.length === 1), 'with their lists');
    const search = await walk('/api/v1/users?query=Lovelace&limit=7', 'people');
    assert.ok(search.pages > 1);
    assert.ok(search.rows.length > 0 && search.rows.every((p) => p.name.includes('Lovelace')));
    assert.equal(search.rows.length, rows.filter((p) => p.name.includes('Lovelace')).length, 'every match, once');
  });

  it('a search with an @ finds every substring match, in names and any case of email (migration 0011 narrows, never drops)', async () => {
    const people = [
      { name: 'Jane Doe', email: 'Jane.Doe@Acme.test' },
      { name: 'Another Jane', email: 'xjane.doe@acme.testing' },
      { name: 'Forwarder for jane.doe@acme.test', email: 'forwarder@example.com' },
      { name: 'Not her', email: 'jane.doe2@acme.test' },
    ];
    for (const person of people) await server.services.people.create({ audience: 'users', ...person });
    const names = async (query: string) => (await walk(`/api/v1/users?query=${encodeURIComponent(query)}`, 'people')).rows.map((p) => p.name).sort();
    assert.deepEqual(await names('JANE.DOE@acme.test'), ['Another Jane', 'Forwarder for jane.doe@acme.test', 'Jane Doe']);
    assert.deepEqual(await names('e.doe@'), ['Another Jane', 'Forwarder for jane.doe@acme.test', 'Jane Doe']);
    assert.deepEqual(await names('@acme.test'), ['Another Jane', 'Forwarder for jane.doe@acme.test', 'Jane Doe', 'Not her']);
    assert.deepEqual(await names('doe2@acme'), ['Not her']);
  });

  it('sessions, SSO traces and audit: every row once, newest first, filters kept in the next link', async () => {
    const sessions = await walk('/api/v1/sessions?audience=users&limit=40', 'sessions');
    assert.ok(sessions.pages > 1);
    assert.equal(new Set(sessions.rows.map((s) => s.id)).size, sessions.rows.length);
    assert.ok(sessions.rows.every((s) => s.audience === 'users'));
    assert.deepEqual(sessions.rows.map((s) => s.createdAt), sessions.rows.map((s) => s.createdAt).sort().reverse());

    const traces = await walk('/api/v1/sso-traces?outcome=success&limit=50', 'traces');
    assert.equal(traces.rows.length, 130 - Math.floor(130 / 50));
    assert.ok(traces.rows.every((t) => t.outcome === 'success'));

    const audit = await walk('/api/v1/audit?action=signin.*&limit=100', 'events');
    const n = (await server.services.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_events WHERE action LIKE 'signin.%'"))[0]!.n;
    assert.equal(audit.rows.length, n);
    assert.deepEqual(audit.rows.map((e) => BigInt(e.id)), audit.rows.map((e) => BigInt(e.id)).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));
    // The older way, an event id in `before`, still pages.
    const older = await api(`/api/v1/audit?before=${audit.rows[9].id}&action=signin.*&limit=5`);
    assert.deepEqual(older.json.events.map((e: { id: string }) => e.id), audit.rows.slice(10, 15).map((e) => e.id));
  });

  it('refuses offset, a cursor not made by the list, and a search too short to use an index, with request.invalid', async () => {
    for (const path of ['/api/v1/users?offset=100', '/api/v1/users?after=bm90LWEtY3Vyc29y', '/api/v1/audit?after=WyJ4Il0', '/api/v1/agents?query=ab']) {
      const response = await api(path);
      assert.equal(response.status, 400, path);
      assert.equal(response.json.error.code, 'request.invalid', path);
    }
  });

  it('the console pages People, the audit log and SSO traces with the same cursors', async () => {
    const admin = server.client();
    await admin.signIn('ada@example.com', PASSWORD, 'agents');
    const first = await admin.get('/admin/people/users');
    const nextHref = /href="(\/admin\/people\/users\?after=[^"]+)">Next page/.exec(first.text)?.[1];
    assert.ok(nextHref, 'a Next page link');
    const second = await admin.get(nextHref.replaceAll('&amp;', '&'));
    assert.equal(second.status, 200);
    const idsOf = (text: string) => [...text.matchAll(/href="\/admin\/people\/users\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
    assert.equal(idsOf(first.text).filter((id) => idsOf(second.text).includes(id)).length, 0, 'the second page is other people');
    const short = await admin.get('/admin/people/users?query=ab');
    assert.match(short.text, /at least 3 characters/);
    assert.match((await admin.get('/admin/audit')).text, /href="\/admin\/audit\?after=[^"]+">Older events/);
    const traces = await admin.get('/admin/sso-traces?audience=users');
    assert.match(traces.text, /href="\/admin\/sso-traces\?audience=users&amp;after=[^"]+">Older traces/);
  });
});
