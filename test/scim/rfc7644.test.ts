import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { ENTERPRISE, GROUP, PATCH_OP, scimConnection, USER, type Scim } from './scim-helpers.ts';

// The examples of RFC 7643 (section 8) and RFC 7644 (sections 3.4 and 3.5.2), with the ids this
// server gave; and the discovery endpoints of RFC 7644 section 4.
describe('SCIM: RFC 7643 and 7644 examples', () => {
  let server: TestServer;
  let scim: Scim;
  let bjensen: string;
  let jsmith: string;
  let groupId: string;

  before(async () => {
    server = await startTestServer();
    scim = await scimConnection(server, 'users');
  });
  after(async () => {
    await server.close();
  });

  it('describes itself: ServiceProviderConfig, ResourceTypes, Schemas', async () => {
    const config = await scim.send('GET', '/ServiceProviderConfig');
    assert.equal(config.json.patch.supported, true);
    assert.equal(config.json.bulk.supported, false);
    assert.equal(config.json.etag.supported, true);
    assert.equal(config.json.authenticationSchemes[0].type, 'oauthbearertoken');
    const types = await scim.send('GET', '/ResourceTypes');
    assert.deepEqual(types.json.Resources.map((r: { id: string }) => r.id), ['User', 'Group']);
    assert.equal((await scim.send('GET', '/ResourceTypes/User')).json.schemaExtensions[0].schema, ENTERPRISE);
    const schemas = await scim.send('GET', '/Schemas');
    assert.deepEqual(schemas.json.Resources.map((r: { id: string }) => r.id), [USER, ENTERPRISE, GROUP]);
    const user = await scim.send('GET', `/Schemas/${USER}`);
    const userName = user.json.attributes.find((a: { name: string }) => a.name === 'userName');
    assert.equal(userName.uniqueness, 'server');
    assert.equal(userName.required, true);
  });

  it('creates the full User of RFC 7643 section 8.2 and keeps every attribute but the password', async () => {
    const created = await scim.send('POST', '/Users', {
      schemas: [USER, ENTERPRISE], externalId: '701984', userName: 'bjensen@example.com',
      name: { formatted: 'Ms. Barbara J Jensen, III', familyName: 'Jensen', givenName: 'Barbara', middleName: 'Jane', honorificPrefix: 'Ms.', honorificSuffix: 'III' },
      displayName: 'Babs Jensen', nickName: 'Babs', profileUrl: 'https://login.example.com/bjensen',
      emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }, { value: 'babs@jensen.org', type: 'home' }],
      addresses: [{ type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'USA', formatted: '100 Universal City Plaza\nHollywood, CA 91608 USA', primary: true }],
      phoneNumbers: [{ value: '555-555-5555', type: 'work' }], ims: [{ value: 'someaimhandle', type: 'aim' }],
      photos: [{ value: 'https://photos.example.com/profilephoto/72930000000Ccne/F', type: 'photo' }],
      userType: 'Employee', title: 'Tour Guide', preferredLanguage: 'en-US', locale: 'en-US', timezone: 'America/Los_Angeles', active: true,
      password: 't1meMa$heen', x509Certificates: [{ value: 'MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx' }],
      [ENTERPRISE]: { employeeNumber: '701984', costCenter: '4130', organization: 'Universal Studios', division: 'Theme Park', department: 'Tour Operations', manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } },
    });
    assert.equal(created.status, 201, created.text);
    bjensen = created.json.id;
    assert.equal(created.json.addresses[0].locality, 'Hollywood');
    assert.equal(created.json[ENTERPRISE].manager.value, '26118915-6090-4610-87e4-49d8ca9f808d');
    assert.equal(created.json.password, undefined);
    const person = await server.services.people.require(bjensen);
    assert.equal(person.name, 'Babs Jensen');
    assert.deepEqual(person.emails.map((e) => [e.email, e.primary]), [['bjensen@example.com', true], ['babs@jensen.org', false]]);
    jsmith = (await scim.send('POST', '/Users', { schemas: [USER], userName: 'jsmith@example.com', active: true })).json.id;
    assert.ok(jsmith, 'a userName that is an email is the email');
  });

  it('adds several attributes in one path-less add (section 3.5.2.1), and replaces a filtered sub-attribute (3.5.2.3)', async () => {
    const patch = await scim.send('PATCH', `/Users/${bjensen}`, {
      schemas: [PATCH_OP], Operations: [
        { op: 'add', value: { emails: [{ value: 'babs@jensen.net', type: 'other' }], nickName: 'Barbie' } },
        { op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' },
      ],
    });
    assert.equal(patch.status, 200, patch.text);
    assert.equal(patch.json.nickName, 'Barbie');
    assert.equal(patch.json.addresses[0].streetAddress, '1010 Broadway Ave');
    assert.deepEqual((await server.services.people.require(bjensen)).emails.map((e) => e.email), ['bjensen@example.com', 'babs@jensen.org', 'babs@jensen.net']);
    const removed = await scim.send('PATCH', `/Users/${bjensen}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'emails[type eq "other"]' }] });
    assert.equal(removed.status, 200, removed.text);
    assert.deepEqual((await server.services.people.require(bjensen)).emails.map((e) => e.email), ['bjensen@example.com', 'babs@jensen.org']);
  });

  it('changes group members as section 3.5.2 shows: add, remove one, replace all, remove all', async () => {
    groupId = (await scim.send('POST', '/Groups', { schemas: [GROUP], displayName: 'Tour Guides' })).json.id;
    const members = async () => (await server.services.usergroups.memberIds(groupId)).sort();
    const patch = (Operations: unknown) => scim.send('PATCH', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations });
    assert.equal((await patch([{ op: 'add', path: 'members', value: [{ display: 'Babs Jensen', $ref: `https://example.com/v2/Users/${bjensen}`, value: bjensen }] }])).status, 200);
    assert.deepEqual(await members(), [bjensen]);
    assert.equal((await patch([{ op: 'add', path: 'members', value: [{ value: jsmith }] }])).status, 200);
    assert.deepEqual(await members(), [bjensen, jsmith].sort());
    assert.equal((await patch([{ op: 'remove', path: `members[value eq "${bjensen}"]` }])).status, 200);
    assert.deepEqual(await members(), [jsmith]);
    assert.equal((await patch([{ op: 'remove', path: 'members' }, { op: 'add', path: 'members', value: [{ value: bjensen }] }])).status, 200);
    assert.deepEqual(await members(), [bjensen]);
    assert.equal((await patch([{ op: 'replace', path: 'members', value: [{ value: jsmith }, { value: bjensen }] }])).status, 200);
    assert.deepEqual(await members(), [bjensen, jsmith].sort());
    assert.equal((await patch([{ op: 'remove', path: 'members' }])).status, 200);
    assert.deepEqual(await members(), []);
    // Removing a member of a group that has none already holds.
    assert.equal((await patch([{ op: 'remove', path: `members[value eq "${bjensen}"]` }])).status, 200);
    // PUT replaces the members as listed: removals too.
    const put = await scim.send('PUT', `/Groups/${groupId}`, { schemas: [GROUP], displayName: 'Tour Guides', members: [{ value: jsmith }] });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(await members(), [jsmith]);
  });

  it('pages with startIndex and count (section 3.4.2.4), and projects attributes (3.4.2.5)', async () => {
    for (let i = 0; i < 5; i += 1) await scim.send('POST', '/Users', { schemas: [USER], userName: `page${i}@example.com` });
    const all = await scim.send('GET', '/Users');
    assert.equal(all.json.totalResults, 7);
    const page = await scim.send('GET', '/Users?startIndex=3&count=2');
    assert.equal(page.json.totalResults, 7);
    assert.equal(page.json.startIndex, 3);
    assert.equal(page.json.itemsPerPage, 2);
    assert.deepEqual(page.json.Resources.map((r: { id: string }) => r.id), all.json.Resources.slice(2, 4).map((r: { id: string }) => r.id));
    const countOnly = await scim.send('GET', '/Users?count=0');
    assert.deepEqual([countOnly.json.totalResults, countOnly.json.Resources], [7, []]);
    const beyond = await scim.send('GET', '/Users?startIndex=100');
    assert.deepEqual([beyond.json.totalResults, beyond.json.Resources], [7, []]);
    const lean = await scim.send('GET', `/Users/${bjensen}?attributes=userName,name.givenName`);
    assert.deepEqual(Object.keys(lean.json).sort(), ['id', 'meta', 'name', 'schemas', 'userName']);
  });

  it('answers ETags on reads and honours If-Match on writes (section 3.14)', async () => {
    const read = await scim.send('GET', `/Users/${jsmith}`);
    const etag = read.headers.get('etag')!;
    assert.equal(read.json.meta.version, etag);
    const put = await scim.send('PUT', `/Users/${jsmith}`, { schemas: [USER], userName: 'jsmith@example.com', title: 'Guide' }, { 'if-match': etag });
    assert.equal(put.status, 200, put.text);
    assert.equal((await scim.send('DELETE', `/Users/${jsmith}`, undefined, { 'if-match': etag })).status, 412);
    assert.equal((await scim.send('DELETE', `/Users/${jsmith}`, undefined, { 'if-match': put.headers.get('etag')! })).status, 204);
    // The member went with the person.
    assert.deepEqual(await server.services.usergroups.memberIds(groupId), []);
  });
});
