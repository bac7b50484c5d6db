import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { accountCounts } from '../helpers/counts.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';

describe('registration', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await server.services.people.create({ audience: 'users', name: 'Ann', email: 'ann@example.com', password: PASSWORD });
  });
  after(async () => {
    await server.close();
  });

  async function register(fields: Record<string, string>) {
    const browser = server.client();
    const csrf = await browser.csrfFrom('/login');
    return { browser, response: await browser.postForm('/register', { _csrf: csrf, ...fields }) };
  }

  it('is open by default: a new User gets an account and is signed in on the page they wanted', async () => {
    const login = await server.client().get('/login');
    assert.match(login.text, /href="\/register"/);
    const { browser, response } = await register({ name: 'Newt', email: 'newt@example.com', password: PASSWORD, return_to: '/articles/abc' });
    assert.equal(response.status, 303);
    assert.equal(response.location, '/articles/abc');
    const who = await browser.get('/api/v1/session');
    assert.equal(who.json.person.name, 'Newt');
    assert.deepEqual(who.json.usergroups, ['Everyone', 'Registered']);
    const found = await server.services.people.findForSignIn('users', 'NEWT@example.com');
    assert.equal(found?.person.audience, 'users');
    const audit = await server.services.audit.list({ action: 'registration.created', outcome: 'success', limit: 1 });
    assert.equal(audit[0]!.target?.id, found!.person.id);
  });

  it('refuses bad input with a readable page and creates nothing', async () => {
    const cases: [Record<string, string>, number, string][] = [
      [{ name: 'Shorty', email: 'short@example.com', password: 'short' }, 400, 'password.too_short'],
      [{ name: 'Longy', email: 'long@example.com', password: 'x'.repeat(257) }, 400, 'password.too_long'],
      [{ name: 'Bad', email: 'not-an-email', password: PASSWORD }, 400, 'request.invalid'],
      [{ name: '', email: 'noname@example.com', password: PASSWORD }, 400, 'request.invalid'],
      [{ name: 'Twin', email: 'ANN@example.com', password: PASSWORD }, 409, 'registration.email_taken'],
    ];
    for (const [fields, status, code] of cases) {
      const beforeCounts = await accountCounts(server.services.db);
      const { response } = await register(fields);
      assert.equal(response.status, status, code);
      assert.match(response.text, new RegExp(`data-code="${code.replace('.', '\\.')}"`), code);
      assert.equal(response.headers.getSetCookie().some((c) => c.startsWith('fd_session_')), false);
      assert.deepEqual(await accountCounts(server.services.db), beforeCounts, `${code} changed nothing`);
    }
    const failures = await server.services.audit.list({ action: 'registration.created', outcome: 'failure' });
    assert.ok(failures.some((f) => f.reason === 'registration.email_taken'));
    assert.ok(failures.some((f) => f.reason === 'password.too_short'));
  });

  it('keeps what was typed (but never the password) when re-showing the form', async () => {
    const { response } = await register({ name: 'Keep <Me>', email: 'keep@example.com', password: 'short' });
    assert.match(response.text, /value="Keep &lt;Me&gt;"/);
    assert.match(response.text, /value="keep@example\.com"/);
    assert.doesNotMatch(response.text, /value="short"/);
  });

  it('refuses registration without a CSRF token', async () => {
    const beforeCounts = await accountCounts(server.services.db);
    const response = await server.client().postForm('/register', { name: 'X', email: 'x@example.com', password: PASSWORD });
    assert.equal(response.status, 403);
    assert.deepEqual(await accountCounts(server.services.db), beforeCounts);
  });

  it('when closed, shows a clear page, hides the link and creates nothing', async () => {
    await server.services.registration.updateSettings({ mode: 'closed' }, { type: 'cli' });
    try {
      const page = await server.client().get('/register');
      assert.equal(page.status, 403);
      assert.match(page.text, /registration\.closed/);
      assert.match(page.text, /Registration is closed/);
      assert.doesNotMatch((await server.client().get('/login')).text, /href="\/register"/);
      const beforeCounts = await accountCounts(server.services.db);
      const { response } = await register({ name: 'Late', email: 'late@example.com', password: PASSWORD });
      assert.equal(response.status, 403);
      assert.match(response.text, /registration\.closed/);
      assert.deepEqual(await accountCounts(server.services.db), beforeCounts);
    } finally {
      await server.services.registration.updateSettings({ mode: 'open' }, { type: 'cli' });
    }
  });

  it('is closed while the Users password app is off', async () => {
    const app = await server.services.apps.passwordApp('users');
    await server.services.apps.update(app.id, { enabled: false }, { type: 'cli' });
    try {
      assert.equal((await server.client().get('/register')).status, 403);
    } finally {
      await server.services.apps.update(app.id, { enabled: true }, { type: 'cli' });
    }
  });
});
