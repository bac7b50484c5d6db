import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { scimProvisioning } from '../../src/provisioning/scim/service.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { assertScimError, GROUP, PATCH_OP, scimConnection, scimCounts, USER, type Scim } from './scim-helpers.ts';

// What SCIM refuses: each answer is the SCIM error schema with its scimType and our stable
// code, and the database is as it was (people, emails, memberships, versions, sessions,
// audited changes). Malformed bodies, unknown attributes, bad filters, wrong tokens, stale
// ETags, takeovers of accounts or usergroups SCIM did not create, and the audience line.
describe('SCIM refusals', () => {
  let server: TestServer;
  let scim: Scim;
  let userId: string;
  let groupId: string;
  let before_: Record<string, number>;
  const user = (userName: string, extra: Record<string, unknown> = {}) => ({ schemas: [USER], userName, emails: [{ value: userName, type: 'work', primary: true }], ...extra });

  before(async () => {
    server = await startTestServer();
    scim = await scimConnection(server, 'users');
    userId = (await scim.send('POST', '/Users', user('kept@example.com'))).json.id;
    groupId = (await scim.send('POST', '/Groups', { schemas: [GROUP], displayName: 'Kept', members: [{ value: userId }] })).json.id;
    await server.services.people.create({ audience: 'users', name: 'Registered Themselves', email: 'self@example.com' });
    await server.services.usergroups.create('Made by an admin');
  });
  after(async () => {
    await server.close();
  });
  beforeEach(async () => {
    before_ = await scimCounts(server.services.db);
  });
  const unchanged = async () => assert.deepEqual(await scimCounts(server.services.db), before_);

  it('refuses a missing, malformed, unknown or revoked token, on every path', async () => {
    const anonymous = await server.client().request('GET', '/scim/v2/Users');
    assertScimError(anonymous, 401, undefined, 'scim.unauthorized');
    assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer realm="SCIM"');
    for (const authorization of ['Bearer nope', `Bearer fdscim_${'A'.repeat(43)}`, `Basic ${Buffer.from('a:b').toString('base64')}`, `Bearer ${scim.token}x`]) {
      assertScimError(await server.client().request('POST', '/scim/v2/Users', { body: JSON.stringify(user('x@example.com')), headers: { authorization, 'content-type': 'application/scim+json' } }), 401, undefined, 'scim.unauthorized');
    }
    assertScimError(await server.client().request('GET', '/scim/v2/ServiceProviderConfig'), 401, undefined, 'scim.unauthorized');
    const other = await scimConnection(server, 'users', 'revoked soon');
    await scimProvisioning(server.services).connections.revoke(other.connectionId);
    assertScimError(await other.send('POST', '/Users', user('y@example.com')), 401, undefined, 'scim.unauthorized');
    await unchanged();
  });

  it('refuses a body that is not JSON, or not an object, as invalidSyntax', async () => {
    assertScimError(await scim.send('POST', '/Users', '{"schemas": ['), 400, 'invalidSyntax', 'scim.invalid_syntax');
    assertScimError(await scim.send('POST', '/Users', '[1, 2]'), 400, 'invalidSyntax', 'scim.invalid_syntax');
    assertScimError(await scim.send('POST', '/Users', 'userName=x', { 'content-type': 'application/x-www-form-urlencoded' }), 400, 'invalidSyntax', 'scim.invalid_syntax');
    assertScimError(await scim.send('POST', '/Users', { userName: 'noschemas@example.com' }), 400, 'invalidSyntax', 'scim.invalid_syntax');
    await unchanged();
  });

  it('refuses unknown attributes and attributes under unknown schemas, on POST, PUT and PATCH', async () => {
    assertScimError(await scim.send('POST', '/Users', user('z@example.com', { favouriteColour: 'blue' })), 400, 'invalidSyntax', 'scim.invalid_syntax');
    assertScimError(await scim.send('POST', '/Users', user('z@example.com', { 'urn:example:custom:2.0:User': { shoeSize: 9 } })), 400, 'invalidSyntax', 'scim.invalid_syntax');
    assertScimError(await scim.send('POST', '/Users', user('z@example.com', { name: { nickname: 'Zed' } })), 400, 'invalidSyntax', 'scim.invalid_syntax');
    assertScimError(await scim.send('PUT', `/Users/${userId}`, user('kept@example.com', { shoeSize: 9 })), 400, 'invalidSyntax', 'scim.invalid_syntax');
    assertScimError(await scim.send('PATCH', `/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'shoeSize', value: 9 }] }), 400, 'invalidPath', 'scim.invalid_path');
    assertScimError(await scim.send('PATCH', `/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', value: { shoeSize: 9 } }] }), 400, 'invalidSyntax', 'scim.invalid_syntax');
    await unchanged();
  });

  it('refuses wrong types and values a person cannot have', async () => {
    assertScimError(await scim.send('POST', '/Users', user('t@example.com', { active: 'yes' })), 400, 'invalidValue', 'scim.invalid_value');
    assertScimError(await scim.send('POST', '/Users', user('t@example.com', { active: 'True' })), 400, 'invalidValue', 'scim.invalid_value');
    assertScimError(await scim.send('POST', '/Users', { schemas: [USER], userName: 'bjensen' }), 400, 'invalidValue', 'scim.invalid_value');
    assertScimError(await scim.send('POST', '/Users', { schemas: [USER], userName: 'x', emails: [{ value: 'not an email' }] }), 400, 'invalidValue', 'scim.invalid_value');
    assertScimError(await scim.send('POST', '/Users', { schemas: [USER], emails: [{ value: 'n@example.com' }] }), 400, 'invalidValue', 'scim.invalid_value');
    assertScimError(await scim.send('POST', '/Users', user('short@example.com', { password: 'short' })), 400, 'invalidValue', 'password.too_short');
    assertScimError(await scim.send('POST', '/Users', user('nul@example.com', { displayName: 'a\u0000b' })), 400, 'invalidValue', 'request.invalid');
    await unchanged();
  });

  it('refuses filters it cannot parse or does not answer as invalidFilter', async () => {
    for (const filter of ['userName eq', 'userName eq "a" or userName eq "b"', 'title co "x"', 'userName gt "a"', '((((']) {
      assertScimError(await scim.send('GET', `/Users?filter=${encodeURIComponent(filter)}`), 400, 'invalidFilter', 'scim.invalid_filter');
    }
    assertScimError(await scim.send('GET', `/Groups?filter=${encodeURIComponent('members pr')}`), 400, 'invalidFilter', 'scim.invalid_filter');
    assertScimError(await scim.send('GET', '/Users?count=ten'), 400, 'invalidValue', 'scim.invalid_value');
  });

  it('refuses PATCH bodies without the PatchOp schema, with unknown ops, read-only or missing paths', async () => {
    const patch = (Operations: unknown, schemas: unknown = [PATCH_OP]) => scim.send('PATCH', `/Users/${userId}`, { schemas, Operations });
    assertScimError(await patch([{ op: 'replace', path: 'title', value: 'x' }], [USER]), 400, 'invalidSyntax', 'scim.invalid_syntax');
    assertScimError(await patch([]), 400, 'invalidSyntax', 'scim.invalid_syntax');
    assertScimError(await patch([{ op: 'merge', path: 'title', value: 'x' }]), 400, 'invalidSyntax', 'scim.invalid_syntax');
    assertScimError(await patch([{ op: 'remove' }]), 400, 'noTarget', 'scim.no_target');
    assertScimError(await patch([{ op: 'replace', path: 'id', value: 'mine' }]), 400, 'mutability', 'scim.mutability');
    assertScimError(await patch([{ op: 'replace', path: 'groups', value: [] }]), 400, 'mutability', 'scim.mutability');
    assertScimError(await patch([{ op: 'replace', path: 'title' }]), 400, 'invalidValue', 'scim.invalid_value');
    // One bad operation refuses the whole PATCH: the good one before it is not kept.
    assertScimError(await patch([{ op: 'replace', path: 'title', value: 'kept?' }, { op: 'replace', path: 'active', value: 'maybe' }]), 400, 'invalidValue', 'scim.invalid_value');
    assert.equal((await scim.send('GET', `/Users/${userId}`)).json.title, undefined);
    await unchanged();
  });

  it('answers 412 to a change for another version (If-Match), and changes nothing', async () => {
    const current = await scim.send('GET', `/Users/${userId}`);
    const etag = current.headers.get('etag')!;
    assert.match(etag, /^W\/"\d+"$/);
    const stale = { 'if-match': 'W/"999"' };
    assertScimError(await scim.send('PUT', `/Users/${userId}`, user('kept@example.com', { title: 'x' }), stale), 412, undefined, 'scim.precondition_failed');
    assertScimError(await scim.send('PATCH', `/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] }, stale), 412, undefined, 'scim.precondition_failed');
    assertScimError(await scim.send('DELETE', `/Users/${userId}`, undefined, stale), 412, undefined, 'scim.precondition_failed');
    assertScimError(await scim.send('DELETE', `/Groups/${groupId}`, undefined, stale), 412, undefined, 'scim.precondition_failed');
    await unchanged();
    const fresh = await scim.send('PATCH', `/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Now' }] }, { 'if-match': etag });
    assert.equal(fresh.status, 200, fresh.text);
    assert.notEqual(fresh.headers.get('etag'), etag);
  });

  it('never takes over an account or a usergroup it did not create (409 uniqueness)', async () => {
    assertScimError(await scim.send('POST', '/Users', user('self@example.com')), 409, 'uniqueness', 'scim.uniqueness');
    assertScimError(await scim.send('POST', '/Users', user('KEPT@example.com')), 409, 'uniqueness', 'scim.uniqueness');
    assertScimError(await scim.send('POST', '/Users', user('other@example.com', { userName: 'kept@example.com' })), 409, 'uniqueness', 'scim.uniqueness');
    assertScimError(await scim.send('PATCH', `/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'self@example.com' }] }), 409, 'uniqueness', 'scim.uniqueness');
    assertScimError(await scim.send('POST', '/Groups', { schemas: [GROUP], displayName: 'made BY an admin' }), 409, 'uniqueness', 'usergroup.name_taken');
    await unchanged();
  });

  it('refuses members who are not Users of this connection', async () => {
    const self = (await server.services.people.findForSignIn('users', 'self@example.com'))!.person;
    const other = await scimConnection(server, 'users', 'another IdP');
    const theirs = (await other.send('POST', '/Users', user('theirs@example.com'))).json.id;
    before_ = await scimCounts(server.services.db);
    for (const value of [self.id, theirs, 'not-a-uuid']) {
      assertScimError(await scim.send('PATCH', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value }] }] }), 400, 'invalidValue', 'scim.invalid_value');
    }
    assertScimError(await scim.send('POST', '/Groups', { schemas: [GROUP], displayName: 'Stolen', members: [{ value: self.id }] }), 400, 'invalidValue', 'scim.invalid_value');
    // Nor does one connection see or change the other's Users.
    assertScimError(await scim.send('GET', `/Users/${theirs}`), 404, undefined, 'scim.not_found');
    assertScimError(await scim.send('DELETE', `/Users/${theirs}`), 404, undefined, 'scim.not_found');
    assertScimError(await scim.send('GET', `/Users/${self.id}`), 404, undefined, 'scim.not_found');
    await unchanged();
  });

  it('keeps an Agents connection to Agents: never an admin, no Groups', async () => {
    const agents = await scimConnection(server, 'agents');
    const created = await agents.send('POST', '/Users', user('agent@example.com'));
    assert.equal(created.status, 201, created.text);
    const agent = await server.services.people.require(created.json.id, 'agents');
    assert.equal(agent.isAdmin, false);
    assertScimError(await agents.send('GET', `/Users/${userId}`), 404, undefined, 'scim.not_found');
    before_ = await scimCounts(server.services.db);
    assertScimError(await agents.send('POST', '/Users', user('admin@example.com', { roles: [{ value: 'admin' }], isAdmin: true })), 400, 'invalidSyntax', 'scim.invalid_syntax');
    assertScimError(await agents.send('POST', '/Groups', { schemas: [GROUP], displayName: 'Agents group' }), 404, undefined, 'scim.not_found');
    const types = await agents.send('GET', '/ResourceTypes');
    assert.deepEqual(types.json.Resources.map((r: { id: string }) => r.id), ['User']);
    await unchanged();
  });

  it('answers unknown paths, ids and optional features in the error schema', async () => {
    assertScimError(await scim.send('GET', '/Users/not-a-uuid'), 404, undefined, 'scim.not_found');
    assertScimError(await scim.send('GET', '/Users/00000000-0000-4000-8000-000000000000'), 404, undefined, 'scim.not_found');
    assertScimError(await scim.send('GET', '/Nothing'), 404, undefined, 'scim.not_found');
    assertScimError(await scim.send('POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] }), 501, undefined, 'scim.not_implemented');
    await unchanged();
  });

  it('creates a User once when the identity service sends the same POST several times at once (retries)', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => scim.send('POST', '/Users', user('twice@example.com'))));
    assert.deepEqual(answers.map((a) => a.status).sort(), [201, 409, 409, 409, 409, 409]);
    for (const refused of answers.filter((a) => a.status === 409)) assert.equal(refused.json.scimType, 'uniqueness');
    const found = await scim.send('GET', `/Users?filter=${encodeURIComponent('userName eq "twice@example.com"')}`);
    assert.equal(found.json.totalResults, 1);
  });

  it('refuses a body over 1 MB in the error schema', async () => {
    const huge = user('huge@example.com', { title: 'x'.repeat(1100 * 1024) });
    assertScimError(await scim.send('POST', '/Users', huge), 413, undefined, 'request.too_large');
    await unchanged();
  });

  it('audits each refused change with the connection as actor and the code as reason', async () => {
    const [refused] = await server.services.audit.list({ action: 'scim.request_refused' });
    assert.equal(refused!.outcome, 'failure');
    assert.equal(refused!.actor.type, 'scim_connection');
    assert.equal(refused!.reason, 'request.too_large', 'the last refusal, with its code');
    assert.equal(refused!.details.path, '/scim/v2/Users');
  });
});
