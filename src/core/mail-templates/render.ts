import IntlMessageFormat from 'intl-messageformat';
import type { Language } from '../languages.ts';
import { variablesOf, type MailKind, type MailTemplate } from './kinds.ts';
import { oneLine } from '../one-line.ts';
import { ICU_OPTIONS } from './template-check.ts';

export type RenderedMail = { subject: string; text: string };

/**
 * A template filled in, in its language's plural rules. The subject is made one line even if
 * a value carried a line break (a person's name): Save checks the template, this the values.
 */
export function renderTemplate(template: MailTemplate, language: Language, values: Record<string, string | number>): RenderedMail {
  const format = (message: string) => String(new IntlMessageFormat(message, language, undefined, ICU_OPTIONS).format(values));
  return {
    subject: format(template.subject).replace(/[\r\n\u0085\u2028\u2029]+/g, ' ').trim(),
    text: format(template.body),
  };
}

/**
 * The values of an email made one line each, but for the ones the kind says are ours and span
 * lines (appLinks). Values come from outside the template: a person's name as an identity
 * service sent it, the User-Agent header of whoever signed in (the new-sign-in email goes to
 * the account's owner, not to them). A line break in one would let it write lines of its own
 * into our email ("Device: x", then "Your password expired: reset it at …" as if we said it).
 */
export function oneLineValues(kind: MailKind, values: Record<string, string | number>): Record<string, string | number> {
  const specs = variablesOf(kind);
  // No prototype: a template stored before Save refused {constructor} finds no value for it,
  // fails to render, and the email goes out with the default (MailTemplates.compose).
  const cleaned = Object.create(null) as Record<string, string | number>;
  for (const [name, value] of Object.entries(values)) {
    cleaned[name] = typeof value === 'string' && !(Object.hasOwn(specs, name) && specs[name]!.lines) ? oneLine(value) : value;
  }
  return cleaned;
}
