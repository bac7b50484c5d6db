import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ExternalProfile } from '../../src/core/account-resolution.ts';
import type { AuthApp } from '../../src/core/apps.ts';
import type { Services } from '../../src/core/services.ts';
import { testServices } from '../helpers/services.ts';

const cli = { type: 'cli' } as const;
const oidc = { issuer: 'https://idp.example.com', clientId: 'frontdoor', clientSecret: 'frontdoor-secret' };

describe('external sign-in and the account rules: MFA trust, approval, closed registration', () => {
  let s: Services;
  before(async () => {
    s = await testServices();
  });
  after(async () => {
    await s.db.close();
  });

  async function signInThrough(app: AuthApp, subject: string, email: string) {
    const browserHash = Buffer.alloc(32, 3);
    const state = `state-${subject}-${Math.random()}`;
    await s.externalSignIn.begin(app, { state, returnTo: '/', browserHash, secrets: {} });
    const transaction = await s.externalSignIn.takeTransaction(app, state, browserHash);
    const profile: ExternalProfile = { subject, issuer: oidc.issuer, email, emailVerified: true, name: 'Pat', groups: [], claims: {} };
    return s.externalSignIn.complete(app, transaction, profile, { external: { subject } });
  }

  it('does not trust the identity service\'s MFA by default (people with 2FA here finish ours); an admin may turn trust on', async () => {
    const trusting = await s.apps.create({ audience: 'users', type: 'oidc', slug: 'trusting', config: { ...oidc, trustProviderMfa: true } }, cli);
    const strict = await s.apps.create({ audience: 'users', type: 'oidc', slug: 'strict', config: oidc }, cli);
    assert.equal(strict.config.trustProviderMfa, false, 'the default, on a Users app too');
    const agentsApp = await s.apps.create({ audience: 'agents', type: 'oidc', slug: 'agents-defaults', config: oidc }, cli);
    assert.equal(agentsApp.config.trustProviderMfa, false);
    assert.equal(agentsApp.config.trustEmail, false, 'an Agents app does not link by email unless turned on');
    const first = await signInThrough(trusting, 'pat-1', 'pat@example.com');
    assert.equal(first.session.restriction, null);
    await s.db.query("UPDATE people SET email_two_factor_at = now() WHERE id = $1", [first.person.id]);

    const again = await signInThrough(trusting, 'pat-1', 'pat@example.com');
    assert.equal(again.session.restriction, null, 'trusted: no second factor from us');
    const viaStrict = await signInThrough(strict, 'pat-2', 'pat@example.com');
    assert.equal(viaStrict.person.id, first.person.id);
    assert.equal(viaStrict.session.restriction, 'second_factor');
    assert.equal(await s.sessions.resolve(viaStrict.token, 'users'), undefined, 'the session grants nothing yet');
  });

  it('agent approval applies to accounts that external apps create, too', async () => {
    await s.registration.updateSettings({ mode: 'agent_approval' }, cli);
    const app = (await s.apps.find('trusting'))!;
    await assert.rejects(signInThrough(app, 'new-1', 'newbie@example.com'), (e: { code?: string }) => e.code === 'auth.approval_pending');
    const created = await s.people.findForSignIn('users', 'newbie@example.com');
    assert.equal(created?.person.approvalPending, true);
    assert.equal((await s.sessions.list({ personId: created!.person.id })).length, 0);
  });

  it('closed registration: external apps create Users only with Auto User on', async () => {
    await s.registration.updateSettings({ mode: 'closed' }, cli);
    const plain = (await s.apps.find('trusting'))!;
    await assert.rejects(signInThrough(plain, 'closed-1', 'shut@example.com'), (e: { code?: string }) => e.code === 'registration.closed');
    assert.equal(await s.people.findForSignIn('users', 'shut@example.com'), undefined);
    const auto = await s.apps.create({ audience: 'users', type: 'oidc', slug: 'auto-users', config: { ...oidc, autoUser: true } }, cli);
    const created = await signInThrough(auto, 'closed-2', 'shut@example.com');
    assert.equal(created.person.audience, 'users');
    assert.equal(created.session.restriction, null);
  });
});
