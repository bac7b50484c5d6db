import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AuditLog } from '../../../src/core/audit.ts';
import { SignInThrottle, THROTTLE_POLICY } from '../../../src/core/throttle.ts';
import { parseLdapConfig, type LdapConfig } from '../../../src/protocols/ldap/settings.ts';
import { checkDirectoryPassword } from '../../../src/protocols/ldap/sign-in.ts';
import type { Database } from '../../../src/storage/database.ts';
import { freshDatabase } from '../../helpers/database.ts';
import { SERVICE_DN, SERVICE_PASSWORD, Slapd, SUFFIX } from '../../peers/slapd.ts';

// The password form's throttle around the directory's check, against slapd over LDAPS.
describe('LDAP sign-in throttling', () => {
  let slapd: Slapd;
  let db: Database;
  let config: LdapConfig;
  let now = new Date('2026-12-02T12:00:00Z');
  const clock = { now: () => now };
  const secrets = { bindPassword: SERVICE_PASSWORD };
  const appId = '00000000-0000-4000-8000-000000000001';
  let throttle: SignInThrottle;

  before(async () => {
    [slapd, db] = await Promise.all([Slapd.start(), freshDatabase()]);
    config = parseLdapConfig({ preset: 'openldap', url: slapd.ldapsUrl, caPem: slapd.caPem, bindDn: SERVICE_DN, baseDn: SUFFIX });
    throttle = new SignInThrottle(db, clock, new AuditLog(db));
  });
  after(async () => Promise.all([slapd?.stop(), db?.close()]));

  const attempt = (username: string, password: string) =>
    checkDirectoryPassword(throttle, config, secrets, { appId, audience: 'users', username, password, ip: '203.0.113.7' });

  it('signs in and hands the completion path a profile keyed by the directory id, its email not taken as verified', async () => {
    const { person, profile } = await attempt('grace', 'grace-password');
    assert.equal(profile.subject, person.id);
    assert.equal(profile.email, 'grace@example.test');
    assert.equal(profile.emailVerified, false);
    assert.equal(profile.name, 'Grace Hopper');
  });

  it('refuses even the right password after the free wrong guesses, then lets it in once the back-off ends', async () => {
    for (let i = 0; i < THROTTLE_POLICY.pairFreeFailures; i++) {
      await assert.rejects(attempt('linus', `wrong-${i}`), { code: 'auth.invalid_credentials' });
    }
    await assert.rejects(attempt('linus', 'linus-password'), { code: 'auth.throttled' });
    // Unknown names are counted the same way: guessing who exists buys no extra tries.
    for (let i = 0; i < THROTTLE_POLICY.pairFreeFailures; i++) {
      await assert.rejects(attempt('no-such-person', 'x'), { code: 'auth.invalid_credentials' });
    }
    await assert.rejects(attempt('no-such-person', 'x'), { code: 'auth.throttled' });
    now = new Date(now.getTime() + THROTTLE_POLICY.pairBaseDelayMs + 1_000);
    const { person } = await attempt('linus', 'linus-password');
    assert.equal(person.username, 'linus');
  });

  it('counts no failure when the directory is down, and lets no one in', async () => {
    const down = { ...config, url: 'ldaps://127.0.0.1:1', timeoutMs: 1_000 };
    for (let i = 0; i < THROTTLE_POLICY.pairFreeFailures + 2; i++) {
      await assert.rejects(checkDirectoryPassword(throttle, down, secrets, { appId, audience: 'users', username: 'grace', password: 'grace-password', ip: '203.0.113.8' }), { code: 'sso.ldap.unreachable' });
    }
    const { person } = await checkDirectoryPassword(throttle, config, secrets, { appId, audience: 'users', username: 'grace', password: 'grace-password', ip: '203.0.113.8' });
    assert.equal(person.username, 'grace');
  });
});
