import type { Language } from '../languages.ts';
import type { Mailer } from '../mail.ts';
import { NO_LOST_PASSWORD_PAGE } from './defaults/index.ts';
import type { MailKind, MailVariables } from './kinds.ts';
import type { MailTemplates } from './store.ts';

/**
 * Sends the emails of Frontdoor by kind and language. Queued like every email: the template is
 * read and filled in inside the queued work, so a request never waits for the database or the
 * SMTP server on account of an email (the timing would tell who has an account).
 */
export class Emails {
  readonly #mailer: Mailer;
  readonly #templates: MailTemplates;

  constructor(mailer: Mailer, templates: MailTemplates) {
    this.#mailer = mailer;
    this.#templates = templates;
  }

  queue<K extends MailKind>(to: string, kind: K, language: Language, variables: MailVariables<K>): void {
    this.#mailer.queue(this.#templates.compose(kind, language, variables).then((mail) => ({ to, ...mail })));
  }
}

/** {appNames} and {appLinks} of passwordResetExternal, in the person's language. */
export function externalAppVariables(apps: readonly { name: string; url: string | undefined }[], language: Language): { appNames: string; appLinks: string } {
  return {
    appNames: new Intl.ListFormat(language, { type: 'disjunction' }).format(apps.map((a) => a.name)),
    appLinks: apps.map((a) => `${a.name}: ${a.url ?? NO_LOST_PASSWORD_PAGE[language]}`).join('\n'),
  };
}
