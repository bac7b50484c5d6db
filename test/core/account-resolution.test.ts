import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ExternalProfile } from '../../src/core/account-resolution.ts';
import type { AuthApp } from '../../src/core/apps.ts';
import type { Services } from '../../src/core/services.ts';
import { rejectsWithCode } from '../helpers/assertions.ts';
import { accountCounts } from '../helpers/counts.ts';
import { testServices } from '../helpers/services.ts';

const cli = { type: 'cli' } as const;
const base = { issuer: 'https://idp.example.com', clientId: 'frontdoor', clientSecret: 'secret' };

function profile(overrides: Partial<ExternalProfile> = {}): ExternalProfile {
  return {
    subject: 'sub-1', issuer: base.issuer, email: 'pat@example.com', emailVerified: true, name: 'Pat', groups: [], claims: {},
    ...overrides,
  };
}

describe('account resolution for external sign-in', () => {
  let s: Services;
  let usersApp: AuthApp;
  before(async () => {
    s = await testServices();
    usersApp = await s.apps.create({ audience: 'users', type: 'oidc', slug: 'idp-users', config: base }, cli);
  });
  after(async () => {
    await s.db.close();
  });

  it('creates a User on first sign-in with open registration, then signs the same person in', async () => {
    const first = await s.accounts.resolve(usersApp, profile());
    assert.equal(first.outcome, 'created');
    assert.equal(first.person.name, 'Pat');
    assert.deepEqual(first.person.emails, [{ email: 'pat@example.com', primary: true, verified: true }]);
    assert.deepEqual(first.person.identities, [{ appId: usersApp.id, subject: 'sub-1' }]);
    const again = await s.accounts.resolve(usersApp, profile({ name: 'Pat Renamed' }));
    assert.equal(again.outcome, 'signed_in');
    assert.equal(again.person.id, first.person.id);
    assert.equal(again.person.name, 'Pat Renamed', 'profile synced');
  });

  it('moves the primary email to a new address only when nobody else owns it', async () => {
    await s.people.create({ audience: 'users', name: 'Other', email: 'taken@example.com' });
    const kept = await s.accounts.resolve(usersApp, profile({ email: 'taken@example.com' }));
    assert.equal(kept.person.emails[0]!.email, 'pat@example.com');
    const moved = await s.accounts.resolve(usersApp, profile({ email: 'pat.new@example.com' }));
    assert.equal(moved.person.emails[0]!.email, 'pat.new@example.com');
  });

  it('links to an existing account only on a verified email from a trusting app', async () => {
    const existing = await s.people.create({ audience: 'users', name: 'Lin', email: 'lin@example.com', password: 'correct horse battery', emailVerified: true });
    for (const emailVerified of [false]) {
      const before = await accountCounts(s.db);
      await rejectsWithCode(s.accounts.resolve(usersApp, profile({ subject: 'lin-1', email: 'LIN@example.com', emailVerified })), 'sso.email_unverified');
      assert.deepEqual(await accountCounts(s.db), before);
    }
    const distrusting = await s.apps.create({ audience: 'users', type: 'oidc', config: { ...base, trustEmail: false } }, cli);
    await rejectsWithCode(s.accounts.resolve(distrusting, profile({ subject: 'lin-2', email: 'lin@example.com' })), 'sso.email_unverified');
    const linked = await s.accounts.resolve(usersApp, profile({ subject: 'lin-1', email: 'lin@example.com' }));
    assert.equal(linked.outcome, 'linked');
    assert.equal(linked.person.id, existing.id);
  });

  it('refuses unknown people when registration is closed, creating nothing', async () => {
    await s.registration.updateSettings({ mode: 'closed' }, cli);
    try {
      const before = await accountCounts(s.db);
      await rejectsWithCode(s.accounts.resolve(usersApp, profile({ subject: 'new-1', email: 'new@example.com' })), 'registration.closed');
      assert.deepEqual(await accountCounts(s.db), before);
    } finally {
      await s.registration.updateSettings({ mode: 'open' }, cli);
    }
  });

  it('applies the filter before anything is written', async () => {
    const filtered = await s.apps.create(
      { audience: 'users', type: 'oidc', config: { ...base, filter: { emailDomains: ['corp.example'], requiredGroup: 'staff' } } },
      cli,
    );
    const before = await accountCounts(s.db);
    await rejectsWithCode(s.accounts.resolve(filtered, profile({ subject: 'f-1', email: 'x@other.example', groups: ['staff'] })), 'sso.filter_refused');
    await rejectsWithCode(s.accounts.resolve(filtered, profile({ subject: 'f-1', email: 'x@corp.example', groups: [] })), 'sso.filter_refused');
    assert.deepEqual(await accountCounts(s.db), before);
    const ok = await s.accounts.resolve(filtered, profile({ subject: 'f-1', email: 'x@corp.example', groups: ['staff'] }));
    assert.equal(ok.outcome, 'created');
  });

  it('adds usergroups from login actions and group mappings', async () => {
    const vip = await s.usergroups.create('VIP customers');
    const beta = await s.usergroups.create('Beta');
    const app = await s.apps.create(
      {
        audience: 'users', type: 'oidc',
        config: { ...base, loginActions: { addUsergroupIds: [beta.id], groupMappings: [{ group: 'vip', usergroupId: vip.id }] } },
      },
      cli,
    );
    const result = await s.accounts.resolve(app, profile({ subject: 'g-1', email: 'g@example.com', groups: ['vip'] }));
    assert.deepEqual(result.person.usergroups.map((g) => g.name).sort(), ['Beta', 'VIP customers']);
  });

  it('signs in only existing agents unless Auto Agent is on, and never makes a User an Agent', async () => {
    const agentsApp = await s.apps.create({ audience: 'agents', type: 'oidc', config: { ...base, trustEmail: true } }, cli);
    await rejectsWithCode(s.accounts.resolve(agentsApp, profile({ subject: 'a-1', email: 'agent@example.com' })), 'sso.unknown_agent');
    // pat@... is a User; the same email on the Agents app is a different audience: no link, no agent.
    await rejectsWithCode(s.accounts.resolve(agentsApp, profile({ subject: 'a-2', email: 'pat.new@example.com' })), 'sso.unknown_agent');
    const agent = await s.people.create({ audience: 'agents', name: 'Ag', email: 'agent@example.com', emailVerified: true });
    const linked = await s.accounts.resolve(agentsApp, profile({ subject: 'a-1', email: 'agent@example.com' }));
    assert.equal(linked.person.id, agent.id);
    assert.equal(linked.person.audience, 'agents');
    const auto = await s.apps.create({ audience: 'agents', type: 'oidc', config: { ...base, autoAgent: true } }, cli);
    const created = await s.accounts.resolve(auto, profile({ subject: 'a-3', email: 'newagent@example.com' }));
    assert.equal(created.outcome, 'created');
    assert.equal(created.person.audience, 'agents');
    assert.equal(created.person.isAdmin, false);
  });

  it('refuses a disabled person', async () => {
    const result = await s.accounts.resolve(usersApp, profile({ subject: 'd-1', email: 'd@example.com' }));
    await s.people.update(result.person.id, 'users', { disabled: true });
    await rejectsWithCode(s.accounts.resolve(usersApp, profile({ subject: 'd-1', email: 'd@example.com' })), 'auth.account_disabled');
  });

  it('creates exactly one account when 50 first sign-ins of one person race', async () => {
    const racer = profile({ subject: 'race-1', email: 'race@example.com' });
    const results = await Promise.all(Array.from({ length: 50 }, () => s.accounts.resolve(usersApp, racer)));
    assert.equal(new Set(results.map((r) => r.person.id)).size, 1);
    assert.equal(results.filter((r) => r.outcome === 'created').length, 1);
    const [row] = await s.db.query<{ n: number }>("SELECT count(*)::int AS n FROM person_emails WHERE lower(email) = 'race@example.com'");
    assert.equal(row!.n, 1);
    const [identities] = await s.db.query<{ n: number }>("SELECT count(*)::int AS n FROM identities WHERE subject = 'race-1'");
    assert.equal(identities!.n, 1);
  });

  it('refuses a profile without a usable email for a new account', async () => {
    await rejectsWithCode(s.accounts.resolve(usersApp, profile({ subject: 'e-1', email: undefined })), 'sso.email_missing');
    await rejectsWithCode(s.accounts.resolve(usersApp, profile({ subject: 'e-2', email: 'not an email' })), 'sso.email_missing');
  });
});
