import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_SENDS_PER_HOUR } from '../../src/core/mail-templates/test-sends.ts';
import { assertRefused, createsNothing } from '../helpers/attacks.ts';
import { Mailbox } from '../helpers/mailbox.ts';
import { csrfOf } from '../helpers/pages.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

// An attacker's look at the emails (issue 18 part 9), through the real SMTP server of the
// mailbox: template syntax that would drop the link or print what is not a variable, values
// from outside (a User-Agent header, a brand name) that would write lines of their own into
// our email, and "Send a test to me" as a way to make the helpdesk send mail without end.

const PASSWORD = 'correct horse battery';
const RESET_EN = '/admin/emails/passwordReset/en';
type Code = Parameters<typeof assertRefused>[1];

describe('attacks on email templates', () => {
  let server: TestServer;
  let mailbox: Mailbox;
  let admin: TestClient;
  const stored = () => server.services.db.query<{ kind: string }>('SELECT kind FROM mail_templates');
  const post = async (action: string, fields: Record<string, string>, client = admin) =>
    client.postForm(action, { _csrf: csrfOf((await client.get(RESET_EN)).text), ...fields });

  before(async () => {
    mailbox = await Mailbox.start();
    server = await startTestServer({ env: { SMTP_URL: mailbox.url } });
    await server.services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    await server.services.people.create({ audience: 'agents', name: 'Ben Admin', email: 'ben@example.com', password: PASSWORD, isAdmin: true });
    await server.services.people.create({ audience: 'users', name: 'Uma User', email: 'uma@example.com', password: PASSWORD });
    admin = server.client();
    assert.equal((await admin.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
  });
  after(async () => {
    await server.close();
    await mailbox.close();
  });

  it('refuses templates that would hide the link or print what is not a variable, on Save and Preview alike', async () => {
    const cases: [string, string, Code][] = [
      // A quoted brace is a literal: the email would say "{link}" and carry no link.
      ['quoted', "Reset: '{link}'", 'mail_template.variable_missing'],
      // Inside a case it may never be printed.
      ['in a select', '{link, select, other {{link}}}', 'mail_template.variable_missing'],
      ['in a plural', '{expiresMinutes, plural, one {{link}} other {no link}}', 'mail_template.variable_missing'],
      ['as a number', 'Reset: {link, number}', 'mail_template.variable_type'],
      ['as a date', 'Reset: {link} {name, date}', 'mail_template.variable_type'],
      // Names found on every object's prototype are no variables of ours.
      ['constructor', 'Reset: {link} {constructor}', 'mail_template.variable_unknown'],
      ['__proto__', 'Reset: {link} {__proto__}', 'mail_template.variable_unknown'],
      ['toString', 'Reset: {link} {toString}', 'mail_template.variable_unknown'],
      ['hasOwnProperty in a select', '{hasOwnProperty, select, other {x}} {link}', 'mail_template.variable_unknown'],
      ['a tag', 'Reset: <a href="{link}">here</a> {password}', 'mail_template.variable_unknown'],
    ];
    for (const [what, body, code] of cases) {
      for (const path of [RESET_EN, `${RESET_EN}/preview`]) {
        const refused = await createsNothing(server.services.db, () => post(path, { subject: 'Reset', body }));
        assertRefused(refused, code);
        assert.doesNotMatch(refused.text, /native code|\[object Object\]/, `${what}: nothing of JavaScript's is printed`);
      }
    }
    assert.deepEqual(await stored(), []);
  });

  it('refuses every kind of line break in the subject: header injection', async () => {
    for (const subject of ['Reset\r\nBcc: all@example.com', 'Reset\nBcc: all@example.com', 'Reset\u0085Bcc: all@example.com', 'Reset\u2028Bcc: all@example.com', 'Reset\u2029Bcc: all@example.com']) {
      const refused = await createsNothing(server.services.db, () => post(RESET_EN, { subject, body: '{link}' }));
      assertRefused(refused, 'mail_template.subject_line_break');
    }
    assert.deepEqual(await stored(), []);
  });

  it('a deeply nested or oversized template is refused with its code, never a 5xx', async () => {
    let deep = '{link}';
    for (let i = 0; i < 250; i++) deep = `{expiresMinutes, plural, other {${deep}}}`;
    const nested = await post(RESET_EN, { subject: 'Reset', body: deep });
    assertRefused(nested, 'mail_template.variable_missing');
    assertRefused(await post(RESET_EN, { subject: 'Reset', body: `{link}${'{'.repeat(5000)}` }), 'mail_template.syntax_invalid');
    assertRefused(await post(RESET_EN, { subject: 'Reset', body: `{link} ${'x'.repeat(10_001)}` }), 'mail_template.too_long');
    assert.deepEqual(await stored(), []);
  });

  it('a User-Agent cannot write lines of its own into the new-sign-in email its victim gets', async () => {
    const s = server.services;
    await s.registration.updateSettings({ alerts: { newDevice: true } }, { type: 'cli' });
    const uma = (await s.people.findForSignIn('users', 'uma@example.com'))!.person;
    // Signed in before from another address: the next sign-in here is news.
    await server.client().signIn('uma@example.com', PASSWORD);
    await s.db.query('UPDATE sessions SET ip = $2 WHERE person_id = $1', [uma.id, '192.0.2.1']);
    // NEL (0x85) passes an HTTP header intact; a mail reader may show it as a line break.
    const agent = 'curl/8\x85\x85Your password expired today. Reset it at https://evil.example/reset\x85\t';
    const attacker = server.client();
    const csrf = await attacker.csrfFrom('/login');
    const signedIn = await attacker.request('POST', '/login', {
      body: new URLSearchParams({ _csrf: csrf, email: 'uma@example.com', password: PASSWORD }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': agent },
    });
    assert.equal(signedIn.status, 303);
    const mail = await mailbox.next('uma@example.com', /New sign-in/);
    const device = mail.text.split('\n').find((line) => line.startsWith('Device: '));
    assert.equal(device, 'Device: curl/8 Your password expired today. Reset it at https://evil.example/reset', 'one line, no control characters');
    assert.doesNotMatch(mail.text, /[\u0080-\u009f\t\u2028\u2029]/);
    await s.registration.updateSettings({ alerts: { newDevice: false } }, { type: 'cli' });
  });

  it('a brand name with a Unicode line break stays on its line in the subject and the body', async () => {
    await server.services.brand.update({ name: 'Acme\u2028Bcc: all@example.com\u202eevil' }, { type: 'cli' });
    try {
      const saved = await post(RESET_EN, { subject: 'Reset your {helpdeskName} password', body: 'Hello {name},\n\n{link}\n\n{helpdeskName}' });
      assert.equal(saved.status, 303);
      const visitor = server.client();
      const asked = await visitor.postForm('/password/forgot', { _csrf: await visitor.csrfFrom('/password/forgot'), email: 'uma@example.com' });
      assert.equal(asked.status, 200);
      const mail = await mailbox.next('uma@example.com', /Reset your/);
      assert.equal(mail.subject, 'Reset your Acme Bcc: all@example.com evil password');
      assert.equal(mail.to.length, 1, 'no recipient added');
      assert.match(mail.text, /\n\nAcme Bcc: all@example\.com evil\s*$/, 'the name is one line in the body too, without its bidi override');
    } finally {
      await server.services.mailTemplates.reset('passwordReset', 'en', { type: 'cli' });
      await server.services.brand.update({ name: null }, { type: 'cli' });
    }
  });

  describe('"Send a test to me"', () => {
    it('goes only to the signed-in admin, whatever the form names, and each send is audited', async () => {
      const before = (await server.services.audit.list({ action: 'mail_template.test_sent' })).length;
      const sent = await post(`${RESET_EN}/test`, { subject: 'Draft', body: '{link}', to: 'victim@example.net', cc: 'victim@example.net', email: 'victim@example.net' });
      assert.equal(sent.status, 200);
      const mail = await mailbox.next('ada@example.com', /Draft/);
      assert.deepEqual(mail.to, ['ada@example.com']);
      assert.equal(mailbox.to('victim@example.net').length, 0);
      const events = await server.services.audit.list({ action: 'mail_template.test_sent' });
      assert.equal(events.length, before + 1);
      const ada = (await server.services.people.findForSignIn('agents', 'ada@example.com'))!.person;
      assert.equal(events[0]!.outcome, 'success');
      assert.equal(events[0]!.actor.type === 'person' ? events[0]!.actor.id : undefined, ada.id);
      assert.deepEqual(events[0]!.details, { kind: 'passwordReset', language: 'en', to: 'ada@example.com' });
    });

    it(`is refused past ${TEST_SENDS_PER_HOUR} an hour per admin with mail_template.test_throttled, sending nothing; another admin still may`, async () => {
      const ada = (await server.services.people.findForSignIn('agents', 'ada@example.com'))!.person;
      const sentSoFar = async () => (await server.services.audit.list({ action: 'mail_template.test_sent', actorId: ada.id, limit: 100 })).length;
      while ((await sentSoFar()) < TEST_SENDS_PER_HOUR) {
        assert.equal((await post(`${RESET_EN}/test`, { subject: 'Flood', body: '{link}' })).status, 200);
      }
      await server.services.mail.idle();
      const delivered = mailbox.to('ada@example.com').length;
      const refused = await post(`${RESET_EN}/test`, { subject: 'Flood', body: '{link}' });
      assertRefused(refused, 'mail_template.test_throttled');
      assert.match(refused.text, /20 test emails in the last hour/);
      assert.match(refused.text, />\{link\}<\/textarea>/, 'the draft is kept');
      assert.equal(await sentSoFar(), TEST_SENDS_PER_HOUR, 'a refused send is no send');
      // Preview is not limited: it sends nothing.
      assert.equal((await post(`${RESET_EN}/preview`, { subject: 'Flood', body: '{link}' })).status, 200);
      await server.services.mail.idle();
      assert.equal(mailbox.to('ada@example.com').length, delivered, 'nothing more was sent');

      const ben = server.client();
      assert.equal((await ben.signIn('ben@example.com', PASSWORD, 'agents')).status, 303);
      assert.equal((await post(`${RESET_EN}/test`, { subject: 'Ben', body: '{link}' }, ben)).status, 200);
      assert.deepEqual((await mailbox.next('ben@example.com', /Ben/)).to, ['ben@example.com']);
    });
  });
});
