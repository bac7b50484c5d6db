import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateJwtSharedSecret } from '../../src/protocols/jwt/keys.ts';
import { errorCodeOf } from '../helpers/jwt.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';

// Care in the admin console (issue 18 part 4): destructive actions are confirmed on a page that
// names what they take with them, the audit log names people and things and links to them,
// error pages keep the signed-in header, and half-finished sign-ins are marked in session lists.
describe('admin console: care', () => {
  let server: TestServer;
  let admin: TestClient;
  let adaId: string;
  const submit = async (page: string, action: string, fields: Record<string, string>) =>
    admin.postForm(action, { _csrf: await admin.csrfFrom(page), ...fields });

  before(async () => {
    server = await startTestServer();
    adaId = (await server.services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true })).id;
    admin = server.client();
    assert.equal((await admin.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
  });
  after(async () => {
    await server.close();
  });

  it('deleting a usergroup names its members and the articles that become admins-only, and needs the confirmation', async () => {
    const s = server.services;
    const vip = await s.usergroups.create('VIP');
    const registered = await s.usergroups.systemGroupId('registered');
    const only = await s.articles.create({ title: 'VIP hotline', body: 'Call us.', usergroupIds: [vip.id] });
    await s.articles.create({ title: 'Shared guide', body: 'Read me.', usergroupIds: [vip.id, registered] });
    await s.people.create({ audience: 'users', name: 'Val', email: 'val@example.com', usergroupIds: [vip.id] });
    await s.people.create({ audience: 'users', name: 'Vic', email: 'vic@example.com', usergroupIds: [vip.id] });

    const list = await admin.get('/admin/usergroups');
    assert.match(list.text, new RegExp(`<a class="button danger" href="/admin/usergroups/${vip.id}/remove">Delete VIP</a>`));
    const confirm = await admin.get(`/admin/usergroups/${vip.id}/remove`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, /2 members lose what it grants/);
    assert.match(confirm.text, new RegExp(`1 article only it may read becomes admins-only: <a href="/admin/articles/${only.id}">VIP hotline</a>`));
    assert.match(confirm.text, /1 other article keeps its other readers/);

    // A POST without the confirmation (a stale form, a forged click) only leads to the page.
    const unconfirmed = await submit('/admin/usergroups', `/admin/usergroups/${vip.id}/remove`, {});
    assert.equal(unconfirmed.status, 303);
    assert.equal(unconfirmed.location, `/admin/usergroups/${vip.id}/remove`);
    assert.ok((await s.usergroups.list()).some((g) => g.id === vip.id));

    const confirmed = await submit(`/admin/usergroups/${vip.id}/remove`, `/admin/usergroups/${vip.id}/remove`, { confirm: 'yes' });
    assert.equal(confirmed.status, 303);
    assert.ok(!(await s.usergroups.list()).some((g) => g.id === vip.id));

    const builtIn = await admin.get(`/admin/usergroups/${registered}/remove`);
    assert.equal(builtIn.status, 409);
    assert.equal(errorCodeOf(builtIn), 'usergroup.system');
  });

  it('removing an auth app is confirmed: its page names the people who lose their link and the login form coming back', async () => {
    const s = server.services;
    const app = await s.apps.create({ audience: 'users', type: 'jwt', slug: 'to-remove', sso: 'automatic', config: { remoteLoginUrl: 'https://idp.example.com/', sharedSecret: generateJwtSharedSecret() } }, { type: 'cli' });
    const detail = await admin.get(`/admin/apps/${app.id}`);
    assert.match(detail.text, new RegExp(`<a class="button danger" href="/admin/apps/${app.id}/remove">Remove this app</a>`));
    const confirm = await admin.get(`/admin/apps/${app.id}/remove`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, /0 people keep their accounts but lose the link/);
    assert.match(confirm.text, /the login form comes back for everyone/);
    const unconfirmed = await submit(`/admin/apps/${app.id}`, `/admin/apps/${app.id}/remove`, {});
    assert.equal(unconfirmed.status, 303);
    assert.equal(unconfirmed.location, `/admin/apps/${app.id}/remove`);
    assert.ok(await s.apps.find(app.id), 'nothing removed without the confirmation');
    const removed = await submit(`/admin/apps/${app.id}/remove`, `/admin/apps/${app.id}/remove`, { confirm: 'yes' });
    assert.equal(removed.status, 303);
    assert.equal(await s.apps.find(app.id), undefined);
    assert.equal((await s.audit.list({ action: 'app.removed' }))[0]?.target?.id, app.id);
  });

  it('disabling a person says how many sessions end; taking admin rights is confirmed and the last admin keeps them', async () => {
    const una = await server.services.people.create({ audience: 'users', name: 'Una', email: 'una@example.com', password: PASSWORD });
    await server.client().signIn('una@example.com', PASSWORD);
    const confirm = await admin.get(`/admin/people/users/${una.id}/disable`);
    assert.match(confirm.text, /Disable Una\?/);
    assert.match(confirm.text, /1 live session ends at once/);
    assert.equal((await server.services.people.require(una.id)).disabled, false);

    const old = await submit(`/admin/people/agents/${adaId}`, `/admin/people/agents/${adaId}/admin`, { isAdmin: 'no' });
    assert.equal(old.location, `/admin/people/agents/${adaId}/admin/remove`);
    const last = await submit(`/admin/people/agents/${adaId}/admin/remove`, `/admin/people/agents/${adaId}/admin/remove`, { confirm: 'yes' });
    assert.equal(last.status, 409);
    assert.equal(errorCodeOf(last), 'person.last_admin');
    assert.equal((await server.services.people.require(adaId)).isAdmin, true);
  });

  it('the audit log names people and things, with links, and says when one is gone', async () => {
    const group = await server.services.usergroups.create('Ephemeral');
    const kept = await server.services.usergroups.create('Kept');
    await submit('/admin/usergroups', `/admin/usergroups/${kept.id}/rename`, { name: 'Kept group' });
    await submit(`/admin/usergroups/${group.id}/remove`, `/admin/usergroups/${group.id}/remove`, { confirm: 'yes' });
    const page = await admin.get('/admin/audit?action=usergroup.*');
    assert.match(page.text, new RegExp(`<a href="/admin/people/agents/${adaId}">Ada Admin</a>`));
    assert.match(page.text, /usergroup <a href="\/admin\/usergroups">Kept group<\/a>/);
    assert.match(page.text, new RegExp(`usergroup <span class="muted">\\(no longer exists\\)</span> <code title="${group.id}">`));
  });

  it('error pages keep the signed-in header', async () => {
    const missing = await admin.get('/admin/nothing-here');
    assert.equal(missing.status, 404);
    assert.match(missing.text, /Signed in as ada@example.com/);
    assert.doesNotMatch(missing.text, />Sign in</);
    const anonymous = await server.client().get('/nothing-here');
    assert.match(anonymous.text, />Sign in</);
  });

  it('marks a session waiting for its second factor in the person\'s session list', async () => {
    const tess = await server.services.people.create({ audience: 'users', name: 'Tess', email: 'tess@example.com', password: PASSWORD });
    await server.services.sessions.create({ personId: tess.id, audience: 'users', restriction: 'second_factor' });
    await server.services.sessions.create({ personId: tess.id, audience: 'users' });
    const page = await admin.get(`/admin/people/users/${tess.id}`);
    assert.equal(page.text.match(/second factor pending/g)?.length, 1);
  });

  it('a result address opened with a GET (a reload, a bookmark) leads back to its page instead of 404', async () => {
    const una = (await server.services.people.findForSignIn('users', 'una@example.com'))!.person;
    for (const [path, to] of [
      ['/admin/people/users/import/apply', '/admin/people/users/import'],
      [`/admin/people/users/${una.id}/profile`, `/admin/people/users/${una.id}`],
      ['/agent/account/2fa/confirm', '/agent/account'],
      ['/agent/account/2fa/recovery-codes', '/agent/account'],
    ] as const) {
      const response = await admin.get(path);
      assert.equal(response.status, 303, path);
      assert.equal(response.location, to);
    }
    const user = server.client();
    const setup = await user.get('/account/2fa/setup');
    assert.equal(setup.status, 303);
    assert.equal(setup.location, '/account');
    // The console's fallbacks sit behind its admin check like every console page.
    assert.equal((await server.client().get('/admin/people/users/import/apply')).status, 302);
  });
});
