import nodemailer from 'nodemailer';
import pino from 'pino';
import type { Config } from '../config.ts';

export type MailMessage = { to: string; subject: string; text: string };

/**
 * Outgoing mail. With SMTP_URL, through that server (nodemailer); without it, each message
 * is written to the log, so a development setup still shows the links it would have sent.
 *
 * `queue` never waits for the server: a request must not take longer (or fail) because an
 * account exists and got an email, or the timing would tell who has an account. Failures
 * are logged. `idle()` lets tests and the CLI wait until every queued message has left.
 */
export class Mailer {
  readonly #send: (message: MailMessage) => Promise<void>;
  readonly #log: pino.Logger;
  readonly #pending = new Set<Promise<void>>();

  constructor(send: (message: MailMessage) => Promise<void>, log: pino.Logger) {
    this.#send = send;
    this.#log = log;
  }

  /** `message` may still be in the making (a template being filled in): its failure is logged like a refused delivery. */
  queue(message: MailMessage | Promise<MailMessage>): void {
    let subject: string | undefined;
    const sending = Promise.resolve(message)
      .then((ready) => {
        subject = ready.subject;
        return this.#send(ready);
      })
      .catch((error: unknown) => this.#log.error({ err: error, subject }, 'could not send email'))
      .finally(() => this.#pending.delete(sending));
    this.#pending.add(sending);
  }

  /** Sends now and throws if the server refuses (CLI, admin actions that report back). */
  async sendNow(message: MailMessage): Promise<void> {
    await this.#send(message);
  }

  async idle(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }
}

/** `destination`: where the log goes (standard output by default; tests pass a stream). */
export function createMailer(config: Config, destination?: pino.DestinationStream): Mailer {
  const log = destination ? pino({ level: config.logLevel, name: 'mail' }, destination) : pino({ level: config.logLevel, name: 'mail' });
  if (!config.smtpUrl) {
    return new Mailer(async (message) => {
      log.info({ mail: message }, `email to ${message.to} (SMTP_URL is not set, so it is logged instead of sent)`);
    }, log);
  }
  const transport = nodemailer.createTransport(config.smtpUrl);
  return new Mailer(async (message) => {
    await transport.sendMail({ from: config.mailFrom, to: message.to, subject: message.subject, text: message.text });
  }, log);
}

// What the emails say: src/core/mail-templates/ (kinds, defaults per language, custom templates).
