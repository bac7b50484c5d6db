import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { accountCounts } from '../helpers/counts.ts';
import { linkIn, Mailbox } from '../helpers/mailbox.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';
import { TestClock } from '../helpers/services.ts';

const PASSWORD = 'correct horse battery';
const cli = { type: 'cli' } as const;
const hasSessionCookie = (headers: Headers) => headers.getSetCookie().some((c) => c.startsWith('fd_session_'));

describe('registration modes, email validation and agent approval (over HTTP, real SMTP)', () => {
  let server: TestServer;
  let mailbox: Mailbox;
  let apiKey: string;
  const clock = new TestClock();

  before(async () => {
    mailbox = await Mailbox.start();
    server = await startTestServer({ clock, env: { SMTP_URL: mailbox.url, MAIL_FROM: 'Helpdesk <help@example.com>' } });
    ({ key: apiKey } = await server.services.apiKeys.create('tests', null));
  });
  after(async () => {
    await server.close();
    await mailbox.close();
  });
  beforeEach(async () => {
    await server.services.registration.updateSettings(
      { mode: 'open', emailValidation: false, everyoneEnabled: true, passwordMinLength: 8 }, cli,
    );
  });

  async function register(fields: Record<string, string>): Promise<{ browser: TestClient; response: Awaited<ReturnType<TestClient['postForm']>> }> {
    const browser = server.client();
    const csrf = await browser.csrfFrom('/login');
    return { browser, response: await browser.postForm('/register', { _csrf: csrf, ...fields }) };
  }
  const api = (method: string, path: string, body?: unknown) =>
    server.client().sendJson(method, path, body, { authorization: `Bearer ${apiKey}` });

  it('email validation: no session until the emailed link is used; the link works once', async () => {
    await server.services.registration.updateSettings({ emailValidation: true }, cli);
    const { response } = await register({ name: 'Val', email: 'val@example.com', password: PASSWORD });
    assert.equal(response.status, 201);
    assert.match(response.text, /data-state="email-validation-pending"/);
    assert.equal(hasSessionCookie(response.headers), false);

    const refused = await server.client().signIn('val@example.com', PASSWORD);
    assert.equal(refused.status, 403);
    assert.match(refused.text, /data-code="auth\.email_unverified"/);
    assert.match(refused.text, /Confirm your email address first/);
    assert.equal(hasSessionCookie(refused.headers), false);

    const mail = await mailbox.next('val@example.com', /Confirm your email/);
    assert.match(mail.from, /help@example\.com/);
    const link = linkIn(mail, '/register/validate');
    const browser = server.client();
    const confirm = await browser.get(link);
    assert.equal(confirm.status, 200, 'opening the link (or a mail scanner doing so) uses nothing');
    const token = new URL(link, server.url).searchParams.get('token')!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(confirm.text)![1]!;
    const done = await browser.postForm('/register/validate', { _csrf: csrf, token, password: PASSWORD });
    assert.equal(done.status, 200);
    assert.match(done.text, /data-state="email-validated"/);

    const again = await browser.postForm('/register/validate', { _csrf: csrf, token });
    assert.equal(again.status, 410);
    assert.match(again.text, /account\.link_used/);
    assert.match(again.text, /already used/);
    assert.equal((await server.client().get(link)).status, 410);

    const signedIn = await server.client().signIn('val@example.com', PASSWORD);
    assert.equal(signedIn.status, 303);
    const person = (await server.services.people.findForSignIn('users', 'val@example.com'))!.person;
    assert.equal(person.emails[0]!.verified, true);
    const audit = await server.services.audit.list({ action: 'registration.email_validated' });
    assert.deepEqual(audit.map((a) => a.outcome), ['failure', 'success']);
    assert.equal(audit[0]!.reason, 'account.link_used');
  });

  it('email validation: an expired or unknown link is refused with its own code, and validates nothing', async () => {
    await server.services.registration.updateSettings({ emailValidation: true }, cli);
    await register({ name: 'Late', email: 'late@example.com', password: PASSWORD });
    const link = linkIn(await mailbox.next('late@example.com'), '/register/validate');
    clock.advance(24 * 60 * 60_000 + 1000);
    const browser = server.client();
    const expired = await browser.get(link);
    assert.equal(expired.status, 410);
    assert.match(expired.text, /account\.link_expired/);
    const csrf = await browser.csrfFrom('/login');
    const token = new URL(link, server.url).searchParams.get('token')!;
    const post = await browser.postForm('/register/validate', { _csrf: csrf, token });
    assert.equal(post.status, 410);
    assert.match(post.text, /account\.link_expired/);
    const unknown = await browser.postForm('/register/validate', { _csrf: csrf, token: 'x'.repeat(43) });
    assert.equal(unknown.status, 400);
    assert.match(unknown.text, /account\.link_invalid/);
    assert.equal((await server.services.people.findForSignIn('users', 'late@example.com'))!.person.emailValidationPending, true);

    // A new link can be asked for; the answer is the same for addresses that are not waiting.
    const resend = await browser.postForm('/register/validate/resend', { _csrf: csrf, email: 'late@example.com' });
    assert.equal(resend.status, 200);
    const nobody = await browser.postForm('/register/validate/resend', { _csrf: csrf, email: 'nobody@example.com' });
    assert.equal(nobody.text.replace(/value="[^"]+"/g, ''), resend.text.replace(/value="[^"]+"/g, ''));
    const fresh = linkIn(await mailbox.next('late@example.com', /Confirm/), '/register/validate');
    assert.equal((await browser.get(fresh)).status, 200);
  });

  it('agent approval: the new account waits, cannot sign in, and can once approved (told by email)', async () => {
    await server.services.registration.updateSettings({ mode: 'agent_approval' }, cli);
    const { response } = await register({ name: 'Wait', email: 'wait@example.com', password: PASSWORD });
    assert.equal(response.status, 201);
    assert.match(response.text, /data-state="approval-pending"/);
    assert.match(response.text, /An agent has to approve it/);
    assert.equal(hasSessionCookie(response.headers), false);

    const before = await accountCounts(server.services.db);
    const refused = await server.client().signIn('wait@example.com', PASSWORD);
    assert.equal(refused.status, 403);
    assert.match(refused.text, /data-code="auth\.approval_pending"/);
    assert.match(refused.text, /waiting for approval/);
    assert.deepEqual(await accountCounts(server.services.db), before, 'no session');

    const pending = await api('GET', '/api/v1/accounts/pending');
    assert.equal(pending.status, 200);
    const waiting = pending.json.people.find((p: { name: string }) => p.name === 'Wait');
    assert.ok(waiting);
    const approved = await api('POST', `/api/v1/accounts/${waiting.id}/approve`);
    assert.equal(approved.status, 200);
    assert.equal(approved.json.person.approvalPending, false);
    const mail = await mailbox.next('wait@example.com', /approved/);
    assert.match(linkIn(mail, '/login'), /^\/login/);
    assert.equal((await api('POST', `/api/v1/accounts/${waiting.id}/approve`)).json.error.code, 'person.not_pending');

    assert.equal((await server.client().signIn('wait@example.com', PASSWORD)).status, 303);
    const audit = await server.services.audit.list({ action: 'registration.approved' });
    assert.equal(audit[0]!.target?.id, waiting.id);
  });

  it('agent approval from the agent console, with email validation on as well', async () => {
    await server.services.registration.updateSettings({ mode: 'agent_approval', emailValidation: true }, cli);
    await server.services.people.create({ audience: 'agents', name: 'Agnes', email: 'agnes@example.com', password: PASSWORD });
    const { response } = await register({ name: 'Both', email: 'both@example.com', password: PASSWORD });
    assert.match(response.text, /data-state="email-validation-pending"/);
    const link = linkIn(await mailbox.next('both@example.com'), '/register/validate');
    const browser = server.client();
    const confirm = await browser.get(link);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(confirm.text)![1]!;
    const done = await browser.postForm('/register/validate', { _csrf: csrf, token: new URL(link, server.url).searchParams.get('token')!, password: PASSWORD });
    assert.match(done.text, /data-state="approval-pending"/);
    assert.equal((await server.client().signIn('both@example.com', PASSWORD)).status, 403);

    const agent = server.client();
    assert.equal((await agent.signIn('agnes@example.com', PASSWORD, 'agents')).status, 303);
    const list = await agent.get('/agent/approvals');
    const person = (await server.services.people.findForSignIn('users', 'both@example.com'))!.person;
    assert.match(list.text, new RegExp(`data-person-id="${person.id}"`));
    const agentCsrf = /name="_csrf" value="([^"]+)"/.exec(list.text)![1]!;
    const approved = await agent.postForm(`/agent/approvals/${person.id}/approve`, { _csrf: agentCsrf });
    assert.equal(approved.status, 200);
    assert.doesNotMatch(approved.text, new RegExp(`data-person-id="${person.id}"`));
    assert.equal((await server.client().signIn('both@example.com', PASSWORD)).status, 303);
    assert.equal((await server.client().get('/agent/approvals')).status, 302, 'anonymous visitors are sent to sign in');
  });

  it('require registration: content needs sign-in, registration stays open', async () => {
    const everyone = await server.services.usergroups.systemGroupId('everyone');
    const article = await server.services.articles.create({ title: 'Public how-to', body: 'Steps', usergroupIds: [everyone] });
    assert.equal((await server.client().get(`/articles/${article.id}`)).status, 200);
    await server.services.registration.updateSettings({ mode: 'require_registration' }, cli);
    const anonymous = await server.client().get(`/articles/${article.id}`);
    assert.equal(anonymous.status, 302);
    assert.equal(anonymous.location, `/login?return_to=${encodeURIComponent(`/articles/${article.id}`)}`);
    assert.equal((await server.client().get('/')).location, '/login');
    const login = await server.client().get('/login');
    assert.match(login.text, /href="\/register"/);
    const { browser, response } = await register({ name: 'Reggie', email: 'reggie@example.com', password: PASSWORD, return_to: `/articles/${article.id}` });
    assert.equal(response.status, 303);
    const read = await browser.get(`/articles/${article.id}`);
    assert.equal(read.status, 200);
    assert.match(read.text, /Public how-to/);
  });

  it('Everyone switched off: anonymous visitors are sent to sign in; signed-in Users still read', async () => {
    const everyone = await server.services.usergroups.systemGroupId('everyone');
    await server.services.articles.create({ title: 'Everyone article', body: 'x', usergroupIds: [everyone] });
    await server.services.people.create({ audience: 'users', name: 'Eve', email: 'eve@example.com', password: PASSWORD });
    await server.services.registration.updateSettings({ everyoneEnabled: false }, cli);
    assert.equal((await server.client().get('/')).status, 302);
    const browser = server.client();
    await browser.signIn('eve@example.com', PASSWORD);
    const home = await browser.get('/');
    assert.equal(home.status, 200);
    assert.match(home.text, /Everyone article/);
  });

  it('closed: no self-registration, and the refusal creates nothing', async () => {
    await server.services.registration.updateSettings({ mode: 'closed' }, cli);
    const before = await accountCounts(server.services.db);
    const { response } = await register({ name: 'Nope', email: 'nope@example.com', password: PASSWORD });
    assert.equal(response.status, 403);
    assert.match(response.text, /registration\.closed/);
    assert.deepEqual(await accountCounts(server.services.db), before);
  });

  it('password rules: the common-password list and an admin-raised minimum, refused with their codes', async () => {
    const before = await accountCounts(server.services.db);
    const common = await register({ name: 'Com', email: 'com@example.com', password: 'iloveyou' });
    assert.equal(common.response.status, 400);
    assert.match(common.response.text, /data-code="password\.too_common"/);
    const commonUpper = await register({ name: 'Com', email: 'com@example.com', password: 'Football1' });
    assert.match(commonUpper.response.text, /data-code="password\.too_common"/, 'compared case-insensitively');
    await server.services.registration.updateSettings({ passwordMinLength: 16 }, cli);
    const short = await register({ name: 'Shor', email: 'shor@example.com', password: 'fifteen chars!!' });
    assert.equal(short.response.status, 400);
    assert.match(short.response.text, /at least 16 characters/);
    assert.deepEqual(await accountCounts(server.services.db), before);
    await assert.rejects(server.services.registration.updateSettings({ passwordMinLength: 65 }, cli), /passwordMinLength/);
    const failures = await server.services.audit.list({ action: 'registration.created', outcome: 'failure', limit: 3 });
    assert.deepEqual(failures.map((f) => f.reason), ['password.too_short', 'password.too_common', 'password.too_common']);
  });
});
