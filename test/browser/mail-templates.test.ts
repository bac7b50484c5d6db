import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { seriousViolations } from '../helpers/axe.ts';
import { launchChromium, submitPasswordForm } from '../helpers/browser.ts';
import { Mailbox } from '../helpers/mailbox.ts';
import { screenshot } from '../helpers/screenshots.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'correct horse battery';


// An admin edits an email in Chromium (issue 18 part 9): the German reset email, previewed,
// refused with the message next to the field, saved, and a test send that arrives in the
// mailbox of the real SMTP server. The pages have no script; axe finds no serious violation.
describe('Emails in the admin console (Chromium)', () => {
  let server: TestServer;
  let mailbox: Mailbox;
  let browser: Browser;
  let admin: Page;

  before(async () => {
    mailbox = await Mailbox.start();
    server = await startTestServer({ publicUrlIsListening: true, env: { SMTP_URL: mailbox.url } });
    browser = await launchChromium();
    await server.services.people.create({ audience: 'agents', name: 'Ada Admin', email: 'ada@example.com', password: PASSWORD, isAdmin: true });
    // axe is injected, so this context bypasses CSP; the pages themselves use no script.
    admin = await (await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } })).newPage();
    await admin.goto(`${server.url}/admin/emails`);
    await submitPasswordForm(admin, 'ada@example.com', PASSWORD);
    assert.equal(new URL(admin.url()).pathname, '/admin/emails');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await mailbox?.close();
  });

  it('edits, previews, refuses, saves and test-sends the German reset email', async () => {
    const problems = await seriousViolations(admin);
    await admin.getByRole('link', { name: 'Password reset, German: default' }).click();
    assert.equal(new URL(admin.url()).pathname, '/admin/emails/passwordReset/de');
    assert.equal(await admin.getByLabel('Subject').inputValue(), 'Setzen Sie Ihr Passwort zurück');

    await admin.getByLabel('Subject').fill('Neues Passwort für {name}');
    await admin.getByLabel('Body (plain text)').fill('Hallo {name},\n\nhier entlang: {link}\n\nGültig {expiresMinutes, plural, one {# Minute} other {# Minuten}}.');
    await admin.getByRole('button', { name: 'Preview' }).click();
    const preview = admin.getByRole('region', { name: 'Preview, with the sample values' });
    assert.match(await preview.textContent() ?? '', /Neues Passwort für Ada Lovelace/);
    assert.match(await preview.textContent() ?? '', /Gültig 60 Minuten\./);
    assert.match(await admin.getByLabel('Body (plain text)').inputValue(), /hier entlang: \{link\}/, 'the draft stays in the form');
    problems.push(...(await seriousViolations(admin)));
    await screenshot(admin, 'admin-email-preview');

    // The link left out: refused, the message next to the body, nothing stored.
    const draft = await admin.getByLabel('Body (plain text)').inputValue();
    await admin.getByLabel('Body (plain text)').fill('Hallo {name}, klicken Sie hier.');
    await admin.getByRole('button', { name: 'Save', exact: true }).click();
    assert.match(await admin.getByRole('alert').textContent() ?? '', /mail_template\.variable_missing/);
    assert.match(await admin.locator('#f-body-error').textContent() ?? '', /must contain \{link\}/);
    assert.equal(await admin.getByLabel('Body (plain text)').getAttribute('aria-invalid'), 'true');
    problems.push(...(await seriousViolations(admin)));
    assert.deepEqual(await server.services.db.query('SELECT kind FROM mail_templates'), []);

    await admin.getByLabel('Body (plain text)').fill(draft);
    await admin.getByRole('button', { name: 'Save', exact: true }).click();
    assert.equal(new URL(admin.url()).search, '?notice=saved');
    assert.equal(await admin.getByRole('status').textContent(), 'Saved.');
    assert.match(await admin.locator('main, body').first().textContent() ?? '', /Customised/);
    await admin.reload();
    assert.equal(await admin.getByLabel('Subject').inputValue(), 'Neues Passwort für {name}', 'a reload shows the saved template, nothing resubmitted');

    await admin.getByRole('button', { name: 'Send a test to me' }).click();
    assert.match(await admin.locator('[data-state="test-sent"]').textContent() ?? '', /sent to ada@example\.com/);
    const mail = await mailbox.next('ada@example.com', /^\[Test\]/);
    assert.equal(mail.subject, '[Test] Neues Passwort für Ada Lovelace');
    assert.match(mail.text, /hier entlang: https:\/\/help\.example\.com\/password\/reset\?token=sample/);

    const composed = await server.services.mailTemplates.compose('passwordReset', 'de', { name: 'Dora', link: 'https://x.example/r', expiresMinutes: 1 });
    assert.equal(composed.text, 'Hallo Dora,\n\nhier entlang: https://x.example/r\n\nGültig 1 Minute.');

    await admin.getByRole('link', { name: 'Reset to default' }).click();
    problems.push(...(await seriousViolations(admin)));
    await admin.getByRole('button', { name: 'Reset to default' }).click();
    assert.equal(await admin.getByLabel('Subject').inputValue(), 'Setzen Sie Ihr Passwort zurück');

    const narrow = await (await browser.newContext({ bypassCSP: true, viewport: { width: 360, height: 800 }, storageState: await admin.context().storageState() })).newPage();
    await narrow.goto(`${server.url}/admin/emails/passwordReset/de`);
    assert.equal(await narrow.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), true, 'no sideways scroll at 360 px');
    problems.push(...(await seriousViolations(narrow)));
    await narrow.goto(`${server.url}/admin/emails`);
    assert.equal(await narrow.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), true, 'the list at 360 px');
    assert.deepEqual(problems, []);
  });
});
