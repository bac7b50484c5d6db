import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { GROUP, PATCH_OP, scimConnection, USER, type Scim } from './scim-helpers.ts';

// Okta's provisioning as its SCIM 2.0 reference documents it, request for request (developer
// docs "SCIM 2.0 protocol reference"): look up by userName, create, read, update with PUT,
// deactivate with PATCH, then Group Push: look up, create, rename, add a member, remove it,
// delete. The bodies are Okta's examples, ids replaced by the ones this server gave.
describe('SCIM: Okta provisioning sequence', () => {
  let server: TestServer;
  let scim: Scim;
  let userId: string;
  let groupId: string;

  before(async () => {
    server = await startTestServer();
    scim = await scimConnection(server, 'users', 'Okta');
  });
  after(async () => {
    await server.close();
  });

  it('finds nobody by userName before it creates the user', async () => {
    const found = await scim.send('GET', `/Users?filter=${encodeURIComponent('userName eq "test.user@okta.local"')}&startIndex=1&count=100`);
    assert.equal(found.status, 200);
    assert.match(found.headers.get('content-type') ?? '', /^application\/scim\+json/);
    assert.deepEqual(found.json, { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
  });

  it('creates the user: a User (never an admin) whose email the IdP vouched for, with the password Okta set', async () => {
    const created = await scim.send('POST', '/Users', {
      schemas: [USER], userName: 'test.user@okta.local', name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }], displayName: 'Test User', locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7', groups: [], password: '1mz050nq-okta', active: true,
    });
    assert.equal(created.status, 201, created.text);
    userId = created.json.id;
    assert.equal(created.location, `${server.services.config.publicUrl.origin}/scim/v2/Users/${userId}`);
    assert.equal(created.headers.get('etag'), 'W/"1"');
    assert.equal(created.json.userName, 'test.user@okta.local');
    assert.equal(created.json.active, true);
    assert.equal(created.json.password, undefined, 'a password is never returned');
    assert.deepEqual(created.json.meta.resourceType, 'User');
    const person = await server.services.people.require(userId, 'users');
    assert.equal(person.name, 'Test User');
    assert.deepEqual(person.emails, [{ email: 'test.user@okta.local', primary: true, verified: true }]);
    assert.equal(person.isAdmin, false);
    // The password Okta set works on the login form.
    const browser = server.client();
    const signIn = await browser.signIn('test.user@okta.local', '1mz050nq-okta');
    assert.equal(signIn.status, 303, signIn.text);
  });

  it('reads the user back, and finds it by userName whatever the case', async () => {
    const read = await scim.send('GET', `/Users/${userId}`);
    assert.equal(read.status, 200);
    assert.equal(read.json.externalId, '00ujl29u0le5T6Aj10h7');
    assert.deepEqual(read.json.name, { givenName: 'Test', familyName: 'User' });
    const found = await scim.send('GET', `/Users?filter=${encodeURIComponent('userName eq "TEST.user@okta.local"')}`);
    assert.equal(found.json.totalResults, 1);
    assert.equal(found.json.Resources[0].id, userId);
  });

  it('updates the profile with PUT', async () => {
    const put = await scim.send('PUT', `/Users/${userId}`, {
      schemas: [USER], id: userId, userName: 'test.user@okta.local', name: { givenName: 'Another', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }], displayName: 'Another User', locale: 'en-US', active: true,
      meta: { resourceType: 'User' }, groups: [],
    });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json.name.givenName, 'Another');
    assert.equal(put.json.meta.version, 'W/"2"');
    assert.equal((await server.services.people.require(userId)).name, 'Another User');
  });

  it('deactivates with PATCH active:false, which ends their sessions at once', async () => {
    const { token } = await server.services.sessions.create({ personId: userId, audience: 'users' });
    assert.ok(await server.services.sessionCheck.check(token, 'users'), 'the session works before');
    const patch = await scim.send('PATCH', `/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
    assert.equal(patch.status, 200, patch.text);
    assert.equal(patch.json.active, false);
    assert.equal(await server.services.sessionCheck.check(token, 'users'), undefined, 'the session ended');
    assert.equal((await server.services.people.require(userId)).disabled, true);
    const [audit] = await server.services.audit.list({ action: 'scim.user_deactivated' });
    assert.deepEqual(audit!.actor, { type: 'scim_connection', id: scim.connectionId });
    assert.equal(audit!.details.sessionsEnded, 2, 'the browser sign-in and this one');
  });

  it('reactivates with PATCH active:true', async () => {
    const patch = await scim.send('PATCH', `/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] });
    assert.equal(patch.json.active, true);
    assert.equal((await server.services.people.require(userId)).disabled, false);
  });

  it('pushes a group: look up, create, rename, add the member, remove the member, delete', async () => {
    const lookup = await scim.send('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Test SCIMv2"')}&startIndex=1&count=100`);
    assert.equal(lookup.json.totalResults, 0);

    const created = await scim.send('POST', '/Groups', { schemas: [GROUP], displayName: 'Test SCIMv2', members: [] });
    assert.equal(created.status, 201, created.text);
    groupId = created.json.id;
    assert.equal((await server.services.usergroups.require(groupId)).name, 'Test SCIMv2');

    const renamed = await scim.send('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id: groupId, displayName: 'Test SCIMv2 renamed' } }],
    });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal((await server.services.usergroups.require(groupId)).name, 'Test SCIMv2 renamed');

    const added = await scim.send('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: userId, display: 'test.user@okta.local' }] }],
    });
    assert.equal(added.status, 200, added.text);
    assert.deepEqual(added.json.members.map((m: { value: string }) => m.value), [userId]);
    assert.deepEqual((await server.services.people.require(userId)).usergroups.map((g) => g.id), [groupId]);
    const user = await scim.send('GET', `/Users/${userId}`);
    assert.deepEqual(user.json.groups.map((g: { value: string }) => g.value), [groupId]);

    const removed = await scim.send('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${userId}"]` }],
    });
    assert.equal(removed.status, 200, removed.text);
    assert.deepEqual(removed.json.members, []);
    assert.deepEqual((await server.services.people.require(userId)).usergroups, []);

    const deleted = await scim.send('DELETE', `/Groups/${groupId}`);
    assert.equal(deleted.status, 204);
    await assert.rejects(server.services.usergroups.require(groupId), { code: 'usergroup.not_found' });
    assert.equal((await scim.send('GET', `/Groups/${groupId}`)).status, 404);
  });

  it('removes the user with DELETE', async () => {
    const deleted = await scim.send('DELETE', `/Users/${userId}`);
    assert.equal(deleted.status, 204);
    assert.equal(await server.services.people.get(userId), undefined);
    assert.equal((await scim.send('GET', `/Users/${userId}`)).status, 404);
  });

  it('keeps the last requests with their outcome for the console', async () => {
    const { scimProvisioning } = await import('../../src/provisioning/scim/service.ts');
    const requests = await scimProvisioning(server.services).connections.lastRequests(scim.connectionId, 3);
    assert.deepEqual(requests.map((r) => [r.method, r.status]), [['GET', 404], ['DELETE', 204], ['GET', 404]]);
    assert.equal(requests[0]!.code, 'scim.not_found');
  });
});
