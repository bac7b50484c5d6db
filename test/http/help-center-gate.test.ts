import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const oidc = { issuer: 'https://idp.example.com', clientId: 'frontdoor', clientSecret: 'frontdoor-secret' };

describe('Help Center gate', () => {
  let server: TestServer;
  let ids: { everyone: string; registered: string; vip: string; publicArticle: string; membersArticle: string; vipArticle: string };

  before(async () => {
    server = await startTestServer();
    const s = server.services;
    const everyone = await s.usergroups.systemGroupId('everyone');
    const registered = await s.usergroups.systemGroupId('registered');
    const vip = (await s.usergroups.create('VIP')).id;
    const publicArticle = (await s.articles.create({ title: 'Public how-to', body: 'For everyone', usergroupIds: [everyone] })).id;
    const membersArticle = (await s.articles.create({ title: 'Members guide', body: 'Signed-in only', usergroupIds: [registered] })).id;
    const vipArticle = (await s.articles.create({ title: 'VIP pricing', body: 'VIP only', usergroupIds: [vip] })).id;
    ids = { everyone, registered, vip, publicArticle, membersArticle, vipArticle };
    await s.people.create({ audience: 'users', name: 'Ann', email: 'ann@example.com', password: 'correct horse battery' });
    await s.people.create({ audience: 'users', name: 'Vic', email: 'vic@example.com', password: 'correct horse battery', usergroupIds: [vip] });
  });
  after(async () => {
    await server.close();
  });

  it('shows anonymous visitors only what Everyone grants', async () => {
    const home = await server.client().get('/');
    assert.equal(home.status, 200);
    assert.match(home.text, /Public how-to/);
    assert.doesNotMatch(home.text, /Members guide|VIP pricing/);
    assert.equal((await server.client().get(`/articles/${ids.publicArticle}`)).status, 200);
  });

  it('sends an anonymous visitor of a gated article to sign-in and back', async () => {
    const response = await server.client().get(`/articles/${ids.membersArticle}`);
    assert.equal(response.status, 302);
    assert.equal(response.location, `/login?return_to=${encodeURIComponent(`/articles/${ids.membersArticle}`)}`);
  });

  it('shows signed-in Users what Registered and their own groups grant', async () => {
    const ann = server.client();
    await ann.signIn('ann@example.com', 'correct horse battery');
    const home = await ann.get('/');
    assert.match(home.text, /Public how-to/);
    assert.match(home.text, /Members guide/);
    assert.doesNotMatch(home.text, /VIP pricing/);
    const refused = await ann.get(`/articles/${ids.vipArticle}`);
    assert.equal(refused.status, 404);
    assert.match(refused.text, /article\.not_found/);

    const vic = server.client();
    await vic.signIn('vic@example.com', 'correct horse battery');
    assert.match((await vic.get('/')).text, /VIP pricing/);
    assert.equal((await vic.get(`/articles/${ids.vipArticle}`)).status, 200);
  });

  it('answers an unknown or malformed article id with a 404 page', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', '%27%20OR%201=1']) {
      const response = await server.client().get(`/articles/${id}`);
      assert.equal(response.status, 404, id);
      assert.match(response.headers.get('content-type') ?? '', /text\/html/);
    }
  });

  it('with an Automatic app on Users, hides all content from anonymous visitors', async () => {
    const s = server.services;
    const app = await s.apps.create({ audience: 'users', type: 'oidc', slug: 'corp-sso', sso: 'automatic', config: oidc }, { type: 'cli' });
    try {
      for (const path of ['/', `/articles/${ids.publicArticle}`, '/login']) {
        const response = await server.client().get(path);
        assert.equal(response.status, 302, path);
        const expected = path === '/login' ? '/' : path;
        assert.equal(response.location, `/sso/corp-sso/start?return_to=${encodeURIComponent(expected)}`, path);
        assert.doesNotMatch(response.text, /Public how-to/);
      }
      // A signed-in User still reads as before (their session predates nothing: sign in directly).
      const { token } = await s.sessions.create({ personId: (await s.people.findForSignIn('users', 'ann@example.com'))!.person.id, audience: 'users' });
      const ann = server.client();
      ann.cookies.set('fd_session_users', token);
      const home = await ann.get('/');
      assert.equal(home.status, 200);
      assert.match(home.text, /Members guide/);
      // The Agents audience is not gated by a Users app.
      assert.equal((await server.client().get('/agent/login')).status, 200);
    } finally {
      await s.apps.update(app.id, { sso: 'disabled' }, { type: 'cli' });
      await s.apps.remove(app.id, { type: 'cli' });
    }
    assert.equal((await server.client().get('/')).status, 200, 'content is public again once the app is not Automatic');
  });

  it('an Automatic app on Agents does not gate the Help Center', async () => {
    const s = server.services;
    const app = await s.apps.create({ audience: 'agents', type: 'oidc', slug: 'staff-sso', sso: 'automatic', config: oidc }, { type: 'cli' });
    try {
      assert.equal((await server.client().get('/')).status, 200);
      const agentLogin = await server.client().get('/agent/login');
      assert.equal(agentLogin.status, 302);
      assert.equal(agentLogin.location, `/sso/staff-sso/start?return_to=${encodeURIComponent('/agent')}`);
    } finally {
      await s.apps.update(app.id, { sso: 'disabled' }, { type: 'cli' });
      await s.apps.remove(app.id, { type: 'cli' });
    }
  });

  it('escapes article content', async () => {
    const everyone = ids.everyone;
    const article = await server.services.articles.create({ title: '<script>alert(1)</script>', body: '<img src=x onerror=alert(1)>', usergroupIds: [everyone] });
    const page = await server.client().get(`/articles/${article.id}`);
    assert.doesNotMatch(page.text, /<script>alert|<img src=x/);
    assert.match(page.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    await server.services.articles.remove(article.id);
  });
});
