import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createMailer } from '../../src/core/mail.ts';
import { defaultTemplate } from '../../src/core/mail-templates/defaults/index.ts';
import { renderTemplate } from '../../src/core/mail-templates/render.ts';
import { Mailbox } from '../helpers/mailbox.ts';
import { testConfig } from '../helpers/services.ts';

function logSink(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  let text = '';
  const stream = new Writable({ write(chunk, _encoding, done) { text += chunk; done(); } });
  return { stream, lines: () => text.split('\n').filter(Boolean).map((line) => JSON.parse(line)) };
}

describe('mail', () => {
  it('without SMTP_URL writes each message, links included, to the log', async () => {
    const sink = logSink();
    const mailer = createMailer(testConfig({ LOG_LEVEL: 'info' }), sink.stream);
    mailer.queue({ to: 'ann@example.com', ...renderTemplate(defaultTemplate('passwordReset', 'en'), 'en', { name: 'Ann', link: 'https://help.example.com/password/reset?token=abc', expiresMinutes: 60, helpdeskName: 'the helpdesk' }) });
    await mailer.idle();
    const [line] = sink.lines();
    assert.match(String(line!.msg), /email to ann@example\.com \(SMTP_URL is not set/);
    assert.match(JSON.stringify(line!.mail), /password\/reset\?token=abc/);
  });

  it('with SMTP_URL sends through that server, from MAIL_FROM', async () => {
    const mailbox = await Mailbox.start();
    try {
      const mailer = createMailer(testConfig({ SMTP_URL: mailbox.url, MAIL_FROM: 'Help <help@example.com>' }));
      mailer.queue({ to: 'bob@example.com', subject: 'Hello', text: 'Body text' });
      const mail = await mailbox.next('bob@example.com');
      assert.equal(mail.subject, 'Hello');
      assert.equal(mail.from, 'help@example.com');
      assert.match(mail.text, /Body text/);
    } finally {
      await mailbox.close();
    }
  });

  it('an unreachable SMTP server fails nothing but the delivery, which is logged', async () => {
    const sink = logSink();
    const mailer = createMailer(testConfig({ SMTP_URL: 'smtp://127.0.0.1:1', LOG_LEVEL: 'error' }), sink.stream);
    mailer.queue({ to: 'cy@example.com', subject: 'Lost', text: 'x' });
    await mailer.idle();
    const [line] = sink.lines();
    assert.equal(line!.msg, 'could not send email');
    assert.equal(line!.subject, 'Lost');
    await assert.rejects(mailer.sendNow({ to: 'cy@example.com', subject: 'Now', text: 'x' }));
  });

  it('a message that could not be made (a template failing to fill in) is logged, and fails nothing else', async () => {
    const sink = logSink();
    const mailer = createMailer(testConfig({ LOG_LEVEL: 'error' }), sink.stream);
    mailer.queue(Promise.reject(new Error('template broken')));
    await mailer.idle();
    const [line] = sink.lines();
    assert.equal(line!.msg, 'could not send email');
    assert.match(JSON.stringify(line!.err), /template broken/);
  });

  it('rejects an SMTP_URL that is not smtp:// or smtps://', () => {
    assert.throws(() => testConfig({ SMTP_URL: 'http://mail.example.com' }), /SMTP_URL/);
  });
});
