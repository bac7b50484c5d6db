import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BRIEF_CACHE_TTL_MS } from '../../src/core/brief-cache.ts';
import { runCommand } from '../../src/cli/commands.ts';
import { accountCounts } from '../helpers/counts.ts';
import { linkIn, Mailbox } from '../helpers/mailbox.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { TestClock } from '../helpers/services.ts';
import { csrfOf, withoutTokens } from '../helpers/pages.ts';

const PASSWORD = 'correct horse battery';
const cli = { type: 'cli' } as const;
// An identity service that is never reachable: the Automatic app is "broken".
const brokenOidc = { issuer: 'https://idp.invalid', clientId: 'frontdoor', clientSecret: 'frontdoor-secret' };

describe('break-glass: admins get in while an Automatic app is broken', () => {
  let server: TestServer;
  let mailbox: Mailbox;
  const clock = new TestClock();

  before(async () => {
    mailbox = await Mailbox.start();
    server = await startTestServer({ clock, env: { SMTP_URL: mailbox.url } });
    const s = server.services;
    await s.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    await s.people.create({ audience: 'agents', name: 'Bob', email: 'bob@example.com', password: PASSWORD });
    await s.apps.create({ audience: 'agents', type: 'oidc', slug: 'staff-sso', sso: 'automatic', config: brokenOidc }, cli);
  });
  after(async () => {
    await server.close();
    await mailbox.close();
  });

  it('?local=1 and ?break_glass=1 show the password form to admins; other agents are refused', async () => {
    assert.equal((await server.client().get('/agent/login')).status, 302, 'the normal door goes to the broken app');
    for (const flag of ['local', 'break_glass']) {
      const page = await server.client().get(`/agent/login?${flag}=1`);
      assert.equal(page.status, 200);
      assert.match(page.text, /Admin break-glass sign-in/);
      assert.match(page.text, /href="\/agent\/login\/bypass"/);
      const browser = server.client();
      const csrf = csrfOf((await browser.get(`/agent/login?${flag}=1`)).text);
      const admin = await browser.postForm('/agent/login', { _csrf: csrf, email: 'ada@example.com', password: PASSWORD, [flag]: '1' });
      assert.equal(admin.status, 303, flag);
      assert.equal(admin.location, '/agent');
      assert.equal((await browser.get('/agent')).status, 200);
    }
    const before = await accountCounts(server.services.db);
    const other = server.client();
    const csrf = csrfOf((await other.get('/agent/login?local=1')).text);
    const refused = await other.postForm('/agent/login', { _csrf: csrf, email: 'bob@example.com', password: PASSWORD, local: '1' });
    assert.equal(refused.status, 403);
    assert.match(refused.text, /data-code="auth\.forbidden"/);
    assert.deepEqual(await accountCounts(server.services.db), before);
    const audit = await server.services.audit.list({ action: 'signin.password', audience: 'agents', limit: 3 });
    assert.deepEqual(audit.map((a) => [a.outcome, a.details.breakGlass ?? null]), [['failure', null], ['success', true], ['success', true]]);
  });

  it('emails a one-time 5-minute sign-in link to admins only, with the same answer for everyone', async () => {
    const ask = async (email: string) => {
      const browser = server.client();
      const csrf = csrfOf((await browser.get('/agent/login/bypass')).text);
      return browser.postForm('/agent/login/bypass', { _csrf: csrf, email });
    };
    const forAdmin = await ask('ada@example.com');
    const forAgent = await ask('bob@example.com');
    const forNobody = await ask('nobody@example.com');
    assert.equal(forAdmin.status, 200);
    assert.match(forAdmin.text, /data-state="bypass-requested"/);
    assert.equal(withoutTokens(forAgent.text), withoutTokens(forAdmin.text));
    assert.equal(withoutTokens(forNobody.text), withoutTokens(forAdmin.text));

    const mail = await mailbox.next('ada@example.com', /Admin sign-in link/);
    assert.match(mail.text, /expires in 5 minutes/);
    const link = linkIn(mail, '/agent/login/bypass/');
    await server.services.mail.idle();
    assert.equal(mailbox.to('bob@example.com').length, 0);

    const browser = server.client();
    const confirm = await browser.get(link);
    assert.equal(confirm.status, 200, 'opening the link uses nothing');
    const used = await browser.postForm(link, { _csrf: csrfOf(confirm.text) });
    assert.equal(used.status, 303);
    assert.equal(used.location, '/agent');
    assert.equal((await browser.get('/agent')).status, 200);

    const other = server.client();
    const again = await other.postForm(link, { _csrf: csrfOf((await other.get('/agent/login/bypass')).text) });
    assert.equal(again.status, 410);
    assert.match(again.text, /account\.link_used/);

    const requests = await server.services.audit.list({ action: 'breakglass.bypass_requested', limit: 3 });
    assert.deepEqual(requests.map((r) => r.outcome), ['failure', 'failure', 'success']);
    const uses = await server.services.audit.list({ action: 'breakglass.bypass_used', limit: 2 });
    assert.deepEqual(uses.map((u) => [u.outcome, u.reason]), [['failure', 'account.link_used'], ['success', null]]);
  });

  it('a bypass link expires after 5 minutes, and an admin with 2FA still gives the second factor', async () => {
    const s = server.services;
    const browser = server.client();
    await browser.postForm('/agent/login/bypass', { _csrf: csrfOf((await browser.get('/agent/login/bypass')).text), email: 'ada@example.com' });
    const stale = linkIn(await mailbox.next('ada@example.com', /Admin sign-in link/), '/agent/login/bypass/');
    clock.advance(5 * 60_000 + 1000);
    const expired = await browser.get(stale);
    assert.equal(expired.status, 410);
    assert.match(expired.text, /account\.link_expired/);

    const ada = (await s.people.findForSignIn('agents', 'ada@example.com'))!.person;
    await s.db.query('INSERT INTO totp_secrets (person_id, secret, confirmed_at) VALUES ($1, $2, now())', [ada.id, s.secretBox.seal(Buffer.alloc(20, 1).toString('base64'))]);
    await browser.postForm('/agent/login/bypass', { _csrf: csrfOf((await browser.get('/agent/login/bypass')).text), email: 'ada@example.com' });
    const link = linkIn(await mailbox.next('ada@example.com', /Admin sign-in link/), '/agent/login/bypass/');
    const used = await browser.postForm(link, { _csrf: csrfOf((await browser.get(link)).text) });
    assert.equal(used.status, 303);
    assert.equal(used.location, '/agent/login/2fa');
    assert.equal((await browser.get('/agent')).status, 302, 'not in until the second factor');
    await s.twoFactor.remove(ada.id, cli);
  });

  it('frontdoor admin reset-sso --audience agents sets every app back to Disabled, audited', async () => {
    const out = new PassThrough();
    const err = new PassThrough();
    let printed = '';
    out.on('data', (chunk) => (printed += chunk));
    const code = await runCommand(['admin', 'reset-sso', '--audience', 'agents'], {
      config: () => server.services.config, stdin: new PassThrough(), stdout: out, stderr: err, openDatabase: async () => server.services.db,
    });
    assert.equal(code, 0);
    assert.match(printed, /set staff-sso back to SSO Disabled/);
    // The CLI is another process: the running server sees the change within a second.
    await sleep(BRIEF_CACHE_TTL_MS);
    assert.equal((await server.services.apps.automaticApp('agents')), undefined);
    const login = await server.client().get('/agent/login');
    assert.equal(login.status, 200);
    assert.match(login.text, /name="password"/);
    const audit = await server.services.audit.list({ action: 'breakglass.reset_sso', limit: 1 });
    assert.deepEqual(audit[0]!.details.apps, ['staff-sso']);
    assert.equal(audit[0]!.actor.type, 'cli');

    const bad = await runCommand(['admin', 'reset-sso', '--audience', 'everyone'], {
      config: () => server.services.config, stdin: new PassThrough(), stdout: out, stderr: err, openDatabase: async () => server.services.db,
    });
    assert.equal(bad, 64);
  });
});
