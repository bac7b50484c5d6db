import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertRefused, assertStaysOnSite, createsNothing, OPEN_REDIRECTS, refusalCode } from '../helpers/attacks.ts';
import { accountCounts } from '../helpers/counts.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';
const cli = { type: 'cli' } as const;

// Self-registration of Users. Note: registration.email_taken (409) tells that an email has an
// account; that is the documented behaviour of open registration (docs/SECURITY.md, out of scope).
describe('registration attacks', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    await server.services.people.create({ audience: 'agents', name: 'Ada', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
  });
  after(async () => {
    await server.close();
  });

  async function register(fields: Record<string, unknown>, as: 'form' | 'json' = 'form') {
    const browser = server.client();
    const csrf = await browser.csrfFrom('/register');
    const response = as === 'form'
      ? await browser.postForm('/register', { _csrf: csrf, ...(fields as Record<string, string>) })
      : await browser.sendJson('POST', '/register', { _csrf: csrf, ...fields });
    return { browser, response };
  }

  it('CSRF: no token, a forged one, or another browser\'s creates no account and no audit success', async () => {
    const foreign = await server.client().csrfFrom('/register');
    const successes = (await server.services.audit.list({ action: 'registration.created', outcome: 'success', limit: 1000 })).length;
    for (const token of [undefined, 'forged', foreign]) {
      const browser = server.client();
      await browser.get('/register');
      const response = await createsNothing(server.services.db, () =>
        browser.postForm('/register', { name: 'Mallory', email: 'mallory@example.com', password: PASSWORD, ...(token ? { _csrf: token } : {}) }),
      );
      assertRefused(response, 'request.csrf_invalid');
    }
    assert.equal((await server.services.audit.list({ action: 'registration.created', outcome: 'success', limit: 1000 })).length, successes);
  });

  it('an agent\'s email registers a separate User, never an agent or admin, and never the agent\'s password', async () => {
    const { browser, response } = await register({ name: 'Not Ada', email: 'ADA@example.com', password: 'attacker passphrase' });
    assert.equal(response.status, 303);
    const who = await browser.get('/api/v1/session');
    assert.equal(who.json.audience, 'users');
    assert.equal(who.json.person.isAdmin, false);
    assertRefused(await browser.get('/api/v1/users'), 'auth.wrong_audience');
    assertRefused(await server.client().signIn('ada@example.com', 'attacker passphrase', 'agents'), 'auth.invalid_credentials');
  });

  it('hostile field values: oversized, control characters, NUL, JSON arrays and objects are refused, creating nothing and auditing', async () => {
    const failures = async () => (await server.services.audit.list({ action: 'registration.created', outcome: 'failure', limit: 1000 })).length;
    const before = await failures();
    const cases: [Record<string, unknown>, string, 'form' | 'json'][] = [
      [{ name: 'N'.repeat(10_000), email: 'big@example.com', password: PASSWORD }, 'request.invalid', 'form'],
      [{ name: 'Bell\u0007', email: 'bell@example.com', password: PASSWORD }, 'request.invalid', 'form'],
      [{ name: 'Line', email: 'a@example.com\r\nBcc: victim@example.com', password: PASSWORD }, 'request.invalid', 'form'],
      [{ name: 'x', email: `${'a'.repeat(300)}@example.com`, password: PASSWORD }, 'request.invalid', 'form'],
      [{ name: 'Nul', email: 'nul@example.com', password: `a\u0000${PASSWORD}` }, 'request.invalid', 'form'],
      [{ name: ['Arr'], email: 'arr@example.com', password: PASSWORD }, 'request.invalid', 'json'],
      [{ name: 'Obj', email: { $gt: '' }, password: PASSWORD }, 'request.invalid', 'json'],
    ];
    for (const [fields, code, as] of cases) {
      const { response } = await createsNothing(server.services.db, () => register(fields, as));
      assertRefused(response, code as never);
    }
    assert.ok((await failures()) >= before + 4, 'refusals that reach registration are audited');
  });

  it('registration while closed is refused with registration.closed, creating nothing', async () => {
    await server.services.registration.updateSettings({ mode: 'closed' }, cli);
    try {
      const browser = server.client();
      const csrf = await browser.csrfFrom('/login');
      assertRefused(await browser.get('/register'), 'registration.closed');
      const response = await createsNothing(server.services.db, () => browser.postForm('/register', { _csrf: csrf, name: 'Late', email: 'late@example.com', password: PASSWORD }));
      assertRefused(response, 'registration.closed');
    } finally {
      await server.services.registration.updateSettings({ mode: 'open' }, cli);
    }
  });

  it('return_to never leaves the site, on the form and after registering', async () => {
    const browser = server.client();
    for (const target of OPEN_REDIRECTS) {
      const form = await browser.get(`/register?return_to=${encodeURIComponent(target)}`);
      assert.equal(form.status, 200);
      assert.doesNotMatch(form.text, /evil\.example\.net|javascript:|data:text/);
    }
    for (const [i, target] of OPEN_REDIRECTS.entries()) {
      const { response } = await register({ name: `Redirected ${i}`, email: `redirected${i}@example.com`, password: PASSWORD, return_to: target });
      assert.equal(response.status, 303, target);
      assertStaysOnSite(response.location);
      assert.equal(response.location, '/', target);
    }
  });

  it('50 registrations of one email at once: exactly one account, the rest registration.email_taken', async () => {
    const before = await accountCounts(server.services.db);
    const browsers = Array.from({ length: 50 }, () => server.client());
    const tokens = await Promise.all(browsers.map((b) => b.csrfFrom('/register')));
    const results = await Promise.all(browsers.map((b, i) => b.postForm('/register', { _csrf: tokens[i]!, name: `Twin ${i}`, email: 'twin@example.com', password: PASSWORD })));
    assert.equal(results.filter((r) => r.status === 303).length, 1, results.map((r) => r.status).join(','));
    for (const r of results.filter((r) => r.status !== 303)) assert.equal(refusalCode(r), 'registration.email_taken');
    const after = await accountCounts(server.services.db);
    assert.equal(after.people, before.people + 1);
    assert.equal(after.emails, before.emails + 1);
  });
});
