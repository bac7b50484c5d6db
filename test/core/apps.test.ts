import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Services } from '../../src/core/services.ts';
import { testServices } from '../helpers/services.ts';
import { rejectsWithCode } from '../helpers/assertions.ts';

const admin = { type: 'cli' } as const;
const oidcConfig = { issuer: 'https://idp.example.com', clientId: 'frontdoor', clientSecret: 's3cret-value' };

describe('auth-app registry', () => {
  let s: Services;
  before(async () => {
    s = await testServices();
  });
  after(async () => {
    await s.db.close();
  });

  it('has the built-in password app for both audiences, enabled', async () => {
    const users = await s.apps.passwordApp('users');
    const agents = await s.apps.passwordApp('agents');
    assert.equal(users.enabled, true);
    assert.equal(agents.enabled, true);
    assert.equal(users.sso, 'disabled');
  });

  it('keeps secrets out of the stored config and returns only their names', async () => {
    const app = await s.apps.create({ audience: 'users', type: 'oidc', config: oidcConfig }, admin);
    assert.deepEqual(app.secretsSet, ['clientSecret']);
    assert.equal('clientSecret' in app.config, false);
    assert.deepEqual(await s.apps.secretsOf(app.id), { clientSecret: 's3cret-value' });
    const [raw] = await s.db.query<{ secrets: Uint8Array; config: unknown }>('SELECT secrets, config FROM auth_apps WHERE id = $1', [app.id]);
    assert.equal(Buffer.from(raw!.secrets).includes('s3cret-value'), false, 'secret is encrypted at rest');
    assert.equal(JSON.stringify(raw!.config).includes('s3cret'), false);
    await s.apps.update(app.id, { config: { clientId: 'renamed' } }, admin);
    assert.deepEqual(await s.apps.secretsOf(app.id), { clientSecret: 's3cret-value' }, 'a PATCH without the secret keeps it');
    await s.apps.remove(app.id, admin);
  });

  // Issue 17: types come from the protocol registry; the database only checks their format
  // (migration 0010), so a new protocol (ldap) or preset (github) needs no migration.
  it('accepts the types the protocol registry lists, refuses others before writing, and the database takes any well-formed type', async () => {
    const before = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM auth_apps');
    await rejectsWithCode(s.apps.create({ audience: 'users', type: 'kerberos', config: {} }, admin), 'app.config_invalid');
    assert.deepEqual(await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM auth_apps'), before);
    await s.db.query(
      `INSERT INTO auth_apps (slug, audience, type, name, config, secret_names) VALUES ('later-protocol', 'users', 'ldap', 'Directory', '{}', '{}')`,
    );
    await s.db.query(`DELETE FROM auth_apps WHERE slug = 'later-protocol'`);
    await assert.rejects(
      s.db.query(`INSERT INTO auth_apps (slug, audience, type, name, config, secret_names) VALUES ('bad-type', 'users', 'Not A Type', 'x', '{}', '{}')`),
      /auth_apps_type_format/,
    );
  });

  it('refuses an invalid config with the field named, and stores nothing', async () => {
    const before = (await s.apps.list()).length;
    await rejectsWithCode(
      s.apps.create({ audience: 'users', type: 'oidc', config: { issuer: 'ftp://x', clientId: '' } }, admin),
      'app.config_invalid',
      (error) => assert.match(error.message, /config\.issuer/),
    );
    assert.equal((await s.apps.list()).length, before);
  });

  it('makes B automatic and demotes A in one step', async () => {
    const a = await s.apps.create({ audience: 'users', type: 'oidc', name: 'A', sso: 'automatic', config: oidcConfig }, admin);
    assert.equal(a.sso, 'automatic');
    const b = await s.apps.create({ audience: 'users', type: 'google', name: 'B', config: { clientId: 'g', clientSecret: 'g-secret' } }, admin);
    await s.apps.update(b.id, { sso: 'automatic' }, admin);
    assert.equal((await s.apps.require(a.id)).sso, 'disabled');
    assert.equal((await s.apps.require(b.id)).sso, 'automatic');
    assert.equal((await s.apps.automaticApp('users'))?.id, b.id);
    // The other audience is untouched by the switch.
    assert.equal(await s.apps.automaticApp('agents'), undefined);
    const events = await s.audit.list({ action: 'app.sso_changed' });
    assert.ok(events.some((e) => e.target?.id === a.id && e.details.to === 'disabled'), 'the demotion is audited');
    await s.apps.remove(a.id, admin);
    await s.apps.remove(b.id, admin);
  });

  it('leaves exactly one automatic app when many switch at once', async () => {
    const apps = await Promise.all(
      Array.from({ length: 8 }, (_, i) => s.apps.create({ audience: 'agents', type: 'oidc', name: `Race ${i}`, config: oidcConfig }, admin)),
    );
    const results = await Promise.allSettled(apps.map((app) => s.apps.update(app.id, { sso: 'automatic' }, admin)));
    assert.ok(results.every((r) => r.status === 'fulfilled'), 'every switch succeeds: the last one wins');
    const automatic = (await s.apps.list('agents')).filter((app) => app.sso === 'automatic');
    assert.equal(automatic.length, 1);
    for (const app of apps) await s.apps.update(app.id, { sso: 'disabled' }, admin);
    for (const app of apps) await s.apps.remove(app.id, admin);
  });

  it('never makes the password app or a disabled app automatic', async () => {
    const password = await s.apps.passwordApp('users');
    await rejectsWithCode(s.apps.update(password.id, { sso: 'automatic' }, admin), 'app.cannot_be_automatic');
    const off = await s.apps.create({ audience: 'users', type: 'oidc', enabled: false, config: oidcConfig }, admin);
    await rejectsWithCode(s.apps.update(off.id, { sso: 'automatic' }, admin), 'app.cannot_be_automatic');
    assert.equal((await s.apps.require(off.id)).sso, 'disabled');
    await s.apps.remove(off.id, admin);
  });

  it('takes a disabled app out of automatic mode', async () => {
    const app = await s.apps.create({ audience: 'users', type: 'oidc', sso: 'automatic', config: oidcConfig }, admin);
    const updated = await s.apps.update(app.id, { enabled: false }, admin);
    assert.equal(updated.sso, 'disabled');
    assert.equal(await s.apps.automaticApp('users'), undefined);
    await s.apps.remove(app.id, admin);
  });

  it('lets the Users password app be turned off, but not the last Agents sign-in method', async () => {
    const users = await s.apps.passwordApp('users');
    assert.equal((await s.apps.update(users.id, { enabled: false }, admin)).enabled, false);
    await s.apps.update(users.id, { enabled: true }, admin);

    const agents = await s.apps.passwordApp('agents');
    await rejectsWithCode(s.apps.update(agents.id, { enabled: false }, admin), 'app.last_admin_sign_in');
    assert.equal((await s.apps.passwordApp('agents')).enabled, true, 'refusal changed nothing');

    const sso = await s.apps.create({ audience: 'agents', type: 'okta', config: { domain: 'acme.okta.com', clientId: 'x', clientSecret: 'x-secret' } }, admin);
    await s.apps.update(agents.id, { enabled: false }, admin);
    await rejectsWithCode(s.apps.remove(sso.id, admin), 'app.last_admin_sign_in');
    await rejectsWithCode(s.apps.update(sso.id, { enabled: false }, admin), 'app.last_admin_sign_in');
    await s.apps.update(agents.id, { enabled: true }, admin);
    await s.apps.remove(sso.id, admin);
  });

  it('never removes the built-in password app or creates a second one', async () => {
    await rejectsWithCode(s.apps.remove('password-users', admin), 'app.password_not_removable');
    await rejectsWithCode(s.apps.create({ audience: 'users', type: 'password' }, admin), 'app.password_unique');
  });

  it('refuses a taken slug', async () => {
    const app = await s.apps.create({ audience: 'users', type: 'oidc', slug: 'acme', config: oidcConfig }, admin);
    await rejectsWithCode(s.apps.create({ audience: 'agents', type: 'oidc', slug: 'acme', config: oidcConfig }, admin), 'app.slug_taken');
    await s.apps.remove(app.id, admin);
  });

  it('asks the app\'s protocol where a forgotten password is changed (JWT: the site\'s login page)', async () => {
    const oidc = await s.apps.create({ audience: 'users', type: 'oidc', config: { ...oidcConfig, lostPasswordUrl: 'https://idp.example.com/forgot' } }, admin);
    const jwtConfig = { remoteLoginUrl: 'https://shop.example.com/login', sharedSecret: 'x'.repeat(40) };
    const jwt = await s.apps.create({ audience: 'users', type: 'jwt', config: jwtConfig }, admin);
    const jwtOwn = await s.apps.create({ audience: 'users', type: 'jwt', config: { ...jwtConfig, lostPasswordUrl: 'https://shop.example.com/forgot' } }, admin);
    const github = await s.apps.create({ audience: 'users', type: 'github', config: { clientId: 'Ov23li', clientSecret: 'f'.repeat(40) } }, admin);
    assert.equal(s.apps.lostPasswordUrlOf(oidc), 'https://idp.example.com/forgot');
    assert.equal(s.apps.lostPasswordUrlOf(jwt), 'https://shop.example.com/login');
    assert.equal(s.apps.lostPasswordUrlOf(jwtOwn), 'https://shop.example.com/forgot');
    assert.equal(s.apps.lostPasswordUrlOf(github), undefined);
    assert.equal(s.apps.lostPasswordUrlOf(await s.apps.passwordApp('users')), undefined);
    for (const app of [oidc, jwt, jwtOwn, github]) await s.apps.remove(app.id, admin);
  });
});
