import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { languageOf } from '../../src/core/languages.ts';
import { assertRefused, createsNothing } from '../helpers/attacks.ts';
import { linkIn, Mailbox } from '../helpers/mailbox.ts';
import { csrfOf } from '../helpers/pages.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

// Email templates in the console (issue 18 part 9), through the real SMTP server of the
// mailbox: a saved template is what the next email of that kind and language says; a refused
// save (unknown variable, missing {link}, CRLF in the subject, bad ICU) stores nothing; the
// test send goes to the admin's own address through Mailer.sendNow, and a refusal by the SMTP
// server is shown with its answer.

const PASSWORD = 'correct horse battery';
const RESET_DE = '/admin/emails/passwordReset/de';
const RESET_EN = '/admin/emails/passwordReset/en';

describe('admin: email templates', () => {
  let server: TestServer;
  let mailbox: Mailbox;
  let admin: TestClient;
  const stored = () => server.services.db.query<{ kind: string; language: string; subject: string }>('SELECT kind, language, subject FROM mail_templates ORDER BY kind, language');
  const audited = async (action: string) => (await server.services.audit.list({ action })).length;
  const post = async (page: string, action: string, fields: Record<string, string>) => admin.postForm(action, { _csrf: csrfOf((await admin.get(page)).text), ...fields });

  before(async () => {
    mailbox = await Mailbox.start();
    server = await startTestServer({ env: { SMTP_URL: mailbox.url } });
    await server.services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    await server.services.people.create({ audience: 'users', name: 'Eve English', email: 'eve@example.com', password: PASSWORD });
    admin = server.client();
    assert.equal((await admin.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
  });
  after(async () => {
    await server.close();
    await mailbox.close();
  });

  it('lists every email in every language, each the default until saved', async () => {
    const page = await admin.get('/admin/emails');
    assert.equal(page.status, 200);
    assert.match(page.text, /<a href="\/admin\/emails" aria-current="page">Emails<\/a>/);
    for (const kind of ['emailValidation', 'passwordReset', 'passwordResetExternal', 'registrationAttempt', 'emailCode', 'newDevice', 'failedSignIns', 'approved', 'adminBypass']) {
      for (const language of ['en', 'de', 'fr', 'es']) assert.ok(page.text.includes(`href="/admin/emails/${kind}/${language}"`), `${kind}/${language}`);
    }
    assert.doesNotMatch(page.text, /Customised</);
    const edit = await admin.get(RESET_DE);
    assert.equal(edit.status, 200);
    assert.match(edit.text, /value="Setzen Sie Ihr Passwort zurück"/, 'the German default is in the form');
    assert.match(edit.text, /<code>\{link\}<\/code><\/td><td data-label="Type">text<\/td><td data-label="Required">required/);
    assert.equal((await admin.get('/admin/emails/passwordReset/xx')).status, 404);
    assert.equal((await admin.get('/admin/emails/noSuchEmail/de')).status, 404);
  });

  it('refuses an unknown variable, a missing {link}, CRLF in the subject and bad ICU syntax, storing and auditing nothing', async () => {
    const cases: [Record<string, string>, 'mail_template.variable_unknown' | 'mail_template.variable_missing' | 'mail_template.subject_line_break' | 'mail_template.syntax_invalid', string][] = [
      [{ subject: 'Neues Passwort', body: 'Hallo {name}: {link} {password}' }, 'mail_template.variable_unknown', 'body'],
      [{ subject: 'Neues Passwort', body: 'Hallo {name}, klicken Sie hier.' }, 'mail_template.variable_missing', 'body'],
      [{ subject: 'Neues Passwort\r\nBcc: everyone@example.com', body: 'Hallo {name}: {link}' }, 'mail_template.subject_line_break', 'subject'],
      [{ subject: 'Neues Passwort', body: 'Hallo {name: {link}' }, 'mail_template.syntax_invalid', 'body'],
    ];
    for (const [fields, code, field] of cases) {
      const refused = await createsNothing(server.services.db, () => post(RESET_DE, RESET_DE, fields));
      assertRefused(refused, code);
      assert.match(refused.text, new RegExp(`id="f-${field}-error"`), `${code}: the message is next to the ${field} field`);
      assert.ok(refused.text.includes('Hallo {name'), 'the draft is kept in the form');
    }
    assert.deepEqual(await stored(), []);
    assert.equal(await audited('mail_template.updated'), 0);
  });

  it('Preview renders the draft with sample values and stores nothing; a reload goes back to the page', async () => {
    const preview = await post(RESET_DE, `${RESET_DE}/preview`, { subject: 'Passwort für {name}', body: 'Hallo {name}, hier: {link} ({expiresMinutes, plural, one {# Minute} other {# Minuten}})' });
    assert.equal(preview.status, 200);
    assert.match(preview.text, /data-state="preview"/);
    assert.match(preview.text, /Passwort für Ada Lovelace/);
    assert.match(preview.text, /Hallo Ada Lovelace, hier: https:\/\/help\.example\.com\/password\/reset\?token=sample \(60 Minuten\)/);
    assert.deepEqual(await stored(), []);
    const reload = await admin.get(`${RESET_DE}/preview`);
    assert.equal(reload.status, 303);
    assert.equal(reload.location, RESET_DE);
    const bad = await post(RESET_DE, `${RESET_DE}/preview`, { subject: 'x', body: 'no link' });
    assertRefused(bad, 'mail_template.variable_missing');
  });

  it('saves a German reset email: audited, PRG, and the next German reset email says it; English keeps its default', async () => {
    const saved = await post(RESET_DE, RESET_DE, { subject: 'Neues Passwort für {name}', body: 'Hallo {name},\r\n\r\nhier entlang: {link}\r\n\r\nGültig {expiresMinutes, plural, one {# Minute} other {# Minuten}}.' });
    assert.equal(saved.status, 303, saved.text.slice(0, 400));
    assert.equal(saved.location, `${RESET_DE}?notice=saved`);
    const page = await admin.get(saved.location!);
    assert.match(page.text, /Customised/);
    assert.match(page.text, /by Ada Admin/);
    const [event] = await server.services.audit.list({ action: 'mail_template.updated' });
    assert.equal(event?.actor.type, 'person');
    assert.deepEqual(event?.target, { type: 'mail_template', id: 'passwordReset:de' });
    const log = await admin.get('/admin/audit?action=mail_template.updated');
    assert.match(log.text, /email <a href="\/admin\/emails\/passwordReset\/de">Password reset \(German\)<\/a>/, 'the audit log names the email');

    // Until people have a language setting, a German person is the renderer with 'de'.
    const german = await server.services.mailTemplates.compose('passwordReset', 'de', { name: 'Dora', link: 'https://help.example.com/password/reset?token=t', expiresMinutes: 60 });
    assert.equal(german.subject, 'Neues Passwort für Dora');
    assert.equal(german.text, 'Hallo Dora,\n\nhier entlang: https://help.example.com/password/reset?token=t\n\nGültig 60 Minuten.');

    const eve = await server.services.people.findForSignIn('users', 'eve@example.com');
    assert.equal(languageOf(eve!.person), 'en');
    const browser = server.client();
    await browser.postForm('/password/forgot', { _csrf: await browser.csrfFrom('/password/forgot'), email: 'eve@example.com' });
    const english = await mailbox.next('eve@example.com');
    assert.equal(english.subject, 'Reset your password', 'the English person gets the English default');
  });

  it('the reset email of an English person uses the custom English template after one is saved', async () => {
    const saved = await post(RESET_EN, RESET_EN, { subject: 'Your new password at {helpdeskName}', body: 'Hi {name}, go here: {link}' });
    assert.equal(saved.status, 303, saved.text.slice(0, 400));
    mailbox.messages.splice(0);
    const browser = server.client();
    await browser.postForm('/password/forgot', { _csrf: await browser.csrfFrom('/password/forgot'), email: 'eve@example.com' });
    const mail = await mailbox.next('eve@example.com', /new password/);
    assert.equal(mail.subject, 'Your new password at the helpdesk');
    assert.match(mail.text, /^Hi Eve English, go here: http/);
    const link = linkIn(mail, '/password/reset');
    assert.equal((await browser.get(link)).status, 200, 'the link in the custom email works');
  });

  it('"Send a test to me" sends the draft to the admin\'s own address through the SMTP server, storing nothing', async () => {
    const before = await stored();
    const sent = await post(RESET_DE, `${RESET_DE}/test`, { subject: 'Entwurf für {name}', body: 'Entwurf: {link}', to: 'someone-else@example.com' });
    assert.equal(sent.status, 200, sent.text.slice(0, 400));
    assert.match(sent.text, /data-state="test-sent"/);
    const mail = await mailbox.next('ada@example.com', /Entwurf/);
    assert.equal(mail.subject, '[Test] Entwurf für Ada Lovelace');
    assert.equal(mail.text.trim(), 'Entwurf: https://help.example.com/password/reset?token=sample');
    assert.equal(mailbox.to('someone-else@example.com').length, 0, 'only ever to the admin');
    assert.deepEqual(await stored(), before);
  });

  it('a test the SMTP server refuses is reported with its answer', async () => {
    const refusing = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
      onRcptTo: (_address, _session, callback) => callback(Object.assign(new Error('Mailbox unavailable: relay denied'), { responseCode: 550 })),
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const port = (refusing.server.address() as { port: number }).port;
    const other = await startTestServer({ database: server.services.db, env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
    try {
      const browser = other.client();
      assert.equal((await browser.signIn('ada@example.com', PASSWORD, 'agents')).status, 303);
      const page = await browser.get(RESET_DE);
      const refused = await browser.postForm(`${RESET_DE}/test`, { _csrf: csrfOf(page.text), subject: 'Entwurf', body: '{link}' });
      assert.equal(refused.status, 502);
      assert.match(refused.text, /Error <code>mail_template\.test_refused<\/code>/);
      assert.match(refused.text, /550 Mailbox unavailable: relay denied/);
      assert.match(refused.text, />\{link\}<\/textarea>/, 'the draft is kept');
      const [audited] = await server.services.audit.list({ action: 'mail_template.test_sent', limit: 1 });
      assert.equal(audited?.outcome, 'failure', 'a refused test send is audited too');
      assert.equal(audited?.reason, 'mail_template.test_refused');
      assert.match(String(audited?.details.smtp), /relay denied/);
    } finally {
      await other.close();
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
  });

  it('Reset to default asks first, then removes the custom template, audited', async () => {
    const confirm = await admin.get(`${RESET_DE}/reset`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, /Reset Password reset \(German\) to the default\?/);
    const unconfirmed = await post(`${RESET_DE}/reset`, `${RESET_DE}/reset`, {});
    assert.equal(unconfirmed.status, 303);
    assert.equal(unconfirmed.location, `${RESET_DE}/reset`);
    assert.equal((await stored()).length, 2, 'nothing reset without the confirmation');
    const done = await post(`${RESET_DE}/reset`, `${RESET_DE}/reset`, { confirm: 'yes' });
    assert.equal(done.status, 303);
    assert.equal(done.location, `${RESET_DE}?notice=reset_default`);
    assert.deepEqual((await stored()).map((r) => r.language), ['en']);
    assert.equal(await audited('mail_template.reset'), 1);
    const composed = await server.services.mailTemplates.compose('passwordReset', 'de', { name: 'Dora', link: 'x', expiresMinutes: 60 });
    assert.equal(composed.subject, 'Setzen Sie Ihr Passwort zurück');
  });

  it('every form of the section refuses a missing or forged CSRF token, changing nothing', async () => {
    const before = await stored();
    for (const path of [RESET_DE, `${RESET_DE}/preview`, `${RESET_DE}/test`, `${RESET_EN}/reset`]) {
      for (const token of [undefined, 'forged']) {
        const response = await admin.postForm(path, { subject: 'x {link}', body: '{link}', confirm: 'yes', ...(token ? { _csrf: token } : {}) });
        assertRefused(response, 'request.csrf_invalid');
      }
    }
    assert.deepEqual(await stored(), before);
    assert.equal(mailbox.to('ada@example.com').filter((m) => m.subject === '[Test] x {link}').length, 0);
  });

  it('a save on one node is what every node sends within a second', async () => {
    const other = await startTestServer({ database: server.services.db, env: { SMTP_URL: mailbox.url } });
    try {
      const values = { name: 'Pablo', link: 'https://help.example.com/login' };
      assert.equal((await other.services.mailTemplates.compose('approved', 'es', values)).subject, 'Su cuenta está aprobada');
      await server.services.mailTemplates.save('approved', 'es', { subject: '¡Bienvenido, {name}!', body: 'Entre aquí: {link}' }, { type: 'cli' });
      await sleep(1000); // the promise to keep: a template saved on one node is used on all within 1 s
      assert.equal((await other.services.mailTemplates.compose('approved', 'es', values)).subject, '¡Bienvenido, Pablo!');
    } finally {
      await other.close();
    }
  });

  it('is for admins only', async () => {
    await server.services.people.create({ audience: 'agents', name: 'Sam Agent', email: 'sam@example.com', password: PASSWORD });
    const agent = server.client();
    await agent.signIn('sam@example.com', PASSWORD, 'agents');
    assert.equal((await agent.get('/admin/emails')).status, 403);
    assert.equal((await server.client().get('/admin/emails')).status, 302);
  });
});
