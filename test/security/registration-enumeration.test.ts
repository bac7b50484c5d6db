import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { accountCounts } from '../helpers/counts.ts';
import { Mailbox } from '../helpers/mailbox.ts';
import { withoutTokens } from '../helpers/pages.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// Issue 14, defect 5: with email validation on, the registration form must not tell a stranger
// which emails have accounts here (account enumeration, OWASP ASVS 2.1 / WSTG-IDNT-04). Both
// answers are the same page with the same status; the owner of a taken email is told by mail.

const cli = { type: 'cli' } as const;
const PASSWORD = 'correct horse battery';

describe('registration does not enumerate accounts while email validation is on', () => {
  let server: TestServer;
  let mailbox: Mailbox;

  before(async () => {
    mailbox = await Mailbox.start();
    server = await startTestServer({ env: { SMTP_URL: mailbox.url } });
    await server.services.people.create({ audience: 'users', name: 'Kim', email: 'kim@example.com', password: PASSWORD });
  });
  after(async () => {
    await server.close();
    await mailbox.close();
  });

  async function register(email: string) {
    const browser = server.client();
    const csrf = await browser.csrfFrom('/register');
    return browser.postForm('/register', { _csrf: csrf, name: 'Someone', email, password: 'another long passphrase' });
  }

  it('a known and a new email get the same status and page; the owner gets an email, the account is untouched', async () => {
    await server.services.registration.updateSettings({ emailValidation: true }, cli);
    try {
      const before = await accountCounts(server.services.db);
      const known = await register('KIM@example.com');
      assert.deepEqual(await accountCounts(server.services.db), before, 'nothing created for the taken email');
      const fresh = await register('kim.new@example.com');
      assert.equal(known.status, 201);
      assert.equal(fresh.status, 201);
      const page = (r: typeof known, email: string) => withoutTokens(r.text).replaceAll(email, 'EMAIL');
      assert.equal(page(known, 'KIM@example.com'), page(fresh, 'kim.new@example.com'));
      assert.match(known.text, /data-state="email-validation-pending"/);

      const told = await mailbox.next('kim@example.com', /Someone tried to register with your email/);
      assert.match(told.text, /\/password\/forgot/);
      await mailbox.next('kim.new@example.com', /Confirm/i);
      assert.equal((await server.client().signIn('kim@example.com', PASSWORD)).status, 303, 'the owner\'s password still works');
      const audit = await server.services.audit.list({ action: 'registration.created', outcome: 'failure', limit: 1 });
      assert.equal(audit[0]?.reason, 'registration.email_taken', 'the admin still sees why');
    } finally {
      await server.services.registration.updateSettings({ emailValidation: false }, cli);
    }
  });

  it('with validation off (the new account is signed in at once) a taken email is refused, as documented', async () => {
    const known = await register('kim@example.com');
    assert.equal(known.status, 409);
    assert.match(known.text, /registration\.email_taken/);
  });
});
