import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authenticateWithDirectory } from '../../../src/protocols/ldap/authenticate.ts';
import { checkDetailText } from '../../../src/i18n/check-details.ts';
import { diagnoseDirectory } from '../../../src/protocols/ldap/diagnostics.ts';
import { parseLdapConfig, type LdapConfig } from '../../../src/protocols/ldap/settings.ts';
import { SERVICE_DN, SERVICE_PASSWORD, Slapd, SUFFIX } from '../../peers/slapd.ts';

// Against Debian's slapd over LDAPS (and StartTLS), with AD's attributes emulated by a schema.
describe('LDAP sign-in against slapd', () => {
  let slapd: Slapd;
  const secrets = { bindPassword: SERVICE_PASSWORD };
  let openldap: LdapConfig;
  let ad: LdapConfig;

  before(async () => {
    slapd = await Slapd.start();
    openldap = parseLdapConfig({ preset: 'openldap', url: slapd.ldapsUrl, caPem: slapd.caPem, bindDn: SERVICE_DN, baseDn: SUFFIX });
    ad = parseLdapConfig({ preset: 'active-directory', url: slapd.ldapsUrl, caPem: slapd.caPem, bindDn: SERVICE_DN, baseDn: SUFFIX });
  });
  after(async () => slapd?.stop());

  it('signs in an OpenLDAP person by uid or by email, with entryUUID as the id and memberOf as groups', async () => {
    const byUid = await authenticateWithDirectory(openldap, secrets, 'grace', 'grace-password');
    assert.equal(byUid.username, 'grace');
    assert.equal(byUid.email, 'grace@example.test');
    assert.equal(byUid.name, 'Grace Hopper');
    assert.match(byUid.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(byUid.groups.sort(), [`cn=support,ou=groups,${SUFFIX}`, `cn=vip,ou=groups,${SUFFIX}`]);
    const byEmail = await authenticateWithDirectory(openldap, secrets, 'GRACE@example.test', 'grace-password');
    assert.equal(byEmail.id, byUid.id);
  });

  it('signs in an AD-shaped person by sAMAccountName or userPrincipalName, objectGUID in AD’s printed form', async () => {
    for (const username of ['ada', 'ada@corp.example.test']) {
      const person = await authenticateWithDirectory(ad, secrets, username, 'ada-password');
      assert.equal(person.id, '04030201-0605-0807-090a-0b0c0d0e0f10');
      assert.equal(person.username, 'ada');
      assert.equal(person.name, 'Ada Lovelace');
      assert.deepEqual(person.groups, [`cn=support,ou=groups,${SUFFIX}`]);
    }
  });

  it('refuses a wrong password, an empty password (an unauthenticated bind) and an unknown username alike', async () => {
    for (const [username, password] of [['grace', 'wrong'], ['grace', ''], ['nobody', 'grace-password']] as const) {
      await assert.rejects(authenticateWithDirectory(openldap, secrets, username, password), { code: 'auth.invalid_credentials' });
    }
  });

  it('refuses filter injection in the username: it matches no one', async () => {
    for (const username of ['*', 'gr*', ')(uid=*', '*)(|(uid=*', 'grace)(uid=*', 'grace\u0000', '\u0000', '\\2a']) {
      await assert.rejects(authenticateWithDirectory(openldap, secrets, username, 'grace-password'), { code: 'auth.invalid_credentials' }, username);
    }
  });

  it('refuses a disabled AD account (userAccountControl bit 2), and says so only to whoever knows its password', async () => {
    await assert.rejects(authenticateWithDirectory(ad, secrets, 'bob', 'bob-password'), { code: 'auth.account_disabled' });
    await assert.rejects(authenticateWithDirectory(ad, secrets, 'bob', 'wrong'), { code: 'auth.invalid_credentials' });
  });

  it('keeps direct groups with nested groups on; slapd does not know LDAP_MATCHING_RULE_IN_CHAIN and adds none', async () => {
    const person = await authenticateWithDirectory({ ...ad, nestedGroups: true }, secrets, 'ada', 'ada-password');
    assert.deepEqual(person.groups, [`cn=support,ou=groups,${SUFFIX}`]);
  });

  it('works over StartTLS on ldap://', async () => {
    const person = await authenticateWithDirectory({ ...openldap, url: slapd.ldapUrl, startTls: true }, secrets, 'linus', 'linus-password');
    assert.equal(person.username, 'linus');
  });

  it('refuses a certificate that does not chain to the pasted CA, as unreachable, letting no one in', async () => {
    const otherCa = (await Slapd.start());
    try {
      await assert.rejects(authenticateWithDirectory({ ...openldap, caPem: otherCa.caPem }, secrets, 'grace', 'grace-password'), { code: 'sso.ldap.unreachable' });
    } finally {
      await otherCa.stop();
    }
  });

  it('answers a wrong service password with sso.ldap.service_bind_failed', async () => {
    await assert.rejects(authenticateWithDirectory(openldap, { bindPassword: 'wrong' }, 'grace', 'grace-password'), { code: 'sso.ldap.service_bind_failed' });
  });

  it('answers a directory that is not there with sso.ldap.unreachable (503)', async () => {
    const config = { ...openldap, url: 'ldaps://127.0.0.1:1', timeoutMs: 1_000 };
    await assert.rejects(authenticateWithDirectory(config, secrets, 'grace', 'grace-password'), { code: 'sso.ldap.unreachable', status: 503 });
  });

  it('refuses plain ldap:// off loopback, and a user filter without {username}', () => {
    const base = { preset: 'openldap', caPem: '', bindDn: SERVICE_DN, baseDn: SUFFIX };
    assert.throws(() => parseLdapConfig({ ...base, url: 'ldap://dc.example.test' }), { code: 'app.config_invalid' });
    assert.ok(parseLdapConfig({ ...base, url: 'ldap://dc.example.test', startTls: true }));
    assert.ok(parseLdapConfig({ ...base, url: 'ldap://127.0.0.1:3389' }));
    assert.throws(() => parseLdapConfig({ ...base, url: 'ldaps://dc.example.test', userFilter: '(uid=*)' }), { code: 'app.config_invalid' });
  });
});

describe('LDAP Test diagnostics against slapd', () => {
  let slapd: Slapd;
  let config: LdapConfig;
  before(async () => {
    slapd = await Slapd.start();
    config = parseLdapConfig({ preset: 'active-directory', url: slapd.ldapsUrl, caPem: slapd.caPem, bindDn: SERVICE_DN, baseDn: SUFFIX });
  });
  after(async () => slapd?.stop());

  it('connects, binds, finds the sample person and shows their mapped attributes', async () => {
    const { checks, sample } = await diagnoseDirectory(config, { bindPassword: SERVICE_PASSWORD }, 'ada');
    assert.deepEqual(checks.map((c) => [c.name, c.ok]), [['connect', true], ['service_bind', true], ['search', true]]);
    assert.deepEqual(sample, {
      id: '04030201-0605-0807-090a-0b0c0d0e0f10', dn: `cn=Ada Lovelace,ou=ad,${SUFFIX}`, username: 'ada', email: 'ada@example.test',
      name: 'Ada Lovelace', groups: [`cn=support,ou=groups,${SUFFIX}`], disabled: false,
    });
  });

  it('names the step that fails: the service bind, the search, a disabled sample, the connection', async () => {
    const bind = await diagnoseDirectory(config, { bindPassword: 'wrong' }, 'ada');
    assert.deepEqual(bind.checks.map((c) => [c.name, c.ok]), [['connect', true], ['service_bind', false]]);
    const search = await diagnoseDirectory(config, { bindPassword: SERVICE_PASSWORD }, 'nobody');
    const { message, ...searchCheck } = search.checks.at(-1)!;
    assert.deepEqual(searchCheck, { name: 'search', ok: false, detail: `the user filter finds no single entry for nobody under ${SUFFIX} (none, several, or one without objectGUID or sAMAccountName)` });
    // The same detail as a message, for the console to say in the page's language.
    assert.equal(checkDetailText(message, 'de'), `Der Benutzerfilter findet unter ${SUFFIX} keinen eindeutigen Eintrag für nobody (keinen, mehrere oder einen ohne objectGUID oder sAMAccountName)`);
    const disabled = await diagnoseDirectory(config, { bindPassword: SERVICE_PASSWORD }, 'bob');
    assert.deepEqual(disabled.checks.at(-1)!.name, 'account');
    const down = await diagnoseDirectory({ ...config, url: 'ldaps://127.0.0.1:1', timeoutMs: 1_000 }, { bindPassword: SERVICE_PASSWORD }, 'ada');
    assert.deepEqual(down.checks.map((c) => [c.name, c.ok]), [['connect', false]]);
  });
});
