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

  queue(message: MailMessage): void {
    const sending = this.#send(message)
      .catch((error: unknown) => this.#log.error({ err: error, subject: message.subject }, 'could not send email'))
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

// The templates. Plain text: every mail client shows it, nothing to escape, links stay visible.
const signature = '\n\n-- \nThis message was sent by the sign-in service of the helpdesk.';

export const mailTemplates = {
  emailValidation: (input: { name: string; link: string; expiresMinutes: number }): Omit<MailMessage, 'to'> => ({
    subject: 'Confirm your email address',
    text: `Hello ${input.name},\n\nPlease confirm your email address to finish creating your account. The page asks for the password you chose when you registered:\n\n${input.link}\n\nThe link works once and expires in ${input.expiresMinutes} minutes. If you did not register, ignore this email: without that password nothing is confirmed and the account cannot be used.${signature}`,
  }),
  passwordReset: (input: { name: string; link: string; expiresMinutes: number }): Omit<MailMessage, 'to'> => ({
    subject: 'Reset your password',
    text: `Hello ${input.name},\n\nSomeone (hopefully you) asked to reset the password of your account. Choose a new one here:\n\n${input.link}\n\nThe link works once and expires in ${input.expiresMinutes} minutes. If you did not ask, ignore this email: your password stays as it is.${signature}`,
  }),
  passwordResetExternal: (input: { name: string; apps: { name: string; url: string | undefined }[] }): Omit<MailMessage, 'to'> => ({
    subject: 'Reset your password',
    text: `Hello ${input.name},\n\nSomeone (hopefully you) asked to reset your password. Your account has no password here: you sign in with ${input.apps.map((a) => a.name).join(' or ')}. Change your password there:\n\n${input.apps.map((a) => `${a.name}: ${a.url ?? 'ask your IT team'}`).join('\n')}${signature}`,
  }),
  registrationAttempt: (input: { name: string; loginLink: string; resetLink: string }): Omit<MailMessage, 'to'> => ({
    subject: 'Someone tried to register with your email',
    text: `Hello ${input.name},\n\nSomeone (hopefully you) tried to create an account with this email address, but you already have one. Nothing was changed.\n\nSign in: ${input.loginLink}\nForgot your password? ${input.resetLink}\n\nIf this was not you, you can ignore this message.${signature}`,
  }),
  emailCode: (input: { name: string; code: string; expiresMinutes: number }): Omit<MailMessage, 'to'> => ({
    subject: `Your sign-in code: ${input.code}`,
    text: `Hello ${input.name},\n\nYour sign-in code is ${input.code}\n\nIt works once and expires in ${input.expiresMinutes} minutes. If you are not signing in right now, someone knows your password: change it.${signature}`,
  }),
  newDevice: (input: { name: string; ip: string; userAgent: string; at: string }): Omit<MailMessage, 'to'> => ({
    subject: 'New sign-in to your account',
    text: `Hello ${input.name},\n\nYour account was signed in to from a new address.\n\nWhen: ${input.at}\nAddress: ${input.ip}\nDevice: ${input.userAgent}\n\nIf this was not you, change your password and end the other sessions on your account page.${signature}`,
  }),
  failedSignIns: (input: { name: string; ip: string; until: string }): Omit<MailMessage, 'to'> => ({
    subject: 'Failed sign-in attempts on your account',
    text: `Hello ${input.name},\n\nThere were many failed attempts to sign in to your account (last from ${input.ip}). Further attempts from there are paused until ${input.until}.\n\nIf this was you, wait and try again, or reset your password. If not, nothing is needed: your password was not accepted. Consider turning on two-factor authentication.${signature}`,
  }),
  approved: (input: { name: string; link: string }): Omit<MailMessage, 'to'> => ({
    subject: 'Your account is approved',
    text: `Hello ${input.name},\n\nYour account was approved. You can sign in now:\n\n${input.link}${signature}`,
  }),
  adminBypass: (input: { name: string; link: string; expiresMinutes: number }): Omit<MailMessage, 'to'> => ({
    subject: 'Admin sign-in link',
    text: `Hello ${input.name},\n\nHere is your one-time admin sign-in link, for when single sign-on is broken:\n\n${input.link}\n\nIt works once and expires in ${input.expiresMinutes} minutes. If you did not ask for it, tell your other admins: someone knows your admin address.${signature}`,
  }),
};
