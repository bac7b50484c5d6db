import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export type ReceivedMail = { to: string[]; from: string; subject: string; text: string };

/**
 * A real SMTP server on a free loopback port that keeps every message it receives, parsed.
 * Frontdoor talks to it through SMTP_URL exactly as it would to a production relay.
 */
export class Mailbox {
  readonly messages: ReceivedMail[] = [];
  readonly #server: SMTPServer;
  readonly #waiters: { match: (m: ReceivedMail) => boolean; resolve: (m: ReceivedMail) => void }[] = [];
  #taken = new Set<ReceivedMail>();
  port = 0;

  private constructor() {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            const mail: ReceivedMail = {
              to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
            };
            this.messages.push(mail);
            const waiter = this.#waiters.find((w) => w.match(mail));
            if (waiter) {
              this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
              this.#taken.add(mail);
              waiter.resolve(mail);
            }
            callback();
          })
          .catch(callback);
      },
    });
  }

  static async start(): Promise<Mailbox> {
    const box = new Mailbox();
    await new Promise<void>((resolve) => box.#server.listen(0, '127.0.0.1', resolve));
    box.port = (box.#server.server.address() as { port: number }).port;
    return box;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** The next message to this address (optionally with a subject like `subject`) not handed out before. */
  next(to: string, subject?: RegExp): Promise<ReceivedMail> {
    const match = (m: ReceivedMail) => m.to.includes(to.toLowerCase()) && (!subject || subject.test(m.subject));
    const waiting = this.messages.find((m) => !this.#taken.has(m) && match(m));
    if (waiting) {
      this.#taken.add(waiting);
      return Promise.resolve(waiting);
    }
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      this.#waiters.push(waiter);
      // A guard so a missing email fails the test instead of hanging it.
      setTimeout(() => {
        if (this.#waiters.includes(waiter)) {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          reject(new Error(`no email to ${to}${subject ? ` matching ${subject}` : ''}; received: ${this.messages.map((m) => `${m.to} "${m.subject}"`).join(', ')}`));
        }
      }, 10_000).unref();
    });
  }

  /** Messages to this address so far. */
  to(address: string): ReceivedMail[] {
    return this.messages.filter((m) => m.to.includes(address.toLowerCase()));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** The first link in a message that starts with `prefix` (a path such as /password/reset). */
export function linkIn(mail: ReceivedMail, path: string): string {
  const match = new RegExp(`https?://[^\\s]*${path.replace(/[/?]/g, (c) => `\\${c}`)}[^\\s]*`).exec(mail.text);
  if (!match) throw new Error(`no ${path} link in "${mail.subject}": ${mail.text}`);
  const url = new URL(match[0]);
  return url.pathname + url.search;
}
