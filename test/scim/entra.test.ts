import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { ENTERPRISE, GROUP, PATCH_OP, scimConnection, USER, type Scim } from './scim-helpers.ts';

// Microsoft Entra's provisioning as its "Develop and plan provisioning for a SCIM endpoint"
// tutorial shows the requests, plus the deviations Entra documents (and still sends unless a
// feature flag is set): capitalised ops, booleans as the strings "True"/"False", Remove of a
// member with a value instead of a filter, a schema URN of its own in a Group's schemas.
describe('SCIM: Microsoft Entra provisioning sequence and its PATCH quirks', () => {
  let server: TestServer;
  let scim: Scim;
  let userId: string;
  let groupId: string;
  const userName = 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1';
  const q = (filter: string) => encodeURIComponent(filter);

  before(async () => {
    server = await startTestServer();
    scim = await scimConnection(server, 'users', 'Entra');
  });
  after(async () => {
    await server.close();
  });

  it('creates a user with the enterprise extension after a userName lookup finds none', async () => {
    assert.equal((await scim.send('GET', `/Users?filter=${q(`userName eq "${userName}"`)}`)).json.totalResults, 0);
    const created = await scim.send('POST', '/Users', {
      schemas: [USER, ENTERPRISE], externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef', userName, active: true,
      emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' }],
      meta: { resourceType: 'User' }, name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' }, roles: [],
      [ENTERPRISE]: { department: 'Engineering', employeeNumber: '42' },
    });
    assert.equal(created.status, 201, created.text);
    userId = created.json.id;
    assert.equal(created.json[ENTERPRISE].department, 'Engineering');
    const person = await server.services.people.require(userId, 'users');
    assert.equal(person.name, 'givenName familyName');
    assert.equal(person.emails[0]!.email, 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com');
  });

  it('finds the user by userName, externalId and work email', async () => {
    for (const filter of [`userName eq "${userName}"`, 'externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"',
      'emails[type eq "work"].value eq "test_user_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"']) {
      const found = await scim.send('GET', `/Users?filter=${q(filter)}`);
      assert.equal(found.status, 200, found.text);
      assert.deepEqual(found.json.Resources.map((r: { id: string }) => r.id), [userId], filter);
    }
    const home = await scim.send('GET', `/Users?filter=${q('emails[type eq "home"].value eq "test_user_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"')}`);
    assert.equal(home.json.totalResults, 0, 'the email is a work one');
  });

  it('updates with capitalised Replace on a filtered email path and a sub-attribute', async () => {
    const patch = await scim.send('PATCH', `/Users/${userId}`, {
      schemas: [PATCH_OP], Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      ],
    });
    assert.equal(patch.status, 200, patch.text);
    assert.equal(patch.json.emails[0].value, 'updatedEmail@microsoft.com');
    assert.equal(patch.json.name.familyName, 'updatedFamilyName');
    const person = await server.services.people.require(userId);
    assert.deepEqual(person.emails.map((e) => e.email), ['updatedEmail@microsoft.com']);
  });

  it('adds attributes with capitalised Add, an enterprise path and a path-less value', async () => {
    const patch = await scim.send('PATCH', `/Users/${userId}`, {
      schemas: [PATCH_OP], Operations: [
        { op: 'Add', path: `${ENTERPRISE}:department`, value: 'Sales' },
        { op: 'Add', value: { displayName: 'Updated Display', title: 'Manager' } },
      ],
    });
    assert.equal(patch.status, 200, patch.text);
    assert.equal(patch.json[ENTERPRISE].department, 'Sales');
    assert.deepEqual(patch.json.schemas, [USER, ENTERPRISE]);
    assert.equal(patch.json.title, 'Manager');
    assert.equal((await server.services.people.require(userId)).name, 'Updated Display');
  });

  it('disables with active "False" (a string) and enables with "True", in both PATCH shapes', async () => {
    const { token } = await server.services.sessions.create({ personId: userId, audience: 'users' });
    const off = await scim.send('PATCH', `/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.json.active, false);
    assert.equal(await server.services.sessionCheck.check(token, 'users'), undefined, 'deactivation ends the session at once');
    const on = await scim.send('PATCH', `/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', value: { active: 'True' } }] });
    assert.equal(on.json.active, true);
    assert.equal((await server.services.people.require(userId)).disabled, false);
  });

  it('provisions a group with its own schema URN, reads it without members, renames it, adds and removes a member by value', async () => {
    const created = await scim.send('POST', '/Groups', {
      schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'displayName', meta: { resourceType: 'Group' },
    });
    assert.equal(created.status, 201, created.text);
    groupId = created.json.id;

    const lean = await scim.send('GET', `/Groups/${groupId}?excludedAttributes=members`);
    assert.equal(lean.json.members, undefined);
    assert.equal(lean.json.displayName, 'displayName');
    const byName = await scim.send('GET', `/Groups?excludedAttributes=members&filter=${q('displayName eq "displayName"')}`);
    assert.deepEqual(byName.json.Resources.map((r: { id: string }) => r.id), [groupId]);

    const renamed = await scim.send('PATCH', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: 'updatedDisplayName' }] });
    assert.equal(renamed.json.displayName, 'updatedDisplayName');

    const added = await scim.send('PATCH', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: userId }] }] });
    assert.equal(added.status, 200, added.text);
    const member = await scim.send('GET', `/Groups?filter=${q(`id eq "${groupId}" and members[value eq "${userId}"]`)}&excludedAttributes=members`);
    assert.equal(member.json.totalResults, 1, 'Entra asks whether the user is a member');

    const removed = await scim.send('PATCH', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: userId }] }] });
    assert.equal(removed.status, 200, removed.text);
    assert.deepEqual(removed.json.members, []);
    const notMember = await scim.send('GET', `/Groups?filter=${q(`id eq "${groupId}" and members[value eq "${userId}"]`)}&excludedAttributes=members`);
    assert.equal(notMember.json.totalResults, 0);
    assert.deepEqual((await server.services.people.require(userId)).usergroups, []);
  });

  it('deletes the group and the user', async () => {
    assert.equal((await scim.send('DELETE', `/Groups/${groupId}`)).status, 204);
    assert.equal((await scim.send('DELETE', `/Users/${userId}`)).status, 204);
    assert.equal(await server.services.people.get(userId), undefined);
    const actions = (await server.services.audit.list({ action: 'scim.*' })).map((e) => e.action);
    assert.deepEqual(new Set(actions), new Set(['scim.user_created', 'scim.user_updated', 'scim.user_deactivated', 'scim.user_reactivated',
      'scim.group_created', 'scim.group_updated', 'scim.group_removed', 'scim.user_removed']));
  });
});
