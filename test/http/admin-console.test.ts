import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent } from '../../src/core/audit.ts';
import { generateJwtSharedSecret } from '../../src/protocols/jwt/keys.ts';
import { base32Decode, totpCode } from '../../src/core/credentials/totp.ts';
import { accountCounts } from '../helpers/counts.ts';
import { claimsAt, errorCodeOf, signToken } from '../helpers/jwt.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';
const cli = { type: 'cli' } as const;

// The admin console over HTTP: who may open it, that each section's forms change what they
// say and leave the same audit rows as the admin API, and that a refusal re-renders the page
// with the stable code and changes nothing.
describe('admin console', () => {
  let server: TestServer;
  let admin: TestClient;
  let adaId: string;

  /** A form of the console, posted with this browser's CSRF token (taken from `page`). */
  const submit = async (client: TestClient, page: string, action: string, fields: Record<string, string>) =>
    client.postForm(action, { _csrf: await client.csrfFrom(page), ...fields });
  const lastAudit = async (action: string): Promise<AuditEvent | undefined> => (await server.services.audit.list({ action, limit: 1 }))[0];

  before(async () => {
    server = await startTestServer();
    const s = server.services;
    adaId = (await s.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true })).id;
    await s.people.create({ audience: 'agents', name: 'Bob Agent', email: 'bob@example.com', password: PASSWORD });
    await s.people.create({ audience: 'users', name: 'Una User', email: 'una@example.com', password: PASSWORD });
    admin = server.client();
    assert.equal((await admin.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
  });
  after(async () => {
    await server.close();
  });

  describe('access', () => {
    it('sends an anonymous visitor to the agent sign-in and back', async () => {
      const response = await server.client().get('/admin/people/users?query=x');
      assert.equal(response.status, 302);
      assert.equal(response.location, `/agent/login?return_to=${encodeURIComponent('/admin/people/users?query=x')}`);
    });

    it('refuses a Help Center session with auth.wrong_audience', async () => {
      const user = server.client();
      await user.signIn('una@example.com', PASSWORD);
      const response = await user.get('/admin/apps');
      assert.equal(response.status, 403);
      assert.equal(errorCodeOf(response), 'auth.wrong_audience');
    });

    it('refuses an agent who is not an admin with auth.forbidden, on pages and forms', async () => {
      const agent = server.client();
      await agent.signIn('bob@example.com', PASSWORD, 'agents');
      const page = await agent.get('/admin/apps');
      assert.equal(page.status, 403);
      assert.equal(errorCodeOf(page), 'auth.forbidden');
      const token = (await agent.apiCsrfHeader())['x-csrf-token']!;
      const post = await agent.postForm('/admin/usergroups', { _csrf: token, name: 'Sneaky' });
      assert.equal(post.status, 403);
      assert.equal(errorCodeOf(post), 'auth.forbidden');
      assert.ok(!(await server.services.usergroups.list()).some((g) => g.name === 'Sneaky'));
    });

    it('refuses a form without this browser\'s CSRF token, and changes nothing', async () => {
      const forged = await admin.postForm('/admin/usergroups', { name: 'Forged' });
      assert.equal(forged.status, 403);
      assert.equal(errorCodeOf(forged), 'request.csrf_invalid');
      const otherBrowser = await server.client().csrfFrom('/agent/login');
      const wrong = await admin.postForm('/admin/usergroups', { _csrf: otherBrowser, name: 'Forged' });
      assert.equal(wrong.status, 403);
      assert.ok(!(await server.services.usergroups.list()).some((g) => g.name === 'Forged'));
    });
  });

  describe('auth apps', () => {
    it('lists both audiences with the password apps and installs a JWT app from the catalogue, showing its secret once', async () => {
      const list = await admin.get('/admin/apps');
      assert.equal(list.status, 200);
      assert.match(list.text, /Users \(Help Center\)/);
      assert.match(list.text, /Agents \(agent console\)/);

      const catalogue = await admin.get('/admin/apps/new?audience=users&type=jwt');
      assert.match(catalogue.text, /name="config.remoteLoginUrl"/);
      const installed = await submit(admin, '/admin/apps/new?audience=users&type=jwt', '/admin/apps', {
        audience: 'users', type: 'jwt', name: 'Our website', slug: 'website', enabled: 'on', showButton: 'on', displayOrder: '2',
        'config.remoteLoginUrl': 'https://www.example.com/login', 'config.algorithms': 'HS256',
      });
      // POST-redirect-GET: the secret is kept for this session for 15 minutes, so a reload shows
      // it again instead of installing a second app.
      assert.equal(installed.status, 303, installed.text);
      const location = installed.location!;
      assert.match(location, /^\/admin\/apps\/[0-9a-f-]{36}\/shared-secret\?installed=1$/);
      const shown = await admin.get(location);
      assert.match(shown.text, /The app is installed/);
      assert.match(shown.text, /shared secret, shown to you until/i);
      const secret = /value="([A-Za-z0-9_-]{40,})"/.exec(shown.text)?.[1];
      assert.ok(secret, 'the secret is on the page');
      assert.match((await admin.get(location)).text, new RegExp(secret!), 'a reload shows it again');
      assert.equal((await server.services.apps.list()).filter((a) => a.slug === 'website').length, 1);
      const installed2 = shown;
      assert.match(installed2.text, /\/sso\/website\/jwt/, 'the JWT endpoint to give the signing site');
      assert.match(installed2.text, /Frontdoor treats it as verified \(you vouch for that site\)/, 'the email trust is said plainly');
      const app = await server.services.apps.require('website');
      assert.equal(app.name, 'Our website');
      assert.equal(app.displayOrder, 2);
      assert.deepEqual(app.secretsSet, ['sharedSecret']);
      const row = await lastAudit('app.created');
      assert.equal(row?.target?.id, app.id);
      assert.deepEqual(row?.actor, { type: 'person', id: adaId });
      assert.doesNotMatch((await admin.get(`/admin/apps/${app.id}`)).text, /shown to you until/, 'the app page itself does not show the secret');
    });

    it('shows the SAML values to copy into the identity service', async () => {
      const app = await server.services.apps.create({
        audience: 'agents', type: 'saml', slug: 'corp-saml',
        config: { idpMetadataUrl: 'https://idp.example.com/metadata' },
      }, cli);
      const page = await admin.get(`/admin/apps/${app.id}`);
      assert.match(page.text, /SP entity id/);
      assert.match(page.text, /\/sso\/corp-saml\/saml\/acs/);
      assert.match(page.text, /\/sso\/corp-saml\/saml\/metadata/);
      assert.match(page.text, new RegExp(`action="/admin/apps/${app.id}/test-sign-in" target="_blank"`), 'the test sign-in opens in a new tab');
    });

    it('re-renders a bad install with the code and the field at fault, and installs nothing', async () => {
      const before = (await server.services.apps.list()).length;
      const response = await submit(admin, '/admin/apps/new?audience=users&type=oidc', '/admin/apps', {
        audience: 'users', type: 'oidc', name: 'Broken', enabled: 'on', 'config.issuer': 'ftp://idp.example.com', 'config.clientId': 'abc',
      });
      assert.equal(response.status, 400);
      assert.equal(errorCodeOf(response), 'app.config_invalid');
      assert.match(response.text, /class="field-error" id="f-config-issuer-error"><code>config.issuer<\/code>/);
      assert.match(response.text, /value="Broken"/, 'what was typed is kept');
      assert.equal((await server.services.apps.list()).length, before);
    });

    it('edits an app and audits it', async () => {
      const app = await server.services.apps.require('website');
      const response = await submit(admin, `/admin/apps/${app.id}`, `/admin/apps/${app.id}`, {
        name: 'Our web site', enabled: 'on', displayOrder: '5', 'config.buttonText': 'Sign in with our site', 'config.remoteLoginUrl': 'https://www.example.com/signin',
        'config.algorithms': 'HS256',
      });
      assert.equal(response.status, 303, response.text);
      assert.equal(response.location, `/admin/apps/${app.id}?notice=saved`);
      const changed = await server.services.apps.require(app.id);
      assert.equal(changed.name, 'Our web site');
      assert.equal(changed.showButton, false, 'an unticked box turns the button off');
      assert.equal(changed.config.remoteLoginUrl, 'https://www.example.com/signin');
      assert.deepEqual(changed.secretsSet, ['sharedSecret'], 'the secret left empty keeps its value');
      assert.equal((await lastAudit('app.updated'))?.target?.id, app.id);
    });

    it('runs the Test and shows each check', async () => {
      const app = await server.services.apps.create({
        audience: 'users', type: 'oidc', slug: 'down-idp', config: { issuer: 'http://127.0.0.1:9/', clientId: 'frontdoor', clientSecret: 'shh-secret' },
      }, cli);
      const posted = await submit(admin, `/admin/apps/${app.id}`, `/admin/apps/${app.id}/test`, {});
      assert.equal(posted.status, 303, 'POST-redirect-GET: the report has an address of its own');
      const response = await admin.get(posted.location!);
      assert.equal(response.status, 200);
      assert.match(response.text, /Some checks failed/);
      assert.match(response.text, /<strong>failed<\/strong>/);
      const row = await lastAudit('app.tested');
      assert.equal(row?.target?.id, app.id);
      assert.equal(row?.outcome, 'failure');
    });

    it('refuses Automatic until a test sign-in succeeded, then switches and demotes the previous Automatic app', async () => {
      const s = server.services;
      const secret = generateJwtSharedSecret();
      const previous = await s.apps.create({ audience: 'users', type: 'jwt', slug: 'old-auto', sso: 'automatic', config: { remoteLoginUrl: 'https://old.example.com/', sharedSecret: secret } }, cli);
      const app = await s.apps.create({ audience: 'users', type: 'jwt', slug: 'new-auto', config: { remoteLoginUrl: 'https://www.example.com/', sharedSecret: secret } }, cli);

      const confirm = await admin.get(`/admin/apps/${app.id}/automatic`);
      assert.match(confirm.text, /hidden from anonymous visitors/);
      assert.match(confirm.text, /is demoted/);
      assert.match(confirm.text, /must have an account/);
      assert.match(confirm.text, /no successful test sign-in/);

      const refused = await submit(admin, `/admin/apps/${app.id}/automatic`, `/admin/apps/${app.id}/automatic`, { confirm: 'yes' });
      assert.equal(refused.status, 409);
      assert.equal(errorCodeOf(refused), 'app.test_sign_in_required');
      assert.equal((await s.apps.require(app.id)).sso, 'disabled');
      assert.equal((await s.apps.require(previous.id)).sso, 'automatic');

      // A real JWT sign-in through the app: its trace records the success.
      const token = await signToken(claimsAt(s.clock.now(), { email: 'tess@example.com', external_id: 'tess' }), secret, { alg: 'HS256' });
      const signIn = await server.client().postForm(`/sso/${app.slug}/jwt`, { jwt: token });
      assert.equal(signIn.status, 303, signIn.text);

      const allowed = await submit(admin, `/admin/apps/${app.id}/automatic`, `/admin/apps/${app.id}/automatic`, { confirm: 'yes' });
      assert.equal(allowed.status, 303, allowed.text);
      assert.equal((await s.apps.require(app.id)).sso, 'automatic');
      assert.equal((await s.apps.require(previous.id)).sso, 'disabled');
      const changes = await s.audit.list({ action: 'app.sso_changed', limit: 2 });
      assert.deepEqual(new Set(changes.map((e) => e.target?.id)), new Set([app.id, previous.id]));
      assert.ok(changes.every((e) => e.actor.id === adaId));
      assert.match((await admin.get('/admin/apps')).text, /new-auto|\(the Automatic app\)/);

      const off = await submit(admin, `/admin/apps/${app.id}`, `/admin/apps/${app.id}/sso`, { sso: 'disabled' });
      assert.equal(off.status, 303);
      assert.equal((await s.apps.require(app.id)).sso, 'disabled');
    });
  });

  describe('registration settings', () => {
    it('saves the form and audits it', async () => {
      const response = await submit(admin, '/admin/settings/registration', '/admin/settings/registration', {
        mode: 'agent_approval', everyoneEnabled: 'on', passwordMinLength: '12', 'twoFactor.agents.required': 'on', 'alerts.newDevice': 'on',
      });
      assert.equal(response.status, 303, response.text);
      const settings = await server.services.registration.settings();
      assert.equal(settings.mode, 'agent_approval');
      assert.equal(settings.emailValidation, false);
      assert.equal(settings.passwordMinLength, 12);
      assert.equal(settings.twoFactor.agents.required, true);
      assert.equal(settings.twoFactor.users.required, false);
      assert.equal((await lastAudit('registration.settings_changed'))?.actor.id, adaId);
      // Back to no 2FA for agents, so the other tests' admin sessions stay simple.
      await server.services.registration.updateSettings({ twoFactor: { agents: { required: false } }, mode: 'open' }, cli);
    });

    it('re-renders a bad value with request.invalid and changes nothing', async () => {
      const before = await server.services.registration.settings();
      const response = await submit(admin, '/admin/settings/registration', '/admin/settings/registration', { mode: 'closed', passwordMinLength: '3' });
      assert.equal(response.status, 400);
      assert.equal(errorCodeOf(response), 'request.invalid');
      assert.match(response.text, /id="f-passwordMinLength-error"/);
      assert.deepEqual(await server.services.registration.settings(), before);
    });
  });

  describe('usergroups and articles', () => {
    it('creates, renames and deletes a usergroup, auditing each; a taken name is refused', async () => {
      const created = await submit(admin, '/admin/usergroups', '/admin/usergroups', { name: 'Premium' });
      assert.equal(created.status, 303);
      const group = (await server.services.usergroups.list()).find((g) => g.name === 'Premium')!;
      assert.equal((await lastAudit('usergroup.created'))?.target?.id, group.id);

      const taken = await submit(admin, '/admin/usergroups', '/admin/usergroups', { name: 'Premium' });
      assert.equal(taken.status, 409);
      assert.equal(errorCodeOf(taken), 'usergroup.name_taken');

      assert.equal((await submit(admin, '/admin/usergroups', `/admin/usergroups/${group.id}/rename`, { name: 'Gold' })).status, 303);
      assert.equal((await server.services.usergroups.require(group.id)).name, 'Gold');
      assert.equal((await lastAudit('usergroup.renamed'))?.target?.id, group.id);

      const everyone = await server.services.usergroups.systemGroupId('everyone');
      const system = await submit(admin, '/admin/usergroups', `/admin/usergroups/${everyone}/remove`, { confirm: 'yes' });
      assert.equal(system.status, 409);
      assert.equal(errorCodeOf(system), 'usergroup.system');

      assert.equal((await submit(admin, '/admin/usergroups', `/admin/usergroups/${group.id}/remove`, { confirm: 'yes' })).status, 303);
      assert.ok(!(await server.services.usergroups.list()).some((g) => g.id === group.id));
      assert.equal((await lastAudit('usergroup.removed'))?.target?.id, group.id);
    });

    it('creates and edits an article with its readers', async () => {
      const registered = await server.services.usergroups.systemGroupId('registered');
      const everyone = await server.services.usergroups.systemGroupId('everyone');
      const created = await admin.request('POST', '/admin/articles', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams([['_csrf', await admin.csrfFrom('/admin/articles/new')], ['title', 'Warranty'], ['body', 'Fill the form.'], ['usergroupIds', registered], ['usergroupIds', everyone]]).toString(),
      });
      assert.equal(created.status, 303, created.text);
      const article = (await server.services.articles.list()).find((a) => a.title === 'Warranty')!;
      assert.deepEqual(new Set(article.usergroupIds), new Set([registered, everyone]));
      assert.equal((await lastAudit('article.created'))?.target?.id, article.id);

      const edited = await submit(admin, `/admin/articles/${article.id}`, `/admin/articles/${article.id}`, { title: 'Warranty claims', body: 'Fill it.', usergroupIds: registered });
      assert.equal(edited.status, 303);
      const changed = (await server.services.articles.get(article.id))!;
      assert.equal(changed.title, 'Warranty claims');
      assert.deepEqual(changed.usergroupIds, [registered]);
      assert.equal((await lastAudit('article.updated'))?.target?.id, article.id);

      const empty = await submit(admin, `/admin/articles/${article.id}`, `/admin/articles/${article.id}`, { title: '  ', body: 'x' });
      assert.equal(empty.status, 400);
      assert.equal(errorCodeOf(empty), 'request.invalid');
      assert.equal((await server.services.articles.get(article.id))!.title, 'Warranty claims');
    });
  });

  describe('people', () => {
    it('finds a User, disables them (ending their sessions) and enables them again, audited', async () => {
      const una = (await server.services.people.list({ audience: 'users', query: 'una@' }))[0]!;
      const browser = server.client();
      await browser.signIn('una@example.com', PASSWORD);
      const search = await admin.get('/admin/people/users?query=una');
      assert.match(search.text, new RegExp(`/admin/people/users/${una.id}`));
      const page = await admin.get(`/admin/people/users/${una.id}`);
      assert.match(page.text, /una@example.com/);
      assert.match(page.text, /Revoke/);

      const disabled = await submit(admin, `/admin/people/users/${una.id}`, `/admin/people/users/${una.id}/disable`, { confirm: 'yes' });
      assert.equal(disabled.status, 303);
      assert.equal((await server.services.people.require(una.id)).disabled, true);
      assert.equal((await server.services.sessions.list({ personId: una.id })).length, 0);
      assert.equal((await lastAudit('person.updated'))?.target?.id, una.id);
      assert.equal((await submit(admin, `/admin/people/users/${una.id}`, `/admin/people/users/${una.id}/enable`, {})).status, 303);
      assert.equal((await server.services.people.require(una.id)).disabled, false);
    });

    it('puts a User in a custom usergroup', async () => {
      const una = (await server.services.people.list({ audience: 'users', query: 'una@' }))[0]!;
      const group = await server.services.usergroups.create('Beta testers');
      const response = await submit(admin, `/admin/people/users/${una.id}`, `/admin/people/users/${una.id}/usergroups`, { usergroupIds: group.id });
      assert.equal(response.status, 303);
      assert.deepEqual((await server.services.people.require(una.id)).usergroups.map((g) => g.id), [group.id]);
      assert.equal((await lastAudit('person.updated'))?.target?.id, una.id);
      const bad = await submit(admin, `/admin/people/users/${una.id}`, `/admin/people/users/${una.id}/usergroups`, { usergroupIds: 'not-a-uuid' });
      assert.equal(bad.status, 400);
      assert.equal(errorCodeOf(bad), 'request.invalid');
      assert.deepEqual((await server.services.people.require(una.id)).usergroups.map((g) => g.id), [group.id]);
    });

    it('revokes one session', async () => {
      const una = (await server.services.people.list({ audience: 'users', query: 'una@' }))[0]!;
      await server.client().signIn('una@example.com', PASSWORD);
      const [session] = await server.services.sessions.list({ personId: una.id });
      const response = await submit(admin, `/admin/people/users/${una.id}`, `/admin/people/users/${una.id}/sessions/${session!.id}/revoke`, { confirm: 'yes' });
      assert.equal(response.status, 303);
      assert.equal((await server.services.sessions.list({ personId: una.id })).length, 0);
      assert.equal((await lastAudit('session.revoked'))?.target?.id, session!.id);
    });

    it('makes an agent admin; the last admin cannot lose it', async () => {
      const bob = (await server.services.people.list({ audience: 'agents', query: 'bob@' }))[0]!;
      const counts = await accountCounts(server.services.db);
      const last = await submit(admin, `/admin/people/agents/${adaId}`, `/admin/people/agents/${adaId}/admin/remove`, { confirm: 'yes' });
      assert.equal(last.status, 409);
      assert.equal(errorCodeOf(last), 'person.last_admin');
      assert.equal((await server.services.people.require(adaId)).isAdmin, true);
      assert.deepEqual(await accountCounts(server.services.db), counts);

      const made = await submit(admin, `/admin/people/agents/${bob.id}`, `/admin/people/agents/${bob.id}/admin`, { isAdmin: 'yes' });
      assert.equal(made.status, 303);
      assert.equal((await server.services.people.require(bob.id)).isAdmin, true);
      await server.services.people.update(bob.id, 'agents', { isAdmin: false });
    });

    it('removes the second factors of an agent who lost their phone', async () => {
      const s = server.services;
      const carl = await s.people.create({ audience: 'agents', name: 'Carl Phoneless', email: 'carl@example.com', password: PASSWORD });
      const { secret } = await s.twoFactor.beginTotp(carl);
      await s.twoFactor.confirmTotp(carl, totpCode(base32Decode(secret), s.clock.now()), undefined);
      assert.deepEqual((await s.people.require(carl.id)).twoFactor.methods, ['totp']);
      const page = await admin.get(`/admin/people/agents/${carl.id}`);
      assert.match(page.text, /Remove two-factor \(totp\)/);
      const removed = await submit(admin, `/admin/people/agents/${carl.id}`, `/admin/people/agents/${carl.id}/two-factor/remove`, { confirm: 'yes' });
      assert.equal(removed.status, 303);
      assert.deepEqual((await s.people.require(carl.id)).twoFactor.methods, []);
      assert.equal((await lastAudit('two_factor.removed'))?.target?.id, carl.id);
    });

    it('approves a registration that waits', async () => {
      const waiting = await server.services.people.create({ audience: 'users', name: 'Wes Waiting', email: 'wes@example.com', password: PASSWORD, approvalPending: true });
      assert.match((await admin.get('/admin/people/users')).text, /1 waiting for approval/);
      const approved = await submit(admin, `/admin/people/users/${waiting.id}`, `/admin/people/users/${waiting.id}/approve`, {});
      assert.equal(approved.status, 303);
      assert.equal((await server.services.people.require(waiting.id)).approvalPending, false);
      assert.equal((await lastAudit('registration.approved'))?.target?.id, waiting.id);
      const again = await submit(admin, `/admin/people/users/${waiting.id}`, `/admin/people/users/${waiting.id}/approve`, {});
      assert.equal(again.status, 409);
      assert.equal(errorCodeOf(again), 'person.not_pending');
    });
  });

  describe('oversight', () => {
    it('filters the audit log and the SSO traces, and opens a trace by id', async () => {
      const audit = await admin.get('/admin/audit?action=usergroup.*&outcome=success');
      assert.match(audit.text, /usergroup.created/);
      assert.doesNotMatch(audit.text, /<code>app.created<\/code>/);
      const traces = await admin.get('/admin/sso-traces?outcome=success&audience=users');
      const id = /href="\/admin\/sso-traces\/([A-Za-z0-9_-]+)"/.exec(traces.text)?.[1];
      assert.ok(id, 'the successful JWT sign-in is listed');
      const found = await admin.get(`/admin/sso-traces/find?id=${id}`);
      assert.equal(found.location, `/admin/sso-traces/${id}`);
      const trace = await admin.get(`/admin/sso-traces/${id}`);
      assert.match(trace.text, /success/);
      const missing = await admin.get('/admin/sso-traces/nope');
      assert.equal(missing.status, 404);
      assert.equal(errorCodeOf(missing), 'trace.not_found');
    });

    it('creates an API key shown once, which works, and revokes it', async () => {
      const posted = await submit(admin, '/admin/api-keys', '/admin/api-keys', { name: 'provisioning' });
      assert.equal(posted.status, 303, 'POST-redirect-GET: a reload shows the key again, it makes no other');
      const created = await admin.get(posted.location!);
      assert.equal(created.status, 200);
      const key = /value="(fdk_[^"]+)"/.exec(created.text)?.[1];
      assert.ok(key);
      assert.match((await admin.get(posted.location!)).text, new RegExp(key!), 'reloaded, the same key');
      assert.equal((await server.services.apiKeys.list()).filter((k) => k.name === 'provisioning').length, 1);
      const otherSession = server.client();
      assert.equal((await otherSession.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
      const elsewhere = await otherSession.get(posted.location!);
      assert.equal(elsewhere.status, 404, 'another session of the same admin does not see it');
      assert.doesNotMatch(elsewhere.text, new RegExp(key!));
      assert.equal((await server.client().get('/api/v1/apps', { authorization: `Bearer ${key}` })).status, 200);
      const listed = await admin.get('/admin/api-keys');
      assert.doesNotMatch(listed.text, new RegExp(key!));
      const apiKey = (await server.services.apiKeys.list()).find((k) => k.name === 'provisioning')!;
      assert.equal((await lastAudit('apikey.created'))?.target?.id, apiKey.id);

      const revoked = await submit(admin, '/admin/api-keys', `/admin/api-keys/${apiKey.id}/revoke`, { confirm: 'yes' });
      assert.equal(revoked.status, 303);
      assert.equal((await server.client().get('/api/v1/apps', { authorization: `Bearer ${key}` })).status, 401);
      assert.equal((await lastAudit('apikey.revoked'))?.target?.id, apiKey.id);

      const again = await submit(admin, '/admin/api-keys', `/admin/api-keys/${apiKey.id}/revoke`, { confirm: 'yes' });
      assert.equal(again.status, 404);
      assert.equal(errorCodeOf(again), 'apikey.not_found');
    });
  });
});
