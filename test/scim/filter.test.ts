import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseScimFilter } from '../../src/provisioning/scim/filter.ts';

// The filters identity services send before they create or push (RFC 7644 section 3.4.2.2),
// narrowed to indexed lookups; attribute names are case-insensitive, and may carry the schema URN.
describe('SCIM filters', () => {
  it('answers the lookups Okta and Entra make', () => {
    assert.deepEqual(parseScimFilter('User', 'userName eq "a@example.com"'), { by: 'userName', value: 'a@example.com' });
    assert.deepEqual(parseScimFilter('User', 'USERNAME EQ "a@example.com"'), { by: 'userName', value: 'a@example.com' });
    assert.deepEqual(parseScimFilter('User', 'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a"'), { by: 'userName', value: 'a' });
    assert.deepEqual(parseScimFilter('User', 'externalId eq "00u1"'), { by: 'externalId', value: '00u1' });
    assert.deepEqual(parseScimFilter('User', 'emails.value eq "a@example.com"'), { by: 'email', value: 'a@example.com' });
    assert.deepEqual(parseScimFilter('User', 'emails[type eq "work"].value eq "a@example.com"'), { by: 'email', value: 'a@example.com', emailType: 'work' });
    assert.deepEqual(parseScimFilter('Group', 'displayName eq "Sales"'), { by: 'displayName', value: 'Sales' });
    assert.deepEqual(parseScimFilter('Group', 'id eq "g" and members[value eq "u"]'), { by: 'id', value: 'g', member: 'u' });
    assert.equal(parseScimFilter('User', undefined), undefined);
    assert.equal(parseScimFilter('User', '  '), undefined);
  });

  it('refuses the rest as invalidFilter rather than reading every row', () => {
    for (const [kind, filter] of [
      ['User', 'userName sw "a"'], ['User', 'userName eq 1'], ['User', 'not (userName eq "a")'], ['User', 'emails[type eq "work"].display eq "x"'],
      ['User', 'displayName eq "x"'], ['Group', 'userName eq "x"'], ['Group', 'members[value eq "u"]'], ['User', `userName eq "${'a'.repeat(1000)}"`],
      ['User', 'userName eq "unterminated'],
    ] as const) {
      assert.throws(() => parseScimFilter(kind, filter), { code: 'scim.invalid_filter' }, `${kind}: ${filter.slice(0, 40)}`);
    }
  });
});
