import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { configPathsOf } from '../../src/protocols/config-shape.ts';
import { CONSOLE_OWNED_KEYS } from '../../src/protocols/external-fields.ts';
import { ADMIN_FORMS } from '../../src/protocols/registry.ts';
import { errorCodeOf } from '../helpers/jwt.ts';
import { formFields } from '../helpers/pages.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';

// The install and edit forms of every app type (issue 18 part 1): every setting of each
// preset's schema is a field (derived from the zod shape, so a new key without a field fails
// here), no JSON box anywhere, and POST /admin/apps/validate answers the install's own check.
describe('app forms', () => {
  let server: TestServer;
  let admin: TestClient;

  const validate = async (client: TestClient, page: string, fields: Record<string, string>) =>
    client.postForm('/admin/apps/validate', { _csrf: await client.csrfFrom(page), ...fields });

  before(async () => {
    server = await startTestServer();
    await server.services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    await server.services.people.create({ audience: 'agents', name: 'Bob Agent', email: 'bob@example.com', password: PASSWORD });
    admin = server.client();
    assert.equal((await admin.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
  });
  after(async () => {
    await server.close();
  });

  it('reaches every key of every preset’s schema through a field (or says who sets it)', () => {
    assert.ok(ADMIN_FORMS.length >= 12, 'every type, and the vendors in SAML mode');
    for (const { type, protocol, preset } of ADMIN_FORMS) {
      const reachable = [...preset.fields.map((f) => f.key), ...(preset.managedKeys ?? []), ...CONSOLE_OWNED_KEYS];
      for (const path of configPathsOf(preset.schema)) {
        assert.ok(reachable.some((key) => path === key || path.startsWith(`${key}.`)), `${type}${protocol ? ` (${protocol})` : ''}: ${path} has no field`);
      }
      for (const field of preset.fields) assert.ok(field.hint, `${type}: ${field.key} says what it does`);
    }
  });

  it('draws every field on the install form of each type and mode, and no JSON box', async () => {
    for (const { type, protocol, preset } of ADMIN_FORMS) {
      for (const audience of ['users', 'agents']) {
        const page = await admin.get(`/admin/apps/new?audience=${audience}&type=${type}${protocol ? `&protocol=${protocol}` : ''}`);
        assert.equal(page.status, 200);
        assert.doesNotMatch(page.text, /name="configJson"/, `${type}: no JSON settings`);
        for (const field of preset.fields) assert.match(page.text, new RegExp(`name="config\\.${field.key.replace('.', '\\.')}"`), `${type} ${protocol ?? ''}: ${field.key}`);
        assert.match(page.text, /<legend>Connection<\/legend>/);
      }
    }
  });

  it('shows the catalogue as cards grouped by kind, each leading to its install form', async () => {
    const page = await admin.get('/admin/apps/new?audience=agents');
    for (const group of ['Identity services', 'Protocols', 'Directory']) assert.match(page.text, new RegExp(`<h2 id="catalogue-\\d">${group}</h2>`));
    assert.match(page.text, /href="\/admin\/apps\/new\?audience=agents&amp;type=okta&amp;protocol=saml">Okta \(SAML\)</);
    assert.match(page.text, /<svg class="mark"[^>]*aria-hidden="true"/);
  });

  it('shows the values to copy before install, from the slug', async () => {
    const oidc = await admin.get('/admin/apps/new?audience=users&type=oidc');
    const slug = /name="slug" type="text" value="([^"]+)"/.exec(oidc.text)![1]!;
    assert.equal(slug, 'oidc-users');
    for (const path of ['callback', 'backchannel-logout']) assert.match(oidc.text, new RegExp(`value="http://[^"]+/sso/${slug}/${path}" data-copy=`));
    assert.match(oidc.text, /Post-logout redirect URI/);
    const saml = await admin.get('/admin/apps/new?audience=users&type=okta&protocol=saml');
    for (const path of ['saml/acs', 'saml/slo', 'saml/metadata']) assert.match(saml.text, new RegExp(`/sso/okta-users/${path}" data-copy=`));
    assert.match(saml.text, /name="config.protocol" value="saml"/);
    assert.match(saml.text, /<textarea id="f-copy-spCertificate" readonly rows="4" data-copy="SP certificate \(PEM\)">-----BEGIN CERTIFICATE-----/, 'the SP certificate before install');
  });

  it('validates as you type: the install’s own problems per field, and the copy values of the slug', async () => {
    const page = '/admin/apps/new?audience=users&type=oidc';
    const fields: Record<string, string> = { ...formFields((await admin.get(page)).text, '/admin/apps'), slug: 'staff-idp', 'config.issuer': 'ftp://idp.example.com', 'config.scopes': 'openid\nbad"scope' };
    delete fields._csrf;
    const apps = (await server.services.apps.list()).length;
    const audit = (await server.services.audit.list({ limit: 500 })).length;
    const answer = await validate(admin, page, fields);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.json.problems['config.issuer'], 'Invalid URL', 'zod’s own message, as the install shows it');
    assert.ok(answer.json.problems['config.scopes'], 'a list problem lands on its box');
    assert.equal(answer.json.copy['Redirect URI (callback)'], `${server.services.config.publicUrl.origin}/sso/staff-idp/callback`);

    const noSecret = await validate(admin, page, { ...fields, 'config.issuer': 'https://idp.example.com', 'config.scopes': 'openid\nemail', 'config.clientId': 'abc' });
    assert.deepEqual(Object.keys(noSecret.json.problems), ['config.clientSecret'], 'the cross-field check lands on its field');
    const fixed = await validate(admin, page, { ...fields, 'config.issuer': 'https://idp.example.com', 'config.scopes': 'openid\nemail', 'config.clientId': 'abc', 'config.clientSecret': 's3cret' });
    assert.deepEqual(fixed.json.problems, {});
    const taken = await validate(admin, page, { ...fields, slug: 'Not A Slug' });
    assert.ok(taken.json.problems.slug);
    assert.deepEqual(taken.json.copy, {}, 'no addresses without a slug');
    const saml = await validate(admin, '/admin/apps/new?audience=users&type=saml', { audience: 'users', type: 'saml', slug: 'idp', name: 'IdP', configFields: '1' });
    assert.match(saml.json.problems['config.idpMetadataUrl'], /metadata/, 'a check across fields is shown at the first field');
    assert.equal((await server.services.apps.list()).length, apps, 'nothing installed');
    assert.equal((await server.services.audit.list({ limit: 500 })).length, audit, 'nothing audited');
  });

  it('refuses a validation without this browser’s CSRF token, or from an agent who is not an admin', async () => {
    const fields = { audience: 'users', type: 'oidc', slug: 'x', 'config.issuer': 'ftp://x' };
    for (const token of [undefined, 'forged']) {
      const answer = await admin.postForm('/admin/apps/validate', { ...fields, ...(token ? { _csrf: token } : {}) });
      assert.equal(answer.status, 403);
      assert.equal(errorCodeOf(answer), 'request.csrf_invalid');
    }
    const agent = server.client();
    await agent.signIn('bob@example.com', PASSWORD, 'agents');
    const answer = await agent.postForm('/admin/apps/validate', { ...fields, _csrf: (await agent.apiCsrfHeader())['x-csrf-token']! });
    assert.equal(answer.status, 403);
    assert.equal(errorCodeOf(answer), 'auth.forbidden');
    const anonymous = await server.client().postForm('/admin/apps/validate', fields);
    assert.notEqual(anonymous.status, 200);
  });

  it('installs a SAML app from its fields and saves the edit form unchanged as it was', async () => {
    const page = '/admin/apps/new?audience=agents&type=saml';
    const form = (await admin.get(page)).text;
    const fields = formFields(form, '/admin/apps');
    const certificateShown = /data-copy="SP certificate \(PEM\)">([^<]+)<\/textarea>/.exec(form)?.[1];
    assert.equal(fields['config.wantAssertionsSigned'], 'on', 'the safe default is ticked');
    assert.equal(fields['config.allowIdpInitiated'], undefined);
    const installed = await admin.postForm('/admin/apps', {
      ...fields, slug: 'corp', 'config.idpEntityId': 'https://idp.example.com', 'config.idpSsoUrl': 'https://idp.example.com/sso',
      'config.idpCertificate': `-----BEGIN CERTIFICATE-----\n${'A'.repeat(120)}\n-----END CERTIFICATE-----`, 'config.attributes.email': 'mail',
      'config.nameIdFormat': 'persistent', 'config.metadataRefreshHours': '12',
    });
    assert.equal(installed.status, 303, installed.text);
    const app = await server.services.apps.require('corp');
    assert.equal(app.config.wantAssertionsSigned, true);
    assert.equal(app.config.allowIdpInitiated, false);
    assert.equal(app.config.nameIdFormat, 'persistent');
    assert.equal(app.config.metadataRefreshHours, 12);
    assert.deepEqual(app.config.attributes, { email: 'mail' });
    assert.ok(fields.spKeyOffer, 'the form carries its SP key pair, sealed');
    assert.doesNotMatch(fields.spKeyOffer!, /PRIVATE KEY/);
    assert.match(certificateShown ?? '', /^-----BEGIN CERTIFICATE-----/);
    assert.equal(app.config.spCertificate, certificateShown?.trim(), 'the pair whose certificate the form showed is the one kept');
    assert.ok((await server.services.apps.secretsOf(app.id)).spPrivateKey, 'its private key among the secrets');

    const edit = await admin.get(`/admin/apps/${app.id}`);
    assert.match(edit.text, /SP certificate \(PEM\)/, 'the SP certificate to copy');
    assert.doesNotMatch(edit.text, /name="configJson"/);
    const saved = await admin.postForm(`/admin/apps/${app.id}`, formFields(edit.text, `/admin/apps/${app.id}`));
    assert.equal(saved.status, 303, saved.text);
    assert.deepEqual((await server.services.apps.require(app.id)).config, app.config, 'an untouched form changes nothing');

    const cleared = await admin.postForm(`/admin/apps/${app.id}`, { ...formFields(edit.text, `/admin/apps/${app.id}`), 'config.attributes.email': '', 'config.allowSha1': 'on' });
    assert.equal(cleared.status, 303, cleared.text);
    const after = await server.services.apps.require(app.id);
    assert.deepEqual(after.config.attributes, {}, 'an emptied field is unset');
    assert.equal(after.config.allowSha1, true);
  });

  it('installs Okta in SAML mode from its card; an altered SP key offer is ignored and a fresh pair made', async () => {
    const page = '/admin/apps/new?audience=users&type=okta&protocol=saml';
    const fields = formFields((await admin.get(page)).text, '/admin/apps');
    assert.equal(fields['config.protocol'], 'saml');
    const altered = `${fields.spKeyOffer!.slice(0, -4)}AAAA`;
    const installed = await admin.postForm('/admin/apps', { ...fields, spKeyOffer: altered, slug: 'okta-saml', 'config.domain': 'acme.okta.com', 'config.appId': 'exk1abc' });
    assert.equal(installed.status, 303, installed.text);
    const app = await server.services.apps.require('okta-saml');
    assert.equal(app.config.protocol, 'saml');
    assert.equal(app.config.domain, 'acme.okta.com');
    assert.match(String(app.config.spCertificate), /BEGIN CERTIFICATE/, 'a pair of its own');
    assert.ok((await server.services.apps.secretsOf(app.id)).spPrivateKey);
    const edit = await admin.get(`/admin/apps/${app.id}`);
    assert.match(edit.text, /name="config.appId"/, 'the edit form is the SAML one');
    assert.match(edit.text, /\/sso\/okta-saml\/saml\/acs/);
  });

  it('saves the edit form of every type untouched without changing the config', async () => {
    const client = { clientId: 'frontdoor', clientSecret: 'a-client-secret' };
    const configs: [string, Record<string, unknown>][] = [
      ['oidc', { issuer: 'https://idp.example.com', ...client, scopes: ['openid', 'email'], claims: { email: 'mail', name: 'name', groups: 'roles' } }],
      ['google', { ...client, hostedDomains: ['example.com', 'example.org'] }],
      ['microsoft', { tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47', ...client }],
      ['okta', { domain: 'acme.okta.com', ...client, clientAuth: 'client_secret_post', postLogoutRedirectUri: 'https://help.example.com/' }],
      ['onelogin', { domain: 'acme.onelogin.com', ...client }],
      ['github', { ...client }],
      ['jwt', { remoteLoginUrl: 'https://www.example.com/login', sharedSecret: 'x'.repeat(40), issuer: 'www', maxTokenAgeSeconds: 120, mapGroups: true }],
      ['ldap', { preset: 'openldap', url: 'ldaps://ldap.example.com', bindDn: 'cn=frontdoor,dc=example,dc=com', bindPassword: 'pw', baseDn: 'dc=example,dc=com', nestedGroups: true }],
      ['onelogin', { protocol: 'saml', domain: 'acme.onelogin.com', appId: '12345', allowIdpInitiated: true }],
    ];
    for (const [type, config] of configs) {
      const app = await server.services.apps.create({ audience: 'users', type, config }, { type: 'cli' });
      const page = await admin.get(`/admin/apps/${app.id}`);
      assert.doesNotMatch(page.text, /name="configJson"/);
      const saved = await admin.postForm(`/admin/apps/${app.id}`, formFields(page.text, `/admin/apps/${app.id}`));
      assert.equal(saved.status, 303, `${type}: ${saved.text.slice(0, 400)}`);
      assert.deepEqual((await server.services.apps.require(app.id)).config, app.config, type);
      assert.deepEqual((await server.services.apps.require(app.id)).secretsSet, app.secretsSet, `${type}: the secrets stay`);
    }
  });

  it('keeps what was typed and shows each problem next to its field when the submit is refused (no script)', async () => {
    const page = '/admin/apps/new?audience=users&type=jwt';
    const fields = formFields((await admin.get(page)).text, '/admin/apps');
    const refused = await admin.postForm('/admin/apps', { ...fields, slug: 'site', 'config.remoteLoginUrl': 'not a url', 'config.maxTokenAgeSeconds': '5' });
    assert.equal(refused.status, 400);
    assert.equal(errorCodeOf(refused), 'app.config_invalid');
    assert.match(refused.text, /id="f-config-remoteLoginUrl-error"/);
    assert.match(refused.text, /id="f-config-maxTokenAgeSeconds-error"/);
    assert.match(refused.text, /value="not a url"/);
    assert.equal(await server.services.apps.find('site'), undefined);
  });
});
