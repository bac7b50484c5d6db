import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthApp } from '../../src/core/apps.ts';
import { THROTTLE_POLICY } from '../../src/core/throttle.ts';
import { accountCounts } from '../helpers/counts.ts';
import { errorPageFacts } from '../helpers/oidc-flow.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';
import { SERVICE_DN, SERVICE_PASSWORD, Slapd, SUFFIX } from '../peers/slapd.ts';

const cli = { type: 'cli' } as const;

async function whoAmI(browser: TestClient) {
  const response = await browser.get('/api/v1/session?audience=users');
  return response.status === 200 ? (response.json.person as { id: string; name: string; email: string }) : undefined;
}

const csrfOf = (text: string) => /name="_csrf" value="([^"]+)"/.exec(text)?.[1];

// Sign-in through Frontdoor's form for an LDAP app, against Debian's slapd over LDAPS (its
// certificate made for this run and pasted as the app's CA), and the admin API's sync.
describe('LDAP app over HTTP: the sign-in form and the sync, against slapd over LDAPS', () => {
  let server: TestServer;
  let slapd: Slapd;
  let app: AuthApp;
  let supportGroupId: string;
  let apiKey: string;

  before(async () => {
    [server, slapd] = await Promise.all([startTestServer(), Slapd.start()]);
    supportGroupId = (await server.services.usergroups.create('Support')).id;
    app = await server.services.apps.create({
      audience: 'users', type: 'ldap', slug: 'corp', name: 'Corp directory',
      config: {
        preset: 'openldap', url: slapd.ldapsUrl, caPem: slapd.caPem, bindDn: SERVICE_DN, bindPassword: SERVICE_PASSWORD, baseDn: `ou=people,${SUFFIX}`,
        // By the group's first RDN value, as docs/LDAP.md says.
        loginActions: { groupMappings: [{ group: 'support', usergroupId: supportGroupId }] },
      },
    }, cli);
    apiKey = (await server.services.apiKeys.create('tests', null)).key;
  });
  after(async () => Promise.all([server?.close(), slapd?.stop()]));

  /** The form at /sso/corp/start, then its post. */
  async function signInWithForm(browser: TestClient, username: string, password: string, returnTo?: string) {
    const form = await browser.get(`/sso/corp/start${returnTo ? `?return_to=${encodeURIComponent(returnTo)}` : ''}`);
    assert.equal(form.status, 200, form.text.slice(0, 400));
    assert.match(form.text, /<form class="stack" method="post" action="\/sso\/corp\/ldap">/);
    const token = csrfOf(form.text);
    assert.ok(token);
    return browser.postForm('/sso/corp/ldap', { _csrf: token, return_to: returnTo ?? '/', username, password });
  }

  it('the app answers with the form address; its bind password is a secret, never returned', async () => {
    const response = await server.client().sendJson('GET', `/api/v1/apps/${app.id}`, undefined, { authorization: `Bearer ${apiKey}` });
    assert.equal(response.status, 200);
    assert.equal(response.json.app.urls.form, 'http://localhost:8080/sso/corp/ldap');
    assert.equal(response.json.app.config.bindPassword, undefined);
    assert.doesNotMatch(response.text, new RegExp(SERVICE_PASSWORD));
  });

  it('a first sign-in under open registration creates the account, keyed by entryUUID, in the mapped usergroup', async () => {
    const browser = server.client();
    const done = await signInWithForm(browser, 'grace', 'grace-password', '/articles/1');
    assert.equal(done.status, 303, done.text.slice(0, 400));
    assert.equal(done.location, '/articles/1');
    const me = await whoAmI(browser);
    assert.equal(me?.email, 'grace@example.test');
    assert.equal(me?.name, 'Grace Hopper');
    const [identity] = await server.services.db.query<{ subject: string; person_id: string }>('SELECT subject, person_id FROM identities WHERE app_id = $1', [app.id]);
    assert.match(identity!.subject, /^[0-9a-f-]{36}$/);
    const groups = await server.services.db.query<{ usergroup_id: string }>('SELECT usergroup_id FROM person_usergroups WHERE person_id = $1', [identity!.person_id]);
    assert.ok(groups.some((g) => g.usergroup_id === supportGroupId));
    // The directory's email is not taken as proven by its holder (invariant 5).
    const [email] = await server.services.db.query<{ verified_at: Date | null }>('SELECT verified_at FROM person_emails WHERE person_id = $1', [identity!.person_id]);
    assert.equal(email!.verified_at, null);
    // A second sign-in finds the same person.
    const again = await signInWithForm(server.client(), 'grace@example.test', 'grace-password');
    assert.equal(again.status, 303);
    const [count] = await server.services.db.query<{ n: number }>('SELECT count(*)::int AS n FROM identities WHERE app_id = $1', [app.id]);
    assert.equal(count!.n, 1);
  });

  it('a wrong password is the password form\'s refusal: 401 auth.invalid_credentials, the form again, nothing created, traced and audited', async () => {
    const before = await accountCounts(server.services.db);
    const refused = await signInWithForm(server.client(), 'linus', 'not-his-password', '/articles/2');
    assert.equal(refused.status, 401);
    assert.match(refused.text, /data-code="auth.invalid_credentials"/);
    assert.match(refused.text, /action="\/sso\/corp\/ldap"/);
    assert.match(refused.text, /name="username"[^>]*value="linus"/);
    assert.match(refused.text, /name="return_to" value="\/articles\/2"/);
    assert.doesNotMatch(refused.text, /not-his-password/);
    assert.deepEqual(await accountCounts(server.services.db), before);
    const [trace] = await server.services.db.query<{ error_code: string }>(
      "SELECT error_code FROM sso_traces WHERE app_id = $1 AND outcome = 'failure' ORDER BY started_at DESC LIMIT 1", [app.id]);
    assert.equal(trace?.error_code, 'auth.invalid_credentials');
    const [audit] = await server.services.db.query<{ reason: string }>(
      "SELECT reason FROM audit_events WHERE action = 'signin.sso' AND outcome = 'failure' ORDER BY id DESC LIMIT 1");
    assert.equal(audit?.reason, 'auth.invalid_credentials');
  });

  it('an injection username matches literally and finds no one: the same refusal', async () => {
    const before = await accountCounts(server.services.db);
    for (const username of ['*', 'grace)(uid=*', '*)(|(uid=*', 'gr*']) {
      const refused = await signInWithForm(server.client(), username, 'grace-password');
      assert.equal(refused.status, 401, username);
      assert.match(refused.text, /data-code="auth.invalid_credentials"/, username);
    }
    assert.deepEqual(await accountCounts(server.services.db), before);
  });

  it('a name guessed too often is throttled as on the password form: 429, Retry-After, the form again', async () => {
    for (let i = 0; i < THROTTLE_POLICY.pairFreeFailures; i++) {
      assert.equal((await signInWithForm(server.client(), 'nobody-here', `guess-${i}`)).status, 401);
    }
    const throttled = await signInWithForm(server.client(), 'nobody-here', 'another-guess');
    assert.equal(throttled.status, 429);
    assert.match(throttled.text, /data-code="auth.throttled"/);
    assert.match(throttled.headers.get('retry-after') ?? '', /^\d+$/);
  });

  it('a post without this browser\'s CSRF token signs no one in (login CSRF)', async () => {
    const before = await accountCounts(server.services.db);
    const browser = server.client();
    await browser.get('/sso/corp/start');
    const refused = await browser.postForm('/sso/corp/ldap', { _csrf: 'forged', username: 'linus', password: 'linus-password' });
    assert.equal(refused.status, 403);
    assert.equal(errorPageFacts(refused).code, 'request.csrf_invalid');
    assert.equal(await whoAmI(browser), undefined);
    assert.deepEqual(await accountCounts(server.services.db), before);
  });

  it('closed registration: the right password gets a clear refusal page, and no account', async () => {
    await server.services.registration.updateSettings({ mode: 'closed' }, cli);
    try {
      const before = await accountCounts(server.services.db);
      const refused = await signInWithForm(server.client(), 'linus', 'linus-password');
      assert.equal(refused.status, 403, refused.text.slice(0, 300));
      const facts = errorPageFacts(refused);
      assert.equal(facts.code, 'registration.closed');
      assert.equal(facts.retryHref, '/sso/corp/start?retry=1');
      assert.match(refused.text, /Registration is closed/);
      assert.deepEqual(await accountCounts(server.services.db), before);
    } finally {
      await server.services.registration.updateSettings({ mode: 'open' }, cli);
    }
  });

  it('a directory that cannot be reached: a readable 503 page, nothing created, no one let in', async () => {
    const down = await server.services.apps.create({
      audience: 'users', type: 'ldap', slug: 'corp-down',
      config: { preset: 'openldap', url: 'ldaps://127.0.0.1:1', caPem: slapd.caPem, bindDn: SERVICE_DN, bindPassword: SERVICE_PASSWORD, baseDn: SUFFIX, timeoutMs: 1_000 },
    }, cli);
    const before = await accountCounts(server.services.db);
    const browser = server.client();
    const form = await browser.get('/sso/corp-down/start');
    const refused = await browser.postForm('/sso/corp-down/ldap', { _csrf: csrfOf(form.text)!, username: 'linus', password: 'linus-password' });
    assert.equal(refused.status, 503);
    assert.match(refused.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(errorPageFacts(refused).code, 'sso.ldap.unreachable');
    assert.match(refused.text, /cannot be reached right now/);
    assert.equal(await whoAmI(browser), undefined);
    assert.deepEqual(await accountCounts(server.services.db), before);
    await server.services.apps.remove(down.id, cli);
  });

  it('an Agents app: no Auto Agent, no agent account; with it, the agent is created and the 2FA rule applies as for every app', async () => {
    const agents = await server.services.apps.create({
      audience: 'agents', type: 'ldap', slug: 'corp-agents',
      config: { preset: 'openldap', url: slapd.ldapsUrl, caPem: slapd.caPem, bindDn: SERVICE_DN, bindPassword: SERVICE_PASSWORD, baseDn: `ou=people,${SUFFIX}` },
    }, cli);
    const signIn = async (browser: TestClient) => {
      const form = await browser.get('/sso/corp-agents/start');
      assert.match(form.text, /Agent console/);
      return browser.postForm('/sso/corp-agents/ldap', { _csrf: csrfOf(form.text)!, username: 'linus', password: 'linus-password' });
    };
    const before = await accountCounts(server.services.db);
    const refused = await signIn(server.client());
    assert.equal(refused.status, 403);
    assert.equal(errorPageFacts(refused).code, 'sso.unknown_agent');
    assert.deepEqual(await accountCounts(server.services.db), before);

    await server.services.apps.update(agents.id, { config: { autoAgent: true } }, cli);
    await server.services.registration.updateSettings({ twoFactor: { agents: { required: true } } }, cli);
    try {
      const done = await signIn(server.client());
      assert.equal(done.status, 303, done.text.slice(0, 300));
      assert.match(done.location ?? '', /^\/agent\/login\/2fa\/setup/);
      const [agent] = await server.services.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM people p JOIN person_emails e ON e.person_id = p.id WHERE p.audience = 'agents' AND e.email = 'linus@example.test'");
      assert.equal(agent!.n, 1);
    } finally {
      await server.services.registration.updateSettings({ twoFactor: { agents: { required: false } } }, cli);
      await server.services.apps.remove(agents.id, cli);
    }
  });

  it('admin API: a dry run reports what a sync would do and changes nothing; the run does it; the runs are listed', async () => {
    const api = (method: string, path: string, body?: unknown) => server.client().sendJson(method, path, body, { authorization: `Bearer ${apiKey}` });
    const before = await accountCounts(server.services.db);
    const dry = await api('POST', `/api/v1/apps/${app.id}/ldap-sync`, { dryRun: true });
    assert.equal(dry.status, 200, dry.text);
    // grace signed in already; linus is new.
    assert.equal(dry.json.report.listed, 2);
    assert.equal(dry.json.report.created, 1);
    assert.deepEqual(await accountCounts(server.services.db), before);

    const run = await api('POST', `/api/v1/apps/${app.id}/ldap-sync`, {});
    assert.equal(run.status, 200, run.text);
    assert.equal(run.json.report.created, 1);
    const [linus] = await server.services.db.query<{ n: number }>("SELECT count(*)::int AS n FROM person_emails WHERE email = 'linus@example.test' AND audience = 'users'");
    assert.equal(linus!.n, 1);

    const runs = await api('GET', `/api/v1/apps/${app.id}/ldap-sync`);
    assert.equal(runs.status, 200);
    assert.deepEqual(runs.json.runs.map((r: { dryRun: boolean; status: string }) => [r.dryRun, r.status]), [[false, 'succeeded'], [true, 'succeeded']]);

    const bad = await api('POST', `/api/v1/apps/${app.id}/ldap-sync`, { dryRun: 'yes' });
    assert.equal(bad.status, 400);
    const password = (await server.services.apps.passwordApp('users')).id;
    const notLdap = await api('POST', `/api/v1/apps/${password}/ldap-sync`, {});
    assert.equal(notLdap.status, 400);
    assert.equal(notLdap.json.error.code, 'request.invalid');
  });

  it('console: the install form has the LDAP fields; the app page runs a dry run and shows the last run\'s report', async () => {
    await server.services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: 'correct horse battery', isAdmin: true });
    const admin = server.client();
    assert.equal((await admin.signIn('ada@example.com', 'correct horse battery', 'agents')).status, 303);
    const install = await admin.get('/admin/apps/new?audience=users&type=ldap');
    assert.equal(install.status, 200);
    for (const key of ['preset', 'url', 'caPem', 'bindDn', 'bindPassword', 'baseDn', 'userFilter']) assert.match(install.text, new RegExp(`name="config.${key}"`), key);

    const page = await admin.get(`/admin/apps/${app.id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Directory sync/);
    const dry = await admin.postForm(`/admin/apps/${app.id}/ldap-sync`, { _csrf: csrfOf(page.text)!, dryRun: 'yes' });
    assert.equal(dry.status, 303, dry.text.slice(0, 300));
    assert.equal(dry.location, `/admin/apps/${app.id}?notice=sync_dry_run`);
    const after = await admin.get(dry.location!);
    assert.match(after.text, /Dry run done: nothing was changed/);
    assert.match(after.text, /data-run-status="succeeded"/);
    assert.match(after.text, /<strong>Last dry run<\/strong>/);
    assert.match(after.text, /Listed 2 · would create 0 · updated 0 · unchanged 2/);
  });
});
