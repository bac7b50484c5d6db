import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Services } from '../../../src/core/services.ts';
import { profileFromClaims } from '../../../src/protocols/oidc/profile.ts';
import { oidcSettingsOf } from '../../../src/protocols/oidc/presets.ts';
import { issuerOf } from '../../../src/protocols/oidc/provider-config.ts';
import { rejectsWithCode } from '../../helpers/assertions.ts';
import { testServices } from '../../helpers/services.ts';

// The presets as an admin installs them: which issuer each one trusts, and how the claims of
// its ID tokens become a profile. (The full flows are in test/http/oidc-*.test.ts.)

const cli = { type: 'cli' } as const;
const secret = { clientId: 'client', clientSecret: 'secret' };

describe('OIDC presets', () => {
  let s: Services;
  before(async () => {
    s = await testServices();
  });
  after(async () => {
    await s.db.close();
  });

  const install = (type: 'google' | 'microsoft' | 'okta' | 'onelogin' | 'oidc', config: Record<string, unknown>) =>
    s.apps.create({ audience: 'users', type, config: { ...secret, ...config } }, cli);

  it('derives each preset\'s issuer from the short value the admin types', async () => {
    assert.equal(issuerOf(await install('google', {})), 'https://accounts.google.com');
    assert.equal(
      issuerOf(await install('microsoft', { tenant: '6f1c2a4e-0000-4000-8000-00000000e1a7' })),
      'https://login.microsoftonline.com/6f1c2a4e-0000-4000-8000-00000000e1a7/v2.0',
    );
    assert.equal(issuerOf(await install('okta', { domain: 'Acme.okta.com' })), 'https://acme.okta.com');
    assert.equal(issuerOf(await install('onelogin', { domain: 'acme.onelogin.com' })), 'https://acme.onelogin.com/oidc/2');
  });

  it('refuses a Microsoft tenant that could never sign anyone in (organizations, common, a domain)', async () => {
    for (const tenant of ['organizations', 'common', 'acme.onmicrosoft.com', 'not-a-guid']) {
      await rejectsWithCode(install('microsoft', { tenant }), 'app.config_invalid');
    }
  });

  it('lets Okta, OneLogin and Microsoft override the issuer (https only), never Google', async () => {
    const custom = await install('okta', { domain: 'acme.okta.com', issuer: 'https://acme.okta.com/oauth2/default' });
    assert.equal(issuerOf(custom), 'https://acme.okta.com/oauth2/default');
    await rejectsWithCode(install('okta', { domain: 'acme.okta.com', issuer: 'http://acme.okta.com/oauth2/default' }), 'app.config_invalid');
    await rejectsWithCode(install('google', { issuer: 'https://evil.example' }), 'app.config_invalid');
  });

  it('checks Google\'s signed hd claim against the hosted domains', async () => {
    const google = await install('google', { hostedDomains: ['Example.com'] });
    const base = { sub: 'g-1', email: 'a@example.com', email_verified: true };
    assert.equal(profileFromClaims(google, { ...base, hd: 'example.com' }).subject, 'g-1');
    for (const hd of [undefined, 'other.example', 42]) {
      assert.throws(() => profileFromClaims(google, { ...base, hd }), (e: { code?: string }) => e.code === 'sso.hosted_domain_mismatch');
    }
    const anyDomain = await install('google', {});
    assert.equal(profileFromClaims(anyDomain, base).subject, 'g-1', 'without hosted domains, consumer accounts are fine');
  });

  it('counts only a JSON true as a verified email', async () => {
    const generic = await install('oidc', { issuer: 'https://idp.example.com' });
    for (const [value, verified] of [[true, true], [false, false], ['false', false], ['true', false], [1, false], [undefined, false]] as const) {
      assert.equal(profileFromClaims(generic, { sub: 's', email: 'a@example.com', email_verified: value }).emailVerified, verified, String(value));
    }
  });

  it('uses the configured claim names for email, name and groups', async () => {
    const generic = await install('oidc', { issuer: 'https://idp.example.com', claims: { email: 'mail', name: 'displayName', groups: 'roles' } });
    const profile = profileFromClaims(generic, { sub: 's', mail: 'm@example.com', displayName: 'Dee Splay', roles: ['a', 7, 'b'] });
    assert.equal(profile.email, 'm@example.com');
    assert.equal(profile.name, 'Dee Splay');
    assert.deepEqual(profile.groups, ['a', 'b']);
  });

  it('sends Google\'s hd hint only for exactly one hosted domain', async () => {
    assert.deepEqual(oidcSettingsOf(await install('google', { hostedDomains: ['example.com'] })).authorizationParameters, { hd: 'example.com' });
    assert.equal(oidcSettingsOf(await install('google', { hostedDomains: ['a.example', 'b.example'] })).authorizationParameters, undefined);
    assert.equal(oidcSettingsOf(await install('okta', { domain: 'acme.okta.com' })).authorizationParameters, undefined);
  });

  it('reads a stored app\'s settings once, and refuses a type that is not OIDC', async () => {
    const app = (await s.apps.find((await install('okta', { domain: 'acme.okta.com' })).id))!;
    assert.ok(Object.isFrozen(app.config), 'the registry hands out frozen apps');
    assert.equal(oidcSettingsOf(app), oidcSettingsOf(app), 'one parse per stored config');
    assert.throws(() => oidcSettingsOf({ type: 'jwt', config: {} }), (e: { code?: string }) => e.code === 'sso.protocol_unavailable');
  });
});
