import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertRefused, createsNothing } from '../helpers/attacks.ts';
import { callbackUrlFor, signInThroughProvider } from '../helpers/oidc-flow.ts';
import { formFields } from '../helpers/pages.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';
import { startOidcPeer, type OidcPeer } from '../peers/oidc-provider.ts';

// Issue 14, defect 3: an Agents OIDC app as installed must neither link a sign-in to an existing
// admin by email nor skip that admin's own 2FA; and the settings that decide it are labelled
// switches on the install form and the app page, not keys in a JSON box.

const PASSWORD = 'correct horse battery';
const CLIENT = { clientId: 'frontdoor-staff', clientSecret: 'staff-client-secret' };

describe('trust settings of external apps: safe defaults per audience, shown as switches', () => {
  let server: TestServer;
  let peer: OidcPeer;
  let admin: TestClient;
  let adminId: string;

  before(async () => {
    server = await startTestServer();
    peer = await startOidcPeer({
      clients: [{ ...CLIENT, redirectUris: [callbackUrlFor(server, 'staff-idp')] }],
      accounts: [{ id: 'ada-at-idp', email: 'ada@example.com', email_verified: true, name: 'Ada' }],
    });
    // An admin as `frontdoor admin create` makes one (email vouched for), with 2FA set up here.
    const ada = await server.services.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', password: PASSWORD, isAdmin: true, emailVerified: true });
    adminId = ada.id;
    admin = server.client();
    assert.equal((await admin.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
    await server.services.db.query('UPDATE people SET email_two_factor_at = now() WHERE id = $1', [adminId]);
  });
  after(async () => {
    await peer.close();
    await server.close();
  });

  it('the install form shows each trust setting as a labelled switch with its consequence, the risky ones off for Agents', async () => {
    const form = await admin.get('/admin/apps/new?audience=agents&type=oidc');
    assert.equal(form.status, 200);
    assert.match(form.text, /<legend>Trust and who gets in<\/legend>/);
    for (const label of ['Link to an existing account by a verified email', 'Trust the identity service’s own two-factor check', 'Create agents on first sign-in (Auto Agent)']) {
      assert.ok(form.text.includes(label), label);
    }
    assert.match(form.text, /admins included/, 'the consequence is said');
    const fields = formFields(form.text, '/admin/apps');
    assert.equal(fields['config.trustEmail'], undefined, 'unticked on an Agents app');
    assert.equal(fields['config.trustProviderMfa'], undefined, 'unticked');
    assert.equal(fields['config.autoAgent'], undefined);
    for (const name of ['filter.emailDomains', 'filter.requiredGroup', 'filter.requiredClaimName']) assert.ok(name in fields, name);
    const users = formFields((await admin.get('/admin/apps/new?audience=users&type=oidc')).text, '/admin/apps');
    assert.equal(users['config.trustEmail'], 'on', 'a Users app links verified emails (of proven accounts)');
    assert.equal(users['config.trustProviderMfa'], undefined);
    assert.ok('loginActions.groupMappings' in users);
  });

  it('an Agents OIDC app installed with the form\'s defaults neither links the admin by email nor skips the admin\'s 2FA', async () => {
    const page = await admin.get('/admin/apps/new?audience=agents&type=oidc');
    const fields = {
      ...formFields(page.text, '/admin/apps'),
      name: 'Staff IdP', slug: 'staff-idp', 'config.issuer': peer.issuer, 'config.clientId': CLIENT.clientId, 'config.clientSecret': CLIENT.clientSecret,
    };
    const installed = await admin.postForm('/admin/apps', fields);
    assert.equal(installed.status, 303, installed.text.slice(0, 500));
    const app = await server.services.apps.require('staff-idp');
    assert.equal(app.config.trustEmail, false);
    assert.equal(app.config.trustProviderMfa, false);

    peer.signInAs('ada-at-idp');
    const refused = await createsNothing(server.services.db, () => signInThroughProvider(server, server.client(), '/sso/staff-idp/start'));
    assertRefused(refused, 'sso.email_unverified');
    assert.match(refused.text, /does not join existing accounts by email/);

    // The admin turns linking on knowingly, on the app page; the 2FA switch stays off.
    const detail = await admin.get(`/admin/apps/${app.id}`);
    assert.match(detail.text, /Link to an existing account by a verified email/);
    const settings = { ...formFields(detail.text, `/admin/apps/${app.id}`), 'config.trustEmail': 'on' };
    assert.equal((await admin.postForm(`/admin/apps/${app.id}`, settings)).status, 303);
    const updated = await server.services.apps.require('staff-idp');
    assert.equal(updated.config.trustEmail, true);
    assert.equal(updated.config.trustProviderMfa, false, 'saving the page kept the switch as shown');

    const browser = server.client();
    const linked = await signInThroughProvider(server, browser, '/sso/staff-idp/start');
    assert.equal(linked.status, 303, linked.text.slice(0, 300));
    assert.equal(linked.location, '/agent/login/2fa', 'the admin still gives the second factor set up here');
    assert.equal((await browser.get('/agent')).status, 302, 'nothing is open before it');
  });

  it('an Agents app installed through the admin API gets the same defaults; a Users app links but does not skip 2FA', async () => {
    const key = (await server.services.apiKeys.create('tests', adminId)).key;
    const api = server.client();
    const created = await api.sendJson('POST', '/api/v1/apps', { audience: 'agents', type: 'oidc', slug: 'api-agents', config: { issuer: peer.issuer, clientId: 'x', clientSecret: 'y' } }, { authorization: `Bearer ${key}` });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.app.config.trustEmail, false);
    assert.equal(created.json.app.config.trustProviderMfa, false);
    const users = await api.sendJson('POST', '/api/v1/apps', { audience: 'users', type: 'oidc', slug: 'api-users', config: { issuer: peer.issuer, clientId: 'x', clientSecret: 'y' } }, { authorization: `Bearer ${key}` });
    assert.equal(users.json.app.config.trustEmail, true);
    assert.equal(users.json.app.config.trustProviderMfa, false);
  });

  it('filters and group mappings are fields too, and saved from them', async () => {
    const group = await server.services.usergroups.create('VIP customers');
    const page = await admin.get('/admin/apps/new?audience=users&type=oidc');
    assert.match(page.text, new RegExp(`name="loginActions\\.add\\.${group.id}"`));
    const installed = await admin.postForm('/admin/apps', {
      ...formFields(page.text, '/admin/apps'),
      name: 'Customers IdP', slug: 'customers-idp', 'config.issuer': peer.issuer, 'config.clientId': 'c', 'config.clientSecret': 's',
      'filter.emailDomains': 'example.com, Example.org', 'filter.requiredGroup': 'customers', 'loginActions.groupMappings': 'vip = VIP customers',
    });
    assert.equal(installed.status, 303, installed.text.slice(0, 500));
    const app = await server.services.apps.require('customers-idp');
    assert.deepEqual(app.config.filter, { emailDomains: ['example.com', 'example.org'], requiredGroup: 'customers' });
    assert.deepEqual((app.config.loginActions as { groupMappings: unknown }).groupMappings, [{ group: 'vip', usergroupId: group.id }]);
    const detail = await admin.get(`/admin/apps/${app.id}`);
    assert.match(detail.text, /vip = VIP customers/);
    assert.doesNotMatch(detail.text, /name="configJson"/, 'no JSON box: every other setting is a field of its own');
  });
});
